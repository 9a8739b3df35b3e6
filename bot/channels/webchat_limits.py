"""How many messages the web chat takes from one conversation and one address.

A page anyone can open is a page anyone can script: each conversation and
each client address has a token bucket (a burst, then a steady rate), and a
request over either limit is answered 429 with how many seconds to wait.
Buckets that have refilled are forgotten, so the tables stay as small as the
number of tourists writing right now. Kept per process: with several workers
each has its own (a worker's share of a flood, not an exact count).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    burst: int  # requests at once
    per_second: float  # then this many a second

    @property
    def unlimited(self) -> bool:
        return self.burst <= 0


@dataclass(frozen=True)
class Limits:
    """The web chat's limits; ``Limits.off()`` for benchmarks from one address."""

    conversation: Rate = Rate(burst=8, per_second=0.5)  # 8 at once, then one every 2 s
    address: Rate = Rate(burst=40, per_second=2.0)  # an office's Wi-Fi: many tourists, one address
    new_conversations: Rate = Rate(burst=10, per_second=0.2)  # per address

    @classmethod
    def off(cls) -> Limits:
        none = Rate(0, 0.0)
        return cls(none, none, none)


class Buckets:
    """Token buckets by key: ``take(key)`` is 0 when allowed, else the seconds to wait."""

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.clock = clock
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # key: (tokens, at)
        self._swept = clock()

    def take(self, key: Hashable) -> float:
        if self.rate.unlimited:
            return 0.0
        now = self.clock()
        self._sweep(now)
        tokens, at = self._buckets.get(key, (float(self.rate.burst), now))
        tokens = min(float(self.rate.burst), tokens + (now - at) * self.rate.per_second)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate.per_second if self.rate.per_second else math.inf

    def _sweep(self, now: float) -> None:
        """Drops the buckets full again (no use keeping them), at most once a minute."""
        if now - self._swept < 60:
            return
        self._swept = now
        full_after = self.rate.burst / self.rate.per_second if self.rate.per_second else math.inf
        stale = [k for k, (_tokens, at) in self._buckets.items() if now - at > full_after]
        for key in stale:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


def client_address(
    remote: str | None, forwarded_for: str = "", trust_forwarded: bool = False
) -> str:
    """The address a client is limited by.

    Behind a reverse proxy that appends the client's address to
    X-Forwarded-For (``WEBCHAT_TRUST_FORWARDED_FOR=1``) the last entry of
    that header, since every request then comes from the proxy. IPv6 clients
    are grouped by /64 (one subscriber's share); IPv4-mapped addresses read as IPv4.
    """
    text = remote or ""
    if trust_forwarded and forwarded_for:
        text = forwarded_for.split(",")[-1].strip() or text
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text[:100] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
