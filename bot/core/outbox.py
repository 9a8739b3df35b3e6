"""One way to send text to a tourist known only by their pseudonym, on their own channel.

Staff see a pseudonym, never a messaging-app id; their replies reach the tourist
through here. Each channel registers a :class:`Sender` (how it sends a text on
its platform, with its limits and refusals) and tells the outbox, for each
message it receives, where that user is reached (``remember``): a chat id,
an OpenID, a WhatsApp address, a web chat conversation. The address book is
kept on disk (``var/addresses.db``), beside the deliveries, in the channel
process only: a restart keeps it, and nothing outside the channels reads it.

A send takes the user's turn in the same ``PerUserOrder`` as the answers of
the channel's :class:`bot.core.inbox.Inbox`: a staff reply never overtakes, nor
interleaves with, an answer being sent.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.core.ordering import PerUserOrder
from bot.core.pseudonym import pseudonym

SCHEMA = """
CREATE TABLE IF NOT EXISTS addresses (
    user TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    channel_user TEXT NOT NULL,
    address TEXT NOT NULL,
    seen_at REAL NOT NULL
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Sent:
    """What became of a send: delivered, kept for later (a web chat page closed), or refused."""

    delivered: bool
    kept: bool = False
    why: str = ""  # the platform's refusal, in the staff's words ("24-hour window closed")


class Sender(Protocol):
    async def send_texts(self, channel_user: str, address: str, texts: list[str]) -> Sent:
        """Sends the texts, in order, to that user of the channel."""
        ...


class AddressBook:
    """pseudonym -> (channel, the user's id on it, how to reach them), on disk."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self._known: dict[str, tuple[str, str, str]] = {}

    def remember(self, user: str, channel: str, channel_user: str, address: str) -> None:
        entry = (channel, channel_user, address)
        if self._known.get(user) == entry:
            return
        self._known[user] = entry
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO addresses VALUES (?, ?, ?, ?, ?)",
                (user, channel, channel_user, address, time.time()),
            )

    def find(self, user: str) -> tuple[str, str, str] | None:
        if user in self._known:
            return self._known[user]
        with self._lock:
            row = self._db.execute(
                "SELECT channel, channel_user, address FROM addresses WHERE user = ?", (user,)
            ).fetchone()
        if row is None:
            return None
        self._known[user] = (row[0], row[1], row[2])
        return self._known[user]

    def close(self) -> None:
        self._db.close()


class Outbox:
    def __init__(self, key: bytes, addresses: AddressBook | None = None) -> None:
        self.key = key
        self.order = PerUserOrder()  # shared with every channel's Inbox
        self.addresses = addresses or AddressBook(":memory:")
        self._senders: dict[str, Sender] = {}

    def register(self, channel: str, sender: Sender) -> None:
        self._senders[channel] = sender

    def remember(self, channel: str, channel_user: str, address: str = "") -> str:
        """This user of the channel is reached at ``address`` (their id when empty);
        returns their pseudonym."""
        user = pseudonym(self.key, channel, channel_user)
        self.addresses.remember(user, channel, channel_user, address or channel_user)
        return user

    def remember_pseudonym(self, channel: str, channel_user: str) -> str:
        """This user of the channel, whose id is a secret (a web chat's bearer token): only
        their pseudonym is kept, and their channel's sender reaches them by it."""
        user = pseudonym(self.key, channel, channel_user)
        self.addresses.remember(user, channel, user, user)
        return user

    def reaches(self, user: str) -> bool:
        """This process can send to that pseudonymous user (its channel is served here)."""
        found = self.addresses.find(user)
        return found is not None and found[0] in self._senders

    def channel_of(self, user: str) -> str | None:
        found = self.addresses.find(user)
        return found[0] if found else None

    async def send(self, user: str, texts: list[str]) -> Sent:
        """Sends the texts to the pseudonymous user through their channel, in their order."""
        found = await asyncio.to_thread(self.addresses.find, user)
        if found is None or found[0] not in self._senders:
            return Sent(False, why="not reachable from this process")
        channel, channel_user, address = found
        async with self.order.turn((channel, channel_user)):
            return await self._senders[channel].send_texts(channel_user, address, texts)
