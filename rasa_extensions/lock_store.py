"""Rasa's Redis lock store, which keeps answering while Redis is down.

With several Rasa processes, Rasa's lock store on Redis makes the turns of
one conversation run one at a time across all of them. Rasa's own store
fails every turn while Redis is unreachable. The channel core already sends
each tourist to one process (``bot/core/rasa_client.py``), so while Redis is
down this store keeps the locks in the process's memory, as Rasa does with a
single process, and says so in Rasa's log once; when Redis answers again it
is used again for the conversations that hold no lock in memory, and that
is logged too.

Rasa's store also reads a conversation's lock, changes it and writes it back
without guarding the two steps: two messages of one tourist reaching two
processes at the same instant both got the first ticket and ran side by side,
and one turn was lost from the tracker store (``tests/test_scale_out.py``).
Here every change of a lock happens under a short Redis mutex of its own.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, RedisLockStore

logger = logging.getLogger(__name__)

# How long a Redis call may take before the turn goes on without it.
SOCKET_TIMEOUT_SECONDS = 0.5
# While Redis is down, it is tried again after this long (not on every call).
RETRY_SECONDS = 2.0
# The mutex around one change of a lock: held for a few Redis calls.
MUTEX_SECONDS = 2.0


class FallbackRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Any) -> None:
        options = dict(endpoint_config.kwargs)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
        super().__init__(host=endpoint_config.url or "localhost", **options)
        self.memory = InMemoryLockStore()
        self.down_since: float | None = None

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)

    @contextlib.contextmanager
    def _mutex(self, conversation_id: str) -> Iterator[None]:
        mutex = None
        if conversation_id not in self.memory.conversation_locks and self._redis_usable():
            try:
                mutex = self.red.lock(
                    f"{self.key_prefix}{conversation_id}:change",
                    timeout=MUTEX_SECONDS,
                    blocking_timeout=MUTEX_SECONDS,
                    sleep=0.01,
                )
                if not mutex.acquire():
                    mutex = None  # held by a process that died: go on, as Rasa would
            except Exception as error:  # Redis down: the lock lives in memory
                self._down(error)
                mutex = None
        try:
            yield
        finally:
            if mutex is not None:
                with contextlib.suppress(Exception):  # expired, or Redis gone meanwhile
                    mutex.release()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        if conversation_id in self.memory.conversation_locks:
            return self.memory.get_lock(conversation_id)  # taken while Redis was down
        if self._redis_usable():
            try:
                lock = super().get_lock(conversation_id)
                self._up()
                return lock
            except Exception as error:  # any Redis failure: go on in memory
                self._down(error)
        return self.memory.get_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        if lock.conversation_id not in self.memory.conversation_locks and self._redis_usable():
            try:
                super().save_lock(lock)
                self._up()
                return
            except Exception as error:
                self._down(error)
        self.memory.save_lock(lock)

    def delete_lock(self, conversation_id: str) -> None:
        self.memory.delete_lock(conversation_id)
        if self._redis_usable():
            try:
                super().delete_lock(conversation_id)
                self._up()
            except Exception as error:
                self._down(error)

    def _redis_usable(self) -> bool:
        return self.down_since is None or time.monotonic() - self.down_since >= RETRY_SECONDS

    def _down(self, error: Exception) -> None:
        if self.down_since is None:
            logger.warning(
                "Redis lock store unreachable (%s): locks are kept in this process until it answers.",
                type(error).__name__,
            )
        self.down_since = time.monotonic()

    def _up(self) -> None:
        if self.down_since is not None:
            logger.warning("Redis lock store answers again: locks are shared again.")
            self.down_since = None
