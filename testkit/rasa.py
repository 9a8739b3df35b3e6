"""A stand-in for Rasa behind the channel core, for channel tests that need no model.

``RecordingRasa`` has the ``send`` of :class:`bot.core.rasa_client.RasaClient`:
it records what each user sent with which metadata, answers with the replies
it was given (or a function of the text), can take its time (``delay``, to
test a platform's deadline; ``answer_when``, a threading.Event: it answers once
the test sets it) and can be down (``RasaUnavailable``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from bot.core.rasa_client import RasaClient, RasaUnavailable

Replies = list[dict[str, Any]]


class RecordingRasa:
    def __init__(
        self,
        replies: Replies | Callable[[str, dict], Replies] | None = None,
        delay: float = 0.0,
        down: bool = False,
    ) -> None:
        self.received: list[tuple[str, str, dict]] = []  # (pseudonym, text, metadata)
        self.replies = replies if replies is not None else [{"text": "OK"}]
        self.delay = delay
        self.answer_when: threading.Event | None = None
        self.down = down

    async def send(self, user: str, text: str, metadata: dict) -> Replies:
        self.received.append((user, text, dict(metadata)))
        if self.delay:
            await asyncio.sleep(self.delay)
        while self.answer_when is not None and not self.answer_when.is_set():
            await asyncio.sleep(0.01)
        if self.down:
            raise RasaUnavailable("down")
        if callable(self.replies):
            return self.replies(text, metadata)
        return self.replies

    @property
    def texts(self) -> list[str]:
        return [text for _user, text, _metadata in self.received]

    async def close(self) -> None:
        pass


async def warm_rasa(urls) -> None:
    """A first question loads each Rasa process's lazy parts and the action server's
    (seconds on a busy machine), so the tests' own turns meet the 5-second budget."""
    for url in urls:
        client = RasaClient(url, timeout=60.0)
        try:
            await client.send("warm-up", "comment aller à Chamonix ?", {"language": "fr"})
        finally:
            await client.close()
