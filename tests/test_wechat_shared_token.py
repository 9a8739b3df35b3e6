"""Two channel processes of one Official Account share its access token on Redis
(REDIS_URL): WeChat keeps only the newest token valid, so two processes each
fetching their own would keep invalidating each other's."""

from __future__ import annotations

import asyncio

import pytest

from bot.channels.wechat_api import WeChatApi
from bot.channels.wechat_token_store import RedisTokenStore
from testkit.fake_wechat import FakeWeChatApi
from testkit.servers import RedisServer


@pytest.fixture
def api():
    server = FakeWeChatApi().start()
    yield server
    server.stop()


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.remove()


def process(api, redis_url=None):
    shared = RedisTokenStore(redis_url, api.app_id) if redis_url else None
    return WeChatApi(api.base_url, api.app_id, api.app_secret, shared=shared)


async def both_send(first, second, follower):
    await asyncio.gather(
        *(first.send_text(follower, f"一{i}") for i in range(5)),
        *(second.send_text(follower, f"二{i}") for i in range(5)),
    )
    await first.close()
    await second.close()


def test_two_processes_sharing_redis_fetch_one_token_and_every_message_goes(api, redis_server):
    asyncio.run(both_send(process(api, redis_server.url), process(api, redis_server.url), "o1"))
    assert api.token_requests == 1
    assert len(api.sent("o1")) == 10
    assert api.refused() == []


def test_a_token_refused_by_wechat_is_replaced_once_for_both(api, redis_server):
    async def run():
        first, second = process(api, redis_server.url), process(api, redis_server.url)
        await first.send_text("o2", "你好")
        api.fail_next("custom/send", 40001)  # WeChat invalidated the token
        await asyncio.gather(first.send_text("o2", "一"), second.send_text("o2", "二"))
        await first.close()
        await second.close()

    asyncio.run(run())
    assert api.token_requests == 2  # the first one, and one replacement for both processes
    assert sorted(api.sent("o2")) == sorted(["你好", "一", "二"])
