"""Rasa's SQL tracker store, on SQLite (the default) or PostgreSQL, with the current session in memory.

One URL says where conversations are kept (``TRACKER_STORE_URL``, see
``rasa_extensions/endpoints.py``): ``sqlite:///var/tracker.db`` on one
machine, ``postgresql://...`` when several Rasa processes share it. The table
and its rows are Rasa's (``SQLTrackerStore``); the review app reads them.

What this store changes, each measured (BENCHMARKS.md, "Scale-out"):

- Rasa reads back and replays the whole session on every turn, and a session
  lasts a day here. The store keeps each conversation's recent turns in
  memory (``recent_turns.py``) and, on the next turn, checks with one indexed
  query that no other process has written to it since; only then, or after a
  restart, is the session read from the database. Saving writes the new
  events only, without counting the stored ones first.
- SQLite: write-ahead logging with ``synchronous=NORMAL`` (every saved turn
  waited for the disk twice; a power cut may lose the last turns, not corrupt
  the file), on one connection kept open.
- PostgreSQL: connections are checked before use, so a database restart
  costs the turns that fail during it, not every turn after it.

Errors are not hidden: Rasa wraps every tracker store in a "fail-safe" one
that answers from an empty in-memory conversation when the database fails,
which would answer "et le prix ?" without its place and lose the turn from
the database. ``errors_reach_the_channel`` (applied with the speed-ups)
removes that wrapper for this store: Rasa answers with an error, and the
channel tells the tourist the assistant is unavailable for a moment.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from rasa.core.tracker_store import SQLTrackerStore

from rasa_extensions.recent_turns import TURNS, recent

if TYPE_CHECKING:
    from rasa.shared.core.trackers import DialogueStateTracker

# Conversations kept in memory per Rasa process (the least recently used go
# first): a few hundred kilobytes each at most, read again when needed.
CONVERSATIONS = 2000

# Events of the tracker already in the database, set on the trackers this
# store hands out; a tracker without it is saved Rasa's way.
_STORED = "_events_in_database"


class SessionTrackerStore(SQLTrackerStore):
    engine: Any  # Rasa's SQLAlchemy engine, made again for PostgreSQL

    def __init__(
        self,
        domain: Any = None,
        host: str | None = None,
        url: str | None = None,
        event_broker: Any = None,
        turns: int = TURNS,
        conversations: int = CONVERSATIONS,
        **kwargs: Any,
    ) -> None:
        # Rasa's SQL store takes a whole URL as its host.
        super().__init__(domain=domain, host=url or host, event_broker=event_broker, **kwargs)
        self.turns = int(turns)
        self.conversations = int(conversations)
        self._recent: OrderedDict[str, tuple[DialogueStateTracker, int | None]] = OrderedDict()
        if self.engine.dialect.name == "sqlite":
            self._keep_sqlite_connections()
        else:
            self._check_connections_before_use()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            last_id = self._last_event_id(session, sender_id)
        known = self._recent.get(sender_id)
        if known is not None:
            tracker, known_last_id = known
            if known_last_id == last_id and getattr(tracker, _STORED, -1) == len(tracker.events):
                self._recent.move_to_end(sender_id)
                return tracker
            del self._recent[sender_id]  # written elsewhere, or a turn that failed
        if last_id is None:
            return None
        tracker = await super().retrieve(sender_id)  # the whole session, once
        if tracker is None:
            return None
        return self._remember(recent(tracker, self.domain.slots, self.turns), last_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        stored = getattr(tracker, _STORED, None)
        if stored is None:
            # A tracker this store did not hand out (Rasa starting a conversation):
            # what is already stored is counted, as Rasa's own save does.
            with self.session_scope() as session:
                stored = self._event_query(session, tracker.sender_id, False).count()
        new = list(tracker.events)[stored:]
        known = self._recent.get(tracker.sender_id)
        last_id = known[1] if known is not None else None
        if new:
            with self.session_scope() as session:
                # One INSERT for the turn's events (the ORM's unit of work cost
                # as much as the rest of the save), then the id of the last one.
                session.execute(
                    self.SQLEvent.__table__.insert(),
                    [self._row(tracker.sender_id, event) for event in new],
                )
                last_id = self._last_event_id(session, tracker.sender_id)
                session.commit()
        setattr(tracker, _STORED, len(tracker.events))
        self._remember(recent(tracker, self.domain.slots, self.turns), last_id)

    def _remember(self, tracker: DialogueStateTracker, last_id: int | None) -> DialogueStateTracker:
        setattr(tracker, _STORED, len(tracker.events))
        self._recent[tracker.sender_id] = (tracker, last_id)
        self._recent.move_to_end(tracker.sender_id)
        while len(self._recent) > self.conversations:
            self._recent.popitem(last=False)
        return tracker

    def _last_event_id(self, session: Any, sender_id: str) -> int | None:
        import sqlalchemy as sa

        return (
            session.query(sa.func.max(self.SQLEvent.id))
            .filter(self.SQLEvent.sender_id == sender_id)
            .scalar()
        )

    @staticmethod
    def _row(sender_id: str, event: Any) -> dict[str, Any]:
        """One event's columns as Rasa's own ``save`` writes them."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _keep_sqlite_connections(self) -> None:
        """SQLAlchemy 1.4 opens a new SQLite connection per session (NullPool):
        a tenth of a turn went to connecting and tuning it. One pooled, tuned
        connection serves the process (Rasa's calls are made one at a time)."""
        import sqlalchemy as sa

        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, pool_size=1, connect_args={"check_same_thread": False}
        )
        _tune_sqlite(self.engine)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _check_connections_before_use(self) -> None:
        import sqlalchemy as sa
        from rasa.core.tracker_store import create_engine_kwargs

        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)


def _tune_sqlite(engine: Any) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _tune(connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def errors_reach_the_channel() -> None:
    """Rasa serves this store as it is, not behind its in-memory fallback (see the module's text)."""
    from rasa.core.agent import Agent

    original = Agent._create_tracker_store
    if getattr(original, "_errors_reach_the_channel", False):
        return

    def create_tracker_store(store: Any, domain: Any) -> Any:
        # Rasa hands the store over wrapped in its AwaitableTrackerStore.
        if isinstance(getattr(store, "_tracker_store", store), SessionTrackerStore):
            store.domain = domain
            return store
        return original(store, domain)

    create_tracker_store._errors_reach_the_channel = True  # type: ignore[attr-defined]
    Agent._create_tracker_store = staticmethod(create_tracker_store)  # type: ignore[method-assign]
