"""The few Graph API calls the WhatsApp channel makes, on httpx.

``POST /{phone_number_id}/messages`` sends a message (text or interactive) or
marks a tourist's message as read. What goes wrong is told by Meta's error
code (``error.code`` of the response), and handled by it:

- 131047 (more than 24 hours since the tourist's last message: only approved
  templates may be sent) and the other refusals of one message: :class:`Refused`,
  nothing retried;
- 130429 (the number's throughput) and 131056 (too many messages to one user):
  waited for, longer each time, and retried a few times;
- 190 (the access token expired or was revoked): :class:`TokenRefused`;
- HTTP 5xx, timeouts and network errors: retried with backoff, a few times.

Never a loop: after ``attempts`` tries the call gives up with :class:`SendFailed`.
The token goes in the Authorization header only, never in a URL or a log line.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

logger = logging.getLogger(__name__)

REENGAGEMENT = 131047  # the 24 h customer-service window is closed
RATE_CODES = frozenset({130429, 131056, 80007, 4})  # throughput, pair rate, account and app rate
TOKEN = 190
ATTEMPTS = 4


class SendFailed(Exception):
    """The message did not go out after every retry (network, 5xx, rate)."""

    def __init__(self, why: str, code: int | None = None) -> None:
        super().__init__(why)
        self.code = code


class Refused(SendFailed):
    """Meta refused this message for a reason retrying does not change (131047...)."""


class TokenRefused(SendFailed):
    """The access token is expired or revoked (code 190): nothing can be sent until it is replaced."""


class GraphApi:
    def __init__(
        self,
        base_url: str,
        phone_number_id: str,
        access_token: str,
        attempts: int = ATTEMPTS,
        backoff: float = 0.5,
        rate_backoff: float = 1.0,
        timeout: float = 10.0,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
        self.attempts = attempts
        self.backoff = backoff
        self.rate_backoff = rate_backoff
        self._client = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=timeout,
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        )

    async def send(self, address: dict[str, str], message: dict[str, Any]) -> str:
        """Sends ``message`` to ``address`` ({"to": ...} or {"recipient": ...});
        returns the message's wamid (its id in later status notifications)."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **address}
        body.update(message)
        result = await self._post(body)
        messages = result.get("messages") if isinstance(result, dict) else None
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            return str(messages[0].get("id") or "")
        return ""

    async def mark_read(self, message_id: str) -> None:
        """The tourist sees two blue ticks; a failure here costs nothing but the ticks."""
        try:
            await self._post(
                {"messaging_product": "whatsapp", "status": "read", "message_id": message_id},
                attempts=1,
            )
        except SendFailed as error:
            logger.debug("Could not mark a message read: %s", error)

    async def close(self) -> None:
        await self._client.aclose()

    async def _post(self, body: dict[str, Any], attempts: int | None = None) -> dict:
        attempts = attempts or self.attempts
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                response = await self._client.post(self.url, json=body)
            except httpx.HTTPError as error:
                if last:
                    raise SendFailed(f"network: {type(error).__name__}") from None
                await self._wait("network error", type(error).__name__, self.backoff, attempt)
                continue
            if response.status_code < 300:
                try:
                    return response.json()
                except ValueError:
                    return {}
            code, message = _error_of(response)
            if code == TOKEN:
                raise TokenRefused(message, code)
            if code in RATE_CODES or response.status_code == 429:
                if last:
                    raise SendFailed(f"rate limit {code}: {message}", code)
                await self._wait("rate limit", code, self.rate_backoff, attempt)
                continue
            if response.status_code >= 500:
                if last:
                    raise SendFailed(f"HTTP {response.status_code}", code)
                await self._wait("server error", response.status_code, self.backoff, attempt)
                continue
            raise Refused(f"{code}: {message}", code)
        raise SendFailed("no attempt made")  # attempts < 1

    async def _wait(self, what: str, detail: Any, base: float, attempt: int) -> None:
        delay = base * 2 ** (attempt - 1)
        logger.warning("WhatsApp %s (%s): retrying in %.1f s", what, detail, delay)
        await asyncio.sleep(delay)


def _error_of(response: httpx.Response) -> tuple[int | None, str]:
    """Meta's error code and message (``{"error": {"code": 131047, "message": ...}}``)."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return None, f"HTTP {response.status_code}"
    code = error.get("code") if isinstance(error, dict) else None
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    return (code if isinstance(code, int) else None), message[:200]
