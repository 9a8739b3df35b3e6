"""The WeChat access token shared by several channel processes, on Redis (REDIS_URL).

WeChat gives one valid access token per account at a time: a process that
fetches a new one invalidates the one another process holds (which then gets
40001 and fetches again, and so on). With REDIS_URL set, every process reads
the token from Redis; the one that finds it missing or stale takes a short
lock, fetches it once and stores it with its lifetime, and the others wait for
it. Without Redis each process keeps its own token (one process per account).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable

import redis.asyncio as redis

LOCK_SECONDS = 15.0  # longer than one token request (its timeout is 10 s)
POLL_SECONDS = 0.1

Fetch = Callable[[], Awaitable[tuple[str, float]]]  # (token, seconds it stays valid)


class RedisTokenStore:
    def __init__(self, url: str, app_id: str) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._key = f"wechat:access-token:{app_id}"
        self._lock_key = f"wechat:access-token-lock:{app_id}"

    async def get(self) -> tuple[str, float] | None:
        """The shared token and how many seconds it stays valid, if there is one."""
        pipe = self._redis.pipeline()
        pipe.get(self._key)
        pipe.pttl(self._key)
        token, milliseconds = await pipe.execute()
        if token is None or milliseconds is None or milliseconds <= 0:
            return None
        return token.decode(), milliseconds / 1000

    async def replace(self, stale: str | None, fetch: Fetch) -> tuple[str, float]:
        """A token other than ``stale``: the shared one if another process already
        replaced it, else one fetched here, under the lock, and shared."""
        owner = uuid.uuid4().hex
        deadline = time.monotonic() + LOCK_SECONDS
        while True:
            current = await self.get()
            if current is not None and current[0] != stale:
                return current
            if await self._redis.set(self._lock_key, owner, nx=True, px=int(LOCK_SECONDS * 1000)):
                break
            if time.monotonic() > deadline:
                break  # the holder died mid-fetch: fetch anyway
            await asyncio.sleep(POLL_SECONDS)
        try:
            token, seconds = await fetch()
            await self._redis.set(self._key, token, px=max(1, int(seconds * 1000)))
            return token, seconds
        finally:
            if await self._redis.get(self._lock_key) == owner.encode():
                await self._redis.delete(self._lock_key)

    async def close(self) -> None:
        await self._redis.close()  # redis 4.6: close() is the coroutine
        await self._redis.connection_pool.disconnect()  # and leaves the pool's sockets open
