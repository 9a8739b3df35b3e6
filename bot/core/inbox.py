"""Every channel's cycle for a platform message: store it, answer it in the user's order,
mark it answered, and answer after a restart what a stopped process had not.

Telegram, WeChat and WhatsApp all do the same with each message, in one place here:

1. **store** it under (channel, the platform's message id) with the raw message
   (:class:`bot.core.delivery_store.DeliveryStore`), before the platform is told it
   was received; a message stored before (a platform's retry, also one reaching
   another process or a restarted one) is dropped;
2. **keep each user in order**: one user's messages are answered one after the
   other, users side by side (``PerUserOrder``, shared with :class:`Outbox`, so a
   staff member's reply to a tourist waits for the answer under way, and the
   reverse);
3. **answer** it with the channel's own function (what the channel says and how
   it sends it);
4. **mark it answered** (its raw content dropped), whether the answer went out or
   failed in a way a second try would not mend; a cancelled answer (the process
   stopping) is not marked, so it is answered at the next start;
5. **resume**: at start, what a stopped or killed process had stored and not
   answered is answered now, each with its user's order; a message handed back
   ``MAX_ATTEMPTS`` times is given up (it stopped the process each time) and logged.

The channel gives the raw message back as a :class:`Delivery` (``reread``) so the
store keeps text only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.core.dedup import MAX_ATTEMPTS
from bot.core.delivery_store import DeliveryStore
from bot.core.ordering import PerUserOrder

logger = logging.getLogger(__name__)

T = TypeVar("T")
STOP_SECONDS = 10.0  # answers under way get this long to finish when the channel stops


@dataclass(frozen=True)
class Delivery:
    """One platform message: its id, whose it is (the user's id on the channel, for the
    order), the raw message as stored, and the channel's parsed form of it."""

    message_id: str
    user: Hashable
    payload: str
    item: Any = None
    resumed: bool = False  # handed back after a restart


class Inbox(Generic[T]):
    def __init__(
        self,
        channel: str,
        store: DeliveryStore,
        answer: Callable[[Delivery], Awaitable[T]],
        reread: Callable[[str, str], Delivery | None],
        order: PerUserOrder | None = None,
    ) -> None:
        self.channel = channel
        self.store = store
        self._answer = answer
        self._reread = reread
        self.order = order or PerUserOrder()
        self._tasks: set[asyncio.Task] = set()

    async def receive(self, delivery: Delivery) -> asyncio.Task[T | None] | None:
        """Stores the message and starts answering it; None when it was received before."""
        new = await asyncio.to_thread(
            self.store.receive, self.channel, delivery.message_id, delivery.payload
        )
        if not new:
            logger.info("A %s message delivered again is answered once", self.channel)
            return None
        return self._start(delivery)

    async def resume(self) -> int:
        """Starts answering what was stored and not answered before the last stop."""
        retry, given_up = await asyncio.to_thread(self.store.unanswered, self.channel)
        if given_up:
            logger.error(
                "%d %s messages were never answered after %d starts: given up",
                len(given_up),
                self.channel,
                MAX_ATTEMPTS,
            )
        resumed = 0
        for message_id, payload in retry:
            delivery = self._reread(message_id, payload)
            if delivery is None:
                continue
            self._start(
                Delivery(delivery.message_id, delivery.user, payload, delivery.item, resumed=True)
            )
            resumed += 1
        if resumed:
            logger.warning(
                "%d %s messages received before the last stop and not answered: answering them now",
                resumed,
                self.channel,
            )
        return resumed

    async def finish(self, timeout: float = STOP_SECONDS) -> None:
        """Waits for the answers under way; those cut short are answered at the next start."""
        if self._tasks:
            _done, late = await asyncio.wait(set(self._tasks), timeout=timeout)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1)

    def __len__(self) -> int:
        """Messages being answered or waiting for their user's turn."""
        return len(self._tasks)

    def _start(self, delivery: Delivery) -> asyncio.Task[T | None]:
        task = asyncio.get_running_loop().create_task(self._run(delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, delivery: Delivery) -> T | None:
        result: T | None = None
        async with self.order.turn((self.channel, delivery.user)):
            try:
                result = await self._answer(delivery)
            except asyncio.CancelledError:
                raise  # stopped midway: not marked, answered at the next start
            except Exception:  # logged, and not tried again: it would fail again
                logger.exception("Could not answer a %s message", self.channel)
        await asyncio.to_thread(self.store.answered, self.channel, delivery.message_id)
        return result
