"""Rasa's SQL tracker store, tuned for the embedded SQLite default.

SQLite's defaults make every saved turn wait for the disk twice (rollback
journal, full sync). Write-ahead logging with ``synchronous=NORMAL`` keeps
the file consistent after a crash and lets readers and the writer work at
the same time; a power cut may lose the last turns, not corrupt the file.
For PostgreSQL use Rasa's own ``type: SQL`` store: nothing here applies.
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore


class SQLiteTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("dialect", "sqlite")
        super().__init__(*args, **kwargs)
        from sqlalchemy import event

        @event.listens_for(self.engine, "connect")
        def _tune(connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        self.engine.dispose()  # connections opened so far were not tuned
