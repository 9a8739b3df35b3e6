"""The part of WeChat's server API the channel uses: access token, customer-service
messages, the menu.

The access token (valid about two hours) is fetched with a timeout and kept
until REFRESH_MARGIN before it expires. One refresher at a time: requests
that need a token while it is being fetched wait for that one fetch. A call
refused with 40001, 42001 or 40014 (token invalid, expired or malformed,
e.g. another process of the same account fetched a new one) gets exactly one
new token and is tried once more. Any other error is raised as
:class:`WeChatError` with WeChat's code: the channel logs it and marks the turn
undelivered (45015: the user has not written for 48 hours; 45047: the quota
of messages without a reply from the user is used up). Nothing is retried in
a loop.

Several processes of one account share the token through Redis
(``wechat_token_store.py``, when REDIS_URL is set), so they do not invalidate
each other's.

Bodies are sent as UTF-8 JSON without ``\\u`` escapes: WeChat shows escaped
Chinese literally on some endpoints (the menu).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp

from bot.channels.wechat_token_store import RedisTokenStore

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
REFRESH_MARGIN = 300.0  # seconds before expiry when a token is fetched again
STALE_TOKEN = frozenset({40001, 42001, 40014})
WINDOW_CLOSED = 45015  # the user wrote more than 48 hours ago
QUOTA = 45047  # too many messages since the user last wrote


class WeChatError(Exception):
    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(f"WeChat error {code}: {message}")
        self.code = code


class WeChatApi:
    def __init__(
        self,
        base_url: str,
        app_id: str,
        app_secret: str,
        timeout: float = TIMEOUT_SECONDS,
        shared: RedisTokenStore | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._shared = shared
        self.app_id = app_id
        self._secret = app_secret
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock: asyncio.Lock | None = None

    # The token

    async def access_token(self) -> str:
        if self._token and time.monotonic() < self._expires_at:
            return self._token
        return await self._refresh(self._token)

    async def _refresh(self, stale: str | None) -> str:
        """A new token, unless another caller already replaced ``stale`` meanwhile."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._token and self._token != stale and time.monotonic() < self._expires_at:
                return self._token
            if self._shared is not None:
                token, seconds = await self._shared.replace(stale, self._fetch)
            else:
                token, seconds = await self._fetch()
            self._token = token
            self._expires_at = time.monotonic() + seconds
            return token

    async def _fetch(self) -> tuple[str, float]:
        """A new token from WeChat, and how long to use it (REFRESH_MARGIN before it expires)."""
        data = await self._request(
            "GET",
            "/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": self.app_id,
                "secret": self._secret,
            },
        )
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise WeChatError(int(data.get("errcode") or -1), str(data.get("errmsg", "")))
        expires_in = float(data.get("expires_in") or 7200)
        logger.info("New WeChat access token, valid %.0f s", expires_in)
        return token, max(expires_in - REFRESH_MARGIN, expires_in / 2)

    # Calls

    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST ``payload`` to ``path`` with the token; one new token on a stale one."""
        token = await self.access_token()
        data = await self._post(path, token, payload)
        if _code(data) in STALE_TOKEN:
            logger.warning("WeChat refused the access token (%s): fetching a new one", _code(data))
            token = await self._refresh(token)
            data = await self._post(path, token, payload)
        if _code(data):
            raise WeChatError(_code(data), str(data.get("errmsg", "")))
        return data

    async def send_text(self, open_id: str, text: str) -> None:
        """A customer-service message (within 48 hours of the user's last message)."""
        await self.call(
            "/cgi-bin/message/custom/send",
            {"touser": open_id, "msgtype": "text", "text": {"content": text}},
        )

    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self.call("/cgi-bin/menu/create", menu)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._shared is not None:
            await self._shared.close()

    # HTTP

    async def _post(self, path: str, token: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return await self._request(
            "POST",
            path,
            params={"access_token": token},
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.request(method, self.base_url + path, **kwargs) as response:
                text = await response.text()
                if response.status != 200:
                    raise WeChatError(-response.status, "HTTP status")
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            # The URL holds the secret or the token: name the path only.
            raise WeChatError(-1, f"{path} unreachable ({type(error).__name__})") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise WeChatError(-1, f"{path} answered something else than JSON") from None
        if not isinstance(data, dict):
            raise WeChatError(-1, f"{path} answered something else than an object")
        return data


def _code(data: dict[str, Any]) -> int:
    try:
        return int(data.get("errcode") or 0)
    except (TypeError, ValueError):
        return -1
