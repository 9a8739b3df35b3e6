"""The delivery store on Redis, shared by several channel processes (REDIS_URL).

Same questions as :class:`bot.core.dedup.DedupStore` (was this platform message
received before? answered?), asked of one Redis so that a WeChat or WhatsApp
retry reaching another channel process is still dropped. Each delivery is a
hash ``deliveries:<channel>:<message id>`` kept two days; the ones not yet
answered are also in the sorted set ``deliveries:<channel>:unanswered``.

Several processes share the store, so at start a process hands back only the
deliveries left unanswered for more than ``RESUME_AFTER_SECONDS``: a message
another live process is answering right now is not answered twice.

When Redis does not answer, the channel keeps answering: deliveries go to the
SQLite store of this process (``var/deliveries.db``), the log says so once, and
Redis is tried again every ``RETRY_SECONDS``. A message first received during
the outage is still known to this process once Redis is back.
"""

from __future__ import annotations

import logging
import threading
import time

import redis

from bot.core.dedup import KEEP_SECONDS, MAX_ATTEMPTS, DedupStore

logger = logging.getLogger(__name__)

RESUME_AFTER_SECONDS = 30.0
RETRY_SECONDS = 10.0
TIMEOUT_SECONDS = 0.5  # one Redis call; beyond it the local store answers

# Atomic "first time?": creates the hash and the unanswered entry only when new.
_RECEIVE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'received_at', ARGV[1], 'payload', ARGV[2], 'attempts', 0)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[4])
return 1
"""


class RedisDedupStore:
    def __init__(self, url: str, fallback: DedupStore, resume_after: float = RESUME_AFTER_SECONDS):
        self._redis = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
        )
        self._receive = self._redis.register_script(_RECEIVE)
        self.fallback = fallback
        self.resume_after = resume_after
        self._down_since: float | None = None
        self._used_fallback = False
        self._lock = threading.Lock()

    # The store's questions (the same as DedupStore's)

    def receive(self, channel: str, message_id: str, payload: str | None = None) -> bool:
        if self._used_fallback and self.fallback.seen(channel, message_id):
            return False
        new = self._on_redis(
            lambda: self._receive(
                keys=[_key(channel, message_id), _pending(channel)],
                args=[time.time(), payload or "", int(KEEP_SECONDS), message_id],
            )
        )
        if new is None:
            return self.fallback.receive(channel, message_id, payload)
        return bool(new)

    def answered(self, channel: str, message_id: str) -> None:
        def mark() -> bool:
            pipe = self._redis.pipeline()
            pipe.hset(
                _key(channel, message_id), mapping={"answered_at": time.time(), "payload": ""}
            )
            pipe.zrem(_pending(channel), message_id)
            pipe.execute()
            return True

        if self._on_redis(mark) is None or self._used_fallback:
            self.fallback.answered(channel, message_id)

    def is_answered(self, channel: str, message_id: str) -> bool:
        found = self._on_redis(
            lambda: self._redis.hexists(_key(channel, message_id), "answered_at")
        )
        if found is None or (not found and self._used_fallback):
            return self.fallback.is_answered(channel, message_id)
        return bool(found)

    def unanswered(self, channel: str) -> tuple[list[tuple[str, str]], list[str]]:
        """Deliveries unanswered for more than ``resume_after`` seconds, as DedupStore gives them."""
        local = self.fallback.unanswered(channel)
        remote = self._on_redis(lambda: self._unanswered(channel))
        if remote is None:
            return local
        return local[0] + remote[0], local[1] + remote[1]

    def forget_old(self, keep_seconds: float = KEEP_SECONDS) -> None:
        self.fallback.forget_old(keep_seconds)  # Redis forgets by itself (EXPIRE)

    def close(self) -> None:
        self._redis.close()
        self._redis.connection_pool.disconnect()
        self.fallback.close()

    # Redis, or the local store while Redis is down

    def _unanswered(self, channel: str) -> tuple[list[tuple[str, str]], list[str]]:
        before = time.time() - self.resume_after
        ids = [m.decode() for m in self._redis.zrangebyscore(_pending(channel), "-inf", before)]
        retry, given_up = [], []
        for message_id in ids:
            key = _key(channel, message_id)
            attempts = self._redis.hincrby(key, "attempts", 1)
            payload = self._redis.hget(key, "payload")
            if payload is None:  # expired
                self._redis.zrem(_pending(channel), message_id)
            elif attempts > MAX_ATTEMPTS:
                given_up.append(message_id)
                self._redis.hset(key, "answered_at", time.time())
                self._redis.zrem(_pending(channel), message_id)
            else:
                retry.append((message_id, payload.decode()))
        return retry, given_up

    def _on_redis(self, call):
        """The call's result, or None when Redis is down (then the local store answers)."""
        with self._lock:
            if self._down_since is not None and time.monotonic() - self._down_since < RETRY_SECONDS:
                return None
        try:
            result = call()
        except (redis.ConnectionError, redis.TimeoutError) as error:
            with self._lock:
                if self._down_since is None:
                    logger.error(
                        "Redis is not answering (%s): deliveries are kept in %s until it is back",
                        error,
                        self.fallback.path,
                    )
                self._down_since = time.monotonic()
                self._used_fallback = True
            return None
        with self._lock:
            if self._down_since is not None:
                logger.warning("Redis answers again: deliveries are shared again")
                self._down_since = None
        return result


def _key(channel: str, message_id: str) -> str:
    return f"deliveries:{channel}:{message_id}"


def _pending(channel: str) -> str:
    return f"deliveries:{channel}:unanswered"
