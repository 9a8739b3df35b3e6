"""Login throttling per client address and per account, that cannot be raced.

An attempt takes its place *before* its password is checked, in the same step
as the check of both limits (under one lock, with no ``await`` in between), so
a hundred guesses sent at once are a hundred attempts, not a hundred checks
against a count that has not moved yet. An attempt that turns out right gives
its place back; a wrong one (or one whose request was dropped mid-check) keeps
it. A refused attempt checks no password and counts for nothing, so flooding
does not extend anyone's wait.

- **Per address** (the client's IP; an IPv6 client's /64 network): at most
  ``ADDRESS_MAX_FAILURES`` failed attempts in ``ADDRESS_WINDOW`` seconds; then
  that address waits until its oldest failure leaves the window.
- **Per account name** (whether or not the account exists, so a refusal tells
  nothing about it): ``ACCOUNT_FREE_FAILURES`` failures in ``ACCOUNT_WINDOW``
  seconds are free; after that each attempt must wait 1, 2, 4... seconds after
  the previous one, at most ``ACCOUNT_MAX_DELAY``. Guessing from many
  addresses is slowed to one guess per ``ACCOUNT_MAX_DELAY``, and the owner of
  the account, from another address, waits at most that long: she is slowed
  down, never locked out. Her right password clears the account's failures.

The counts live in the memory of the one server process (``python -m review
serve``); a restart forgets them.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

ADDRESS_MAX_FAILURES = 10
ADDRESS_WINDOW = 300.0
ACCOUNT_FREE_FAILURES = 5
ACCOUNT_WINDOW = 900.0
ACCOUNT_MAX_DELAY = 30.0
SWEEP_SECONDS = 60.0


@dataclass(frozen=True)
class Attempt:
    """A place taken by a login attempt; give it back with ``succeeded``."""

    address: str
    account: str
    at: float


@dataclass(frozen=True)
class Refusal:
    """Try again in ``retry_after`` seconds (``why``: ``address`` or ``account``)."""

    retry_after: float
    why: str

    @property
    def seconds(self) -> int:
        """For a Retry-After header and the message: whole seconds, at least 1."""
        return max(1, math.ceil(self.retry_after))


class LoginThrottle:
    def __init__(
        self,
        address_max_failures: int = ADDRESS_MAX_FAILURES,
        address_window: float = ADDRESS_WINDOW,
        account_free_failures: int = ACCOUNT_FREE_FAILURES,
        account_window: float = ACCOUNT_WINDOW,
        account_max_delay: float = ACCOUNT_MAX_DELAY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.address_max_failures = address_max_failures
        self.address_window = address_window
        self.account_free_failures = account_free_failures
        self.account_window = account_window
        self.account_max_delay = account_max_delay
        self._clock = clock
        self._lock = threading.Lock()
        self._addresses: dict[str, deque[float]] = {}
        self._accounts: dict[str, deque[float]] = {}
        self._swept = clock()

    def begin(self, address: str, account: str) -> Attempt | Refusal:
        """Takes a place for one attempt, or says how long to wait (one atomic step)."""
        with self._lock:
            now = self._clock()
            self._sweep(now)
            by_address = self._recent(self._addresses, address, now - self.address_window)
            by_account = self._recent(self._accounts, account, now - self.account_window)
            waits = []
            if len(by_address) >= self.address_max_failures:
                waits.append(Refusal(by_address[0] + self.address_window - now, "address"))
            if len(by_account) >= self.account_free_failures:
                extra = len(by_account) - self.account_free_failures
                delay = min(2.0 ** min(extra, 32), self.account_max_delay)
                if now < by_account[-1] + delay:
                    waits.append(Refusal(by_account[-1] + delay - now, "account"))
            if waits:
                return max(waits, key=lambda refusal: refusal.retry_after)
            self._addresses.setdefault(address, deque()).append(now)
            self._accounts.setdefault(account, deque()).append(now)
            return Attempt(address, account, now)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the attempt was no failure, the account starts afresh."""
        with self._lock:
            places = self._addresses.get(attempt.address)
            if places is not None:
                try:
                    places.remove(attempt.at)
                except ValueError:
                    pass
                if not places:
                    del self._addresses[attempt.address]
            self._accounts.pop(attempt.account, None)

    def tracked(self) -> int:
        """How many addresses and account names are remembered (for tests)."""
        with self._lock:
            return len(self._addresses) + len(self._accounts)

    @staticmethod
    def _recent(table: dict[str, deque[float]], key: str, since: float) -> deque[float]:
        places = table.get(key)
        if places is None:
            return deque()
        while places and places[0] <= since:
            places.popleft()
        return places

    def _sweep(self, now: float) -> None:
        """Forgets keys with no attempt left in their window, once a minute."""
        if now - self._swept < SWEEP_SECONDS:
            return
        self._swept = now
        for table, window in (
            (self._addresses, self.address_window),
            (self._accounts, self.account_window),
        ):
            stale = [k for k, places in table.items() if not places or places[-1] <= now - window]
            for key in stale:
                del table[key]


def client_key(remote: str | None, forwarded_for: str = "", trust_forwarded: bool = False) -> str:
    """The address a client is throttled by.

    ``remote`` is the peer's address; behind a reverse proxy that appends the
    client's address to X-Forwarded-For (``REVIEW_TRUST_FORWARDED_FOR=1``),
    the last entry of that header is used instead, since every request then
    comes from the proxy. IPv6 clients are grouped by /64 network (one
    subscriber's share), IPv4-mapped IPv6 addresses read as IPv4.
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
