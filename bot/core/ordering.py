"""One user's messages answered in order, different users side by side.

A tourist who sends "Chamonix" then "et le prix ?" must get the answers in
that order, each with the context of the one before; another tourist must not
wait for them. Every channel takes a turn here, keyed by the user's id on that
channel; a key's lock is dropped when nobody waits on it, so the table does not
grow with the number of users ever seen.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable


class PerUserOrder:
    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._holders: dict[Hashable, int] = {}

    @contextlib.asynccontextmanager
    async def turn(self, key: Hashable) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key]
                del self._locks[key]

    def __len__(self) -> int:
        """Users with a turn running or waiting."""
        return len(self._locks)
