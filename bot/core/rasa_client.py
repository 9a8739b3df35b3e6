"""Talks to Rasa over its REST channel (``/webhooks/rest/webhook``).

The language decision and the channel name travel as message metadata.

Every message the assistant understands gets at least one reply (small talk
has its responses, every other intent an action that always says something),
so an answer with nothing to read is a failure: that is what Rasa returns
when the action it predicted failed (the action server down or broken), and
the tourist is then told to try again like when Rasa itself is not there.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer in time, or answered with an error."""


class NothingToRead(RasaUnavailable):
    """Rasa answered, but with nothing for the tourist: an action failed."""


class RasaClient:
    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._client = httpx.AsyncClient(timeout=timeout)

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Rasa's replies. A refused connection (Rasa restarting) is retried
        until the timeout; a slow answer is not, so no message is handled twice."""
        payload = {"sender": sender, "message": text, "metadata": metadata}
        deadline = time.monotonic() + self.timeout
        delay = 0.25
        while True:
            try:
                response = await self._client.post(
                    f"{self.url}/webhooks/rest/webhook", json=payload
                )
                response.raise_for_status()
                replies = response.json()
                break
            except httpx.ConnectError as error:
                if time.monotonic() + delay >= deadline:
                    raise RasaUnavailable(f"{type(error).__name__}: {error}") from error
                logger.warning("Rasa refused the connection; retrying in %.2f s", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
            except (httpx.HTTPError, ValueError) as error:
                raise RasaUnavailable(f"{type(error).__name__}: {error}") from error
        if not isinstance(replies, list):
            raise RasaUnavailable(f"unexpected answer from Rasa: {replies!r:.200}")
        if not any(_readable(item) for item in replies):
            raise NothingToRead(
                f"Rasa answered with nothing to read ({len(replies)} items): an action failed;"
                " see var/log/rasa.log and var/log/actions.log"
            )
        return replies

    async def ready(self) -> bool:
        try:
            response = await self._client.get(f"{self.url}/", timeout=1.0)
            return response.status_code == 200
        except httpx.HTTPError:
            return False

    async def close(self) -> None:
        await self._client.aclose()


def _readable(item: Any) -> bool:
    """A reply the tourist can read or see (what the channels send)."""
    return isinstance(item, dict) and bool(item.get("text") or item.get("image"))
