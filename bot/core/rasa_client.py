"""Talks to Rasa over its REST channel (``/webhooks/rest/webhook``).

The language decision and the channel name travel as message metadata.

Several Rasa processes (``RASA_URLS``, or ``RASA_PROCESSES`` started here)
share one tracker store: each user goes to one of them, always the same while
it answers (rendezvous hashing on the pseudonym), so one user's turns never run
in two processes at once. A process that refuses connections, or dies with the
message in hand, is left aside for ``DOWN_SECONDS`` and the message goes to the
user's next process at once, which continues the conversation from the shared
tracker store; a process that comes back is used again. A slow answer is never
sent elsewhere: the message may be half processed.

Every message the assistant understands gets at least one reply (small talk
has its responses, every other intent an action that always says something),
so an answer with nothing to read is a failure: that is what Rasa returns
when the action it predicted failed (the action server down or broken), and
the tourist is then told to try again like when Rasa itself is not there.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer in time, or answered with an error."""


class NothingToRead(RasaUnavailable):
    """Rasa answered, but with nothing for the tourist: an action failed."""


DOWN_SECONDS = 5.0  # a process that failed is tried again after this long
KEEPALIVE_SECONDS = 2.0

# The process is not there (refused), or died with the message: nothing was
# answered, so the message may go to another process.
_GONE = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError)


class RasaClient:
    def __init__(
        self,
        url: str | Sequence[str],
        timeout: float = 5.0,
        down_seconds: float = DOWN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``clock`` measures how long a process is left aside (a test's own clock)."""
        urls = [url] if isinstance(url, str) else list(url)
        if not urls:
            raise ValueError("no Rasa URL")
        self.urls = [u.rstrip("/") for u in urls]
        self.url = self.urls[0]
        self.timeout = timeout
        # Idle connections are dropped before Rasa's own keep-alive (Sanic: 5 s)
        # closes them, so a message never goes out on a connection being closed.
        self._client = httpx.AsyncClient(
            timeout=timeout, limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS)
        )
        self.down_seconds = down_seconds
        self._clock = clock
        self._down_until: dict[str, float] = {}

    def route(self, sender: str) -> list[str]:
        """The processes for this sender, in the order they are tried."""
        order = sorted(self.urls, key=lambda u: _weight(sender, u), reverse=True)
        now = self._clock()
        up = [u for u in order if self._down_until.get(u, 0.0) <= now]
        return up + [u for u in order if u not in up]

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Rasa's replies. A refused connection (Rasa restarting) is retried
        until the timeout, on the sender's next process when there are several;
        a slow answer is not, so no message is handled twice."""
        payload = {"sender": sender, "message": text, "metadata": metadata}
        deadline = time.monotonic() + self.timeout
        delay = 0.25
        while True:
            replies, error = await self._try_each(sender, payload)
            if error is None:
                break
            if time.monotonic() + delay >= deadline:
                raise RasaUnavailable(f"{type(error).__name__}: {error}") from error
            logger.warning("Rasa refused the connection; retrying in %.2f s", delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
        if not isinstance(replies, list):
            raise RasaUnavailable(f"unexpected answer from Rasa: {replies!r:.200}")
        if not any(_readable(item) for item in replies):
            raise NothingToRead(
                f"Rasa answered with nothing to read ({len(replies)} items): an action failed;"
                " see var/log/rasa.log and var/log/actions.log"
            )
        return replies

    async def _try_each(self, sender: str, payload: dict) -> tuple[Any, Exception | None]:
        """(replies, None), or (None, the last error) when every process was gone."""
        last: Exception | None = None
        for url in self.route(sender):
            try:
                response = await self._client.post(f"{url}/webhooks/rest/webhook", json=payload)
                response.raise_for_status()
                self._down_until.pop(url, None)
                return response.json(), None
            except _GONE as error:
                if len(self.urls) == 1 and not isinstance(error, httpx.ConnectError):
                    # Died with the message in hand, and no other process to ask.
                    raise RasaUnavailable(f"{type(error).__name__}: {error}") from error
                last = error
                if len(self.urls) > 1:
                    self._down_until[url] = self._clock() + self.down_seconds
                    logger.warning("Rasa at %s is gone (%s): the next process answers", url, error)
            except (httpx.HTTPError, ValueError) as error:
                raise RasaUnavailable(f"{type(error).__name__}: {error}") from error
        return None, last

    async def ready(self) -> bool:
        """Every process answers."""
        for url in self.urls:
            try:
                response = await self._client.get(f"{url}/", timeout=1.0)
            except httpx.HTTPError:
                return False
            if response.status_code != 200:
                return False
        return True

    async def close(self) -> None:
        await self._client.aclose()


def _weight(sender: str, url: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{sender}|{url}".encode()).digest()[:8], "big")


def _readable(item: Any) -> bool:
    """A reply the tourist can read or see (what the channels send)."""
    return isinstance(item, dict) and bool(item.get("text") or item.get("image"))
