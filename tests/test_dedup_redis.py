"""Several channel processes share one delivery store on Redis (REDIS_URL): a
platform's retry that reaches another process is still answered once, and when
Redis stops the channel keeps answering on its local store and says so."""

from __future__ import annotations

import logging

import pytest

from bot.core import dedup_redis
from bot.core.dedup import DedupStore
from bot.core.dedup_redis import RedisDedupStore
from bot.core.delivery_store import open_store
from testkit.servers import RedisServer


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.remove()


def store(server, tmp_path, name, resume_after=0.0):
    return RedisDedupStore(server.url, DedupStore(tmp_path / f"{name}.db"), resume_after)


def test_a_retry_reaching_another_process_is_not_answered_again(redis_server, tmp_path):
    first, second = store(redis_server, tmp_path, "a"), store(redis_server, tmp_path, "b")
    assert first.receive("wechat", "msg-1", "<xml/>") is True
    assert second.receive("wechat", "msg-1", "<xml/>") is False
    first.answered("wechat", "msg-1")
    assert second.is_answered("wechat", "msg-1")


def test_what_a_stopped_process_left_unanswered_is_handed_back_once_old_enough(
    redis_server, tmp_path
):
    crashed = store(redis_server, tmp_path, "a")
    crashed.receive("whatsapp", "wamid.1", '{"text": "Bonjour"}')
    crashed.receive("whatsapp", "wamid.2", '{"text": "Chamonix"}')
    crashed.answered("whatsapp", "wamid.2")
    busy_elsewhere = store(redis_server, tmp_path, "b", resume_after=60)
    assert busy_elsewhere.unanswered("whatsapp") == ([], [])  # maybe still being answered
    restarted = store(redis_server, tmp_path, "c", resume_after=0)
    assert restarted.unanswered("whatsapp") == ([("wamid.1", '{"text": "Bonjour"}')], [])


def test_with_redis_down_duplicates_are_still_dropped_and_the_log_says_so(
    redis_server, tmp_path, caplog
):
    shared = store(redis_server, tmp_path, "a")
    redis_server.stop()
    with caplog.at_level(logging.ERROR, logger="bot.core.dedup_redis"):
        assert shared.receive("wechat", "msg-2", "<xml/>") is True
        assert shared.receive("wechat", "msg-2", "<xml/>") is False
    assert "Redis is not answering" in caplog.text
    assert str(tmp_path / "a.db") in caplog.text


def test_once_redis_is_back_it_is_shared_again_and_the_outage_is_remembered(
    redis_server, tmp_path, monkeypatch
):
    monkeypatch.setattr(dedup_redis, "RETRY_SECONDS", 0.0)  # Redis is tried at every call
    shared = store(redis_server, tmp_path, "a")
    redis_server.stop()
    assert shared.receive("wechat", "during-outage", "<xml/>") is True
    redis_server.start()  # returns once Redis accepts connections
    assert shared.receive("wechat", "during-outage", "<xml/>") is False  # known locally
    assert shared.receive("wechat", "after", "<xml/>") is True
    other = store(redis_server, tmp_path, "b")
    assert other.receive("wechat", "after", "<xml/>") is False  # on Redis again


def test_without_redis_url_the_store_is_the_local_file(tmp_path):
    local = open_store(tmp_path)
    assert isinstance(local, DedupStore) and local.path == str(tmp_path / "deliveries.db")
    local.close()
