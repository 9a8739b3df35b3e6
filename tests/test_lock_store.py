"""Rasa's lock store on Redis keeps conversations one turn at a time across Rasa
processes, and keeps answering while Redis is down (``rasa_extensions/lock_store.py``)."""

from __future__ import annotations

import asyncio
import logging

import pytest
import redis
from rasa.utils.endpoints import EndpointConfig

from rasa_extensions import endpoints, lock_store
from rasa_extensions.lock_store import FallbackRedisLockStore
from testkit.servers import RedisServer


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.remove()


def store_on(server):
    config = endpoints.redis_lock_store(server.url)
    config.pop("type")
    return FallbackRedisLockStore(EndpointConfig(**config))


async def hold(store, conversation, seconds, order, name):
    async with store.lock(conversation, wait_time_in_seconds=0.01):
        order.append(f"{name} starts")
        await asyncio.sleep(seconds)
        order.append(f"{name} ends")


def test_two_processes_take_turns_on_one_conversation(redis_server):
    first, second = store_on(redis_server), store_on(redis_server)
    order: list[str] = []

    async def both():
        await asyncio.gather(
            hold(first, "tourist", 0.2, order, "first"),
            hold(second, "tourist", 0.0, order, "second"),
        )

    asyncio.run(both())
    assert order == ["first starts", "first ends", "second starts", "second ends"]


def test_the_lock_is_kept_in_redis_while_a_turn_runs(redis_server):
    store = store_on(redis_server)
    client = redis.Redis.from_url(redis_server.url)

    async def look_inside():
        async with store.lock("tourist"):
            return client.keys("*tourist*")

    assert asyncio.run(look_inside())
    client.close()


def test_with_redis_down_turns_go_on_and_the_log_says_so(redis_server, caplog, monkeypatch):
    monkeypatch.setattr(lock_store, "RETRY_SECONDS", 0.0)
    store = store_on(redis_server)
    order: list[str] = []
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="rasa_extensions.lock_store"):
        asyncio.run(hold(store, "tourist", 0.0, order, "during"))
        redis_server.start()
        asyncio.run(hold(store, "tourist", 0.0, order, "after"))
    assert order == ["during starts", "during ends", "after starts", "after ends"]
    assert "Redis lock store unreachable" in caplog.text
    assert "Redis lock store answers again" in caplog.text


def test_two_processes_asking_at_the_same_instant_never_get_the_same_ticket(redis_server):
    import threading

    stores = [store_on(redis_server), store_on(redis_server)]
    collisions = []
    for attempt in range(40):
        barrier = threading.Barrier(2)
        tickets: list[int] = []

        def take(store, conversation=f"tourist-{attempt}", barrier=barrier, tickets=tickets):
            barrier.wait()
            tickets.append(store.issue_ticket(conversation))

        threads = [threading.Thread(target=take, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if len(set(tickets)) != 2:
            collisions.append(attempt)
    assert collisions == []
