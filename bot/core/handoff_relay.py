"""Staff messages on their way to tourists, and held conversations going quiet.

The review app writes a staff reply (or the notice "you are back with the
assistant") into the shared hand-off store (``handoff/store.py``); every channel
process runs a :class:`Relay`, which, a few times a second:

- gives back to the assistant the held conversations quiet for longer than the
  quiet time (HANDOFF_QUIET_MINUTES), the tourist being told;
- claims each pending message of a tourist this process reaches (its channel is
  served here and the tourist wrote here: ``Outbox.reaches``), one UPDATE that
  only one process wins, sends it through the tourist's channel in their order
  (``Outbox.send``), and marks it sent, kept (a web chat page closed) or refused
  with the platform's reason; messages go in the order staff wrote them;
- records each one in the turn log, with who wrote it.

Notices are phrase keys of content/phrases.yml, said in the tourist's language.
A crash between the platform taking a message and ``sent`` being written leaves
it ``sending``: it is not sent again (at most once), and staff see it unconfirmed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.core.assistant import Assistant
from bot.core.conversation_log import STAFF, UNDELIVERED
from bot.core.outbox import Sent
from handoff import store as handoff

logger = logging.getLogger(__name__)

TICK_SECONDS = 0.2  # how often pending messages are looked for


class Relay:
    def __init__(
        self, assistant: Assistant, holds: handoff.HandoffStore, tick: float = TICK_SECONDS
    ) -> None:
        self.assistant = assistant
        self.holds = holds
        self.tick = tick

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.once()
            except Exception:  # the store down: tried again at the next tick
                logger.exception("Could not relay the hand-off messages")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), self.tick)

    async def once(self) -> int:
        """One pass; returns how many messages this process sent."""
        await asyncio.to_thread(self.holds.end_quiet)
        sent = 0
        outbox = self.assistant.outbox
        for message in await asyncio.to_thread(self.holds.pending):
            if not outbox.reaches(message.user):
                continue  # another process's tourist (or a channel not served here)
            if not await asyncio.to_thread(self.holds.claim, message.id):
                continue
            text = message.text
            if message.sender == handoff.NOTICE:
                variant = self.assistant.known_language_of(message.user)
                text = self.assistant.phrase(message.text, variant)
            try:
                result = await outbox.send(message.user, [text])
            except Exception:  # the channel failed: staff see it refused, the others go on
                logger.exception("Could not send a hand-off message of %s", message.user)
                result = Sent(False, why="error")
            status = (
                handoff.SENT
                if result.delivered
                else handoff.KEPT
                if result.kept
                else handoff.REFUSED
            )
            await asyncio.to_thread(self.holds.sent, message.id, status, result.why)
            channel = outbox.channel_of(message.user) or ""
            author = message.author or "assistant"
            outcome = UNDELIVERED if status == handoff.REFUSED else STAFF
            self.assistant.staff_turn(message.user, channel, author, text, outcome)
            sent += result.delivered
        return sent
