"""Which platform messages were received and which were answered, kept on disk.

Messaging platforms deliver a message again when they are not sure it was
handled (Telegram re-sends updates whose offset was not confirmed, WeChat and
WhatsApp retry a slow webhook), and a channel that stops mid-message must
finish it after a restart. So every channel, before it tells the platform that
a message was handled, stores it here under (channel, the platform's message
id), with the raw message; when the answer has been sent it is marked
answered (and the raw message dropped). Then:

- a message seen before, answered or still being answered, is not answered again;
- a message received but not answered when the process stopped (a crash, a
  SIGKILL) is handed back by ``unanswered`` at the next start, and answered then.

The window left is the moment between the platform accepting a reply and
``answered`` being written: a crash exactly there answers that message twice.

Several channel processes share one store on Redis when REDIS_URL is set
(``bot/core/dedup_redis.py``; ``bot/core/delivery_store.py`` chooses). By default it is
SQLite (``var/deliveries.db``), each write synced to disk before it returns;
rows older than two days are removed (Telegram keeps updates one day). Calls
block briefly on disk: channels call them through ``asyncio.to_thread``.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    channel TEXT NOT NULL,
    message_id TEXT NOT NULL,
    received_at REAL NOT NULL,
    answered_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    payload TEXT,
    PRIMARY KEY (channel, message_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deliveries_unanswered ON deliveries (channel, answered_at);
"""
KEEP_SECONDS = 2 * 24 * 3600
MAX_ATTEMPTS = 3  # a message handed back this often without being answered is given up


class DedupStore:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=10
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # on disk before the platform is told
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self.forget_old()

    def receive(self, channel: str, message_id: str, payload: str | None = None) -> bool:
        """Stores a message as received; False when it was received before."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO deliveries (channel, message_id, received_at, payload) VALUES (?, ?, ?, ?)",
                (channel, message_id, time.time(), payload),
            )
        return cursor.rowcount == 1

    def answered(self, channel: str, message_id: str) -> None:
        """The message was answered (its raw content is dropped)."""
        with self._lock:
            self._db.execute(
                "UPDATE deliveries SET answered_at = ?, payload = NULL WHERE channel = ? AND message_id = ?",
                (time.time(), channel, message_id),
            )

    def seen(self, channel: str, message_id: str) -> bool:
        """Received before, answered or not."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM deliveries WHERE channel = ? AND message_id = ?",
                (channel, message_id),
            ).fetchone()
        return row is not None

    def is_answered(self, channel: str, message_id: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT answered_at FROM deliveries WHERE channel = ? AND message_id = ?",
                (channel, message_id),
            ).fetchone()
        return bool(row and row[0] is not None)

    def unanswered(self, channel: str) -> tuple[list[tuple[str, str]], list[str]]:
        """Messages received and not answered, oldest first, as (message id, raw
        message) to answer now; and the ids of those given up (handed back
        MAX_ATTEMPTS times already: a message that stops the channel each time)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT message_id, payload, attempts FROM deliveries"
                " WHERE channel = ? AND answered_at IS NULL AND payload IS NOT NULL ORDER BY received_at",
                (channel,),
            ).fetchall()
            retry = [(m, p) for m, p, attempts in rows if attempts < MAX_ATTEMPTS]
            given_up = [m for m, _p, attempts in rows if attempts >= MAX_ATTEMPTS]
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "UPDATE deliveries SET attempts = attempts + 1 WHERE channel = ? AND message_id = ?",
                [(channel, m) for m, _p in retry],
            )
            self._db.executemany(
                "UPDATE deliveries SET answered_at = ?, payload = NULL WHERE channel = ? AND message_id = ?",
                [(time.time(), channel, m) for m in given_up],
            )
            self._db.execute("COMMIT")
        return retry, given_up

    def forget_old(self, keep_seconds: float = KEEP_SECONDS) -> None:
        with self._lock:
            self._db.execute(
                "DELETE FROM deliveries WHERE received_at < ?", (time.time() - keep_seconds,)
            )

    def close(self) -> None:
        self._db.close()
