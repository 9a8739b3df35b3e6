"""The login throttle (review/throttle.py) on a clock the tests move by hand.

tests/test_review_routes.py sends the same floods to the served app at once.
"""

from __future__ import annotations

import threading

import pytest

from review import throttle
from review.throttle import Attempt, LoginThrottle, Refusal, client_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def limits(clock):
    return LoginThrottle(clock=clock)


def _fail(limits, address, account, times):
    """``times`` wrong attempts in a row; what each was answered."""
    return [limits.begin(address, account) for _ in range(times)]


def test_an_address_gets_its_failures_then_waits_for_the_oldest_to_expire(limits, clock):
    for i in range(throttle.ADDRESS_MAX_FAILURES):
        assert isinstance(limits.begin("203.0.113.7", f"name{i}"), Attempt)
        clock.now += 1
    refused = limits.begin("203.0.113.7", "another")
    assert isinstance(refused, Refusal) and refused.why == "address"
    assert refused.seconds == throttle.ADDRESS_WINDOW - throttle.ADDRESS_MAX_FAILURES
    assert isinstance(limits.begin("198.51.100.1", "another"), Attempt)  # other address
    clock.now += refused.retry_after
    assert isinstance(limits.begin("203.0.113.7", "another"), Attempt)


def test_an_account_is_slowed_down_with_doubling_delays_never_locked(limits, clock):
    for i in range(throttle.ACCOUNT_FREE_FAILURES):
        assert isinstance(limits.begin(f"192.0.2.{i}", "alice"), Attempt)
    delays = []
    for i in range(8):
        refused = limits.begin(f"198.51.100.{i}", "alice")
        assert isinstance(refused, Refusal) and refused.why == "account"
        delays.append(refused.retry_after)
        clock.now += refused.retry_after
        assert isinstance(limits.begin(f"198.51.100.{i}", "alice"), Attempt)
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]
    clock.now += throttle.ACCOUNT_WINDOW + 1  # old failures forgotten
    assert all(isinstance(a, Attempt) for a in _fail(limits, "192.0.2.99", "alice", 5))


def test_simultaneous_attempts_take_their_places_before_any_check(limits):
    answers = _fail(limits, "192.0.2.1", "alice", 100)  # none has been checked yet
    assert sum(isinstance(a, Attempt) for a in answers) == throttle.ACCOUNT_FREE_FAILURES
    places, barrier = [], threading.Barrier(50)

    def guess(i):
        barrier.wait()
        places.append(limits.begin("192.0.2.2", f"name{i}"))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(a, Attempt) for a in places) == throttle.ADDRESS_MAX_FAILURES


def test_refused_attempts_count_for_nothing(limits, clock):
    _fail(limits, "192.0.2.1", "alice", throttle.ACCOUNT_FREE_FAILURES)
    for _ in range(1000):
        assert isinstance(limits.begin("192.0.2.1", "alice"), Refusal)
    clock.now += 1
    assert isinstance(limits.begin("198.51.100.1", "alice"), Attempt)


def test_the_right_password_clears_the_account_and_frees_its_place(limits, clock):
    _fail(limits, "192.0.2.1", "alice", throttle.ACCOUNT_FREE_FAILURES - 1)
    right = limits.begin("192.0.2.1", "alice")
    limits.succeeded(right)
    assert all(isinstance(a, Attempt) for a in _fail(limits, "192.0.2.1", "alice", 5))
    # on the address, only the failures stay counted
    answers = _fail(limits, "192.0.2.1", "bob", 2)
    assert isinstance(answers[0], Attempt) and isinstance(answers[1], Refusal)
    assert answers[1].why == "address"


def test_forgotten_keys_are_swept(limits, clock):
    for i in range(500):
        limits.begin(f"10.0.{i // 250}.{i % 250}", f"name{i}")
    assert limits.tracked() == 1000
    clock.now += throttle.ACCOUNT_WINDOW + throttle.SWEEP_SECONDS
    limits.begin("192.0.2.1", "alice")
    assert limits.tracked() == 2


@pytest.mark.parametrize(
    "remote, forwarded, trust, key",
    [
        ("192.0.2.1", "", False, "192.0.2.1"),
        ("127.0.0.1", "203.0.113.9", False, "127.0.0.1"),  # header not trusted
        ("127.0.0.1", "198.51.100.5, 203.0.113.9", True, "203.0.113.9"),  # proxy's entry
        ("127.0.0.1", "", True, "127.0.0.1"),
        ("2001:db8:1:2:aaaa::1", "", False, "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::2", "", False, "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "", False, "192.0.2.1"),
        (None, "", False, "unknown"),
    ],
)
def test_client_key(remote, forwarded, trust, key):
    assert client_key(remote, forwarded, trust) == key
