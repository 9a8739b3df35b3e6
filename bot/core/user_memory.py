"""The language each (pseudonymous) user was last answered in.

And, on channels that show buttons as a numbered list, which payload each
number of the last list stands for.

For Chinese it is the script too: "zh-Hans" (Simplified) or "zh-Hant"
(Traditional); "fr" and "en" otherwise. A "zh" written before scripts were
told apart reads as Simplified (``language.decision.variant_of``).

Kept in a small SQLite file under var/, so a conversation continued later,
or from another run of ``python -m bot ask``, keeps its language. Each process
also keeps what it read or wrote in memory and writes only changes: a user's
pseudonym belongs to one channel, and one process serves a channel.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path


class UserMemory:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "PRAGMA synchronous=NORMAL"
        )  # consistent after a crash, no fsync per message
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS user_language ("
            " pseudonym TEXT PRIMARY KEY, language TEXT NOT NULL, updated REAL NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS user_options ("
            " pseudonym TEXT PRIMARY KEY, payloads TEXT NOT NULL, updated REAL NOT NULL)"
        )
        self._lock = threading.Lock()
        self._known: dict = {}  # pseudonym -> language, as written
        self._offered: dict[str, list[str]] = {}  # pseudonym -> options, as written

    def language(self, pseudonym: str) -> str | None:
        if pseudonym in self._known:
            return self._known[pseudonym]
        with self._lock:
            row = self._db.execute(
                "SELECT language FROM user_language WHERE pseudonym = ?", (pseudonym,)
            ).fetchone()
        return row[0] if row else None

    def remember(self, pseudonym: str, language: str) -> None:
        if self._known.get(pseudonym) == language:
            return  # nothing new to write
        self._known[pseudonym] = language
        with self._lock:
            self._db.execute(
                "INSERT INTO user_language (pseudonym, language, updated) VALUES (?, ?, ?)"
                " ON CONFLICT(pseudonym) DO UPDATE SET language = excluded.language,"
                " updated = excluded.updated",
                (pseudonym, language, time.time()),
            )

    def options(self, pseudonym: str) -> list[str]:
        """The payloads of the numbered list this user was last shown (WeChat)."""
        if pseudonym in self._offered:
            return list(self._offered[pseudonym])
        with self._lock:
            row = self._db.execute(
                "SELECT payloads FROM user_options WHERE pseudonym = ?", (pseudonym,)
            ).fetchone()
        return json.loads(row[0]) if row else []

    def remember_options(self, pseudonym: str, payloads: list[str]) -> None:
        if self._offered.get(pseudonym, None) == payloads:
            return  # nothing new to write (most answers: no list before, none now)
        self._offered[pseudonym] = list(payloads)
        with self._lock:
            if payloads:
                self._db.execute(
                    "INSERT INTO user_options (pseudonym, payloads, updated) VALUES (?, ?, ?)"
                    " ON CONFLICT(pseudonym) DO UPDATE SET payloads = excluded.payloads,"
                    " updated = excluded.updated",
                    (pseudonym, json.dumps(payloads, ensure_ascii=False), time.time()),
                )
            else:
                self._db.execute("DELETE FROM user_options WHERE pseudonym = ?", (pseudonym,))

    def close(self) -> None:
        self._db.close()
