"""What every channel asks of its store of platform deliveries, and which store it gets.

Two stores answer the same questions: SQLite on this machine
(``bot/core/dedup.py``, the default) and Redis shared by several channel
processes (``bot/core/dedup_redis.py``, when REDIS_URL is set, with the SQLite
file for when Redis is down). Channels are typed against
:class:`DeliveryStore`, and :func:`open_store` chooses; neither store module
imports the other's factory, so the two files do not import each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from bot.core.dedup import KEEP_SECONDS, DedupStore


class DeliveryStore(Protocol):
    def receive(self, channel: str, message_id: str, payload: str | None = None) -> bool:
        """Stores a message as received; False when it was received before."""
        ...

    def answered(self, channel: str, message_id: str) -> None:
        """The message was answered (its raw content is dropped)."""
        ...

    def is_answered(self, channel: str, message_id: str) -> bool: ...

    def unanswered(self, channel: str) -> tuple[list[tuple[str, str]], list[str]]:
        """(message id, raw message) to answer now, oldest first; and the ids given up."""
        ...

    def forget_old(self, keep_seconds: float = KEEP_SECONDS) -> None: ...

    def close(self) -> None: ...


def open_store(var_dir: Path, redis_url: str | None = None) -> DeliveryStore:
    """The delivery store of this process: on Redis when ``redis_url`` is set (with
    ``var_dir/deliveries.db`` for when Redis is down), else that SQLite file."""
    local = DedupStore(var_dir / "deliveries.db")
    if not redis_url:
        return local
    from bot.core.dedup_redis import RedisDedupStore  # imports redis: only when it is used

    return RedisDedupStore(redis_url, local)
