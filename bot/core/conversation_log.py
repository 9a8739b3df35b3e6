"""Every message and every reply, from every channel, for the staff who review them.

One row per turn: time, pseudonymous user, channel, decided language, the
text received, the replies sent, latency and outcome, including turns that
could not be answered. Raw messaging-app ids are never stored. SQLite under
var/ by default.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import List, Optional

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    user TEXT NOT NULL,
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    text_in TEXT NOT NULL,
    replies TEXT NOT NULL,
    latency_ms REAL,
    outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_time ON turns (time);
CREATE INDEX IF NOT EXISTS turns_user ON turns (user);
"""

# What happened to a message.
ANSWERED = "answered"
UNAVAILABLE = "unavailable"  # Rasa or the action server did not answer
NOT_TEXT = "not-text"  # a sticker, voice note, photo...


class ConversationLog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # consistent after a crash, no fsync per turn
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def record(
        self,
        user: str,
        channel: str,
        language: str,
        text_in: str,
        replies: List[str],
        latency_ms: Optional[float],
        outcome: str,
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO turns (time, user, channel, language, text_in, replies, latency_ms, outcome)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), user, channel, language, text_in, json.dumps(replies, ensure_ascii=False),
                 latency_ms, outcome),
            )

    def turns(self, user: Optional[str] = None) -> List[dict]:
        query = "SELECT time, user, channel, language, text_in, replies, latency_ms, outcome FROM turns"
        arguments: tuple = ()
        if user:
            query += " WHERE user = ?"
            arguments = (user,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id", arguments).fetchall()
        keys = ("time", "user", "channel", "language", "text_in", "replies", "latency_ms", "outcome")
        return [dict(zip(keys, row[:5] + (json.loads(row[5]),) + row[6:], strict=False)) for row in rows]

    def close(self) -> None:
        self._db.close()
