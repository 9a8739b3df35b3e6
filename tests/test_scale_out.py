"""The assistant scaled out as an operator runs it: two Rasa processes on one real
PostgreSQL tracker store and a real Redis lock store (TRACKER_STORE_URL,
REDIS_URL, RASA_PROCESSES=2), the servers from Debian's packages on loopback.

A conversation goes on whichever process answers it, in order, once; Redis
stopping changes nothing a tourist sees; PostgreSQL restarting costs the
turns asked while it is down ("unavailable, try again"), every turn is in the
conversation log, and the conversation keeps its place afterwards."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from dataclasses import replace

import pytest
import sqlalchemy as sa

from bot import services
from bot.core.assistant import Assistant
from bot.core.conversation_log import ANSWERED, UNAVAILABLE, ConversationLog
from bot.core.pseudonym import pseudonym
from bot.core.rasa_client import RasaClient
from bot.core.user_memory import UserMemory
from curated.live import LiveContent
from testkit.rasa import warm_rasa
from testkit.servers import PostgresServer, RedisServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    postgres = PostgresServer().start()
    redis_server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield postgres, redis_server
    redis_server.remove()
    postgres.remove()


@pytest.fixture(scope="module")
def scaled(settings, model, servers, tmp_path_factory):
    postgres, redis_server = servers
    own = replace(
        settings,
        var_dir=tmp_path_factory.mktemp("scaled"),
        tracker_store_url=postgres.create_database("tracker"),
        redis_url=redis_server.url,
    )
    with services.Services(own, model, rasa_processes=2) as started:
        asyncio.run(warm_rasa(started.rasa_urls))
        yield own, started


def user_texts(settings, sender):
    """The tourist's messages in the shared tracker store, in the order Rasa handled them."""
    engine = sa.create_engine(settings.tracker_store)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT type_name, data FROM events WHERE sender_id = :s "
                    "AND type_name IN ('user', 'bot') ORDER BY id"
                ),
                {"s": sender},
            ).fetchall()
    finally:
        engine.dispose()
    return [(kind, json.loads(data).get("text")) for kind, data in rows]


async def ask(url, sender, text):
    client = RasaClient(url, timeout=10.0)
    try:
        return " ".join(
            r.get("text", "") for r in await client.send(sender, text, {"language": "fr"})
        )
    finally:
        await client.close()


def test_a_conversation_moving_between_processes_keeps_its_place(scaled, content):
    _, started = scaled
    first, second = started.rasa_urls

    async def back_and_forth():
        await ask(first, "mover", "comment aller à Chamonix ?")
        await ask(second, "mover", "comment aller à Chongli ?")
        return await ask(first, "mover", "et le prix ?")  # the first process saw Chamonix last

    answer = asyncio.run(back_and_forth())
    assert content.places["chongli"].topics["prices"].text["fr"] in answer
    assert content.places["mont_blanc"].topics["prices"].text["fr"] not in answer


def test_two_messages_at_the_same_instant_on_two_processes_are_answered_in_turn(scaled, content):
    settings, started = scaled
    first, second = started.rasa_urls

    async def at_once():
        return await asyncio.gather(
            ask(first, "hasty", "comment aller à la Féclaz ?"),
            ask(second, "hasty", "comment aller à Badaling ?"),
        )

    replies = asyncio.run(at_once())
    events = user_texts(settings, "hasty")
    assert all(replies), replies
    assert len(events) >= 4
    kinds = [kind for kind, _ in events]
    assert kinds.count("user") == 2
    second_user = kinds.index("user", 1)
    assert "bot" in kinds[1:second_user]  # the first message was answered before the second began


def test_with_redis_stopped_tourists_are_answered_and_rasa_says_so(scaled, servers, content):
    settings, started = scaled
    _, redis_server = servers
    rasa = RasaClient(started.rasa_urls, timeout=5.0)
    memory = UserMemory(settings.var_dir / "bot.db")
    assistant = Assistant(rasa, memory, b"key", LiveContent(settings.content_dir))

    async def conversation():
        try:
            before = await assistant.handle("test", "no-redis", "comment aller à Chongli ?")
            redis_server.stop()
            during = await assistant.handle("test", "no-redis", "et le prix ?")
            redis_server.start()
            after = await assistant.handle("test", "no-redis", "comment aller à Badaling ?")
            return before, during, after
        finally:
            await rasa.close()

    try:
        before, during, after = asyncio.run(conversation())
    finally:
        memory.close()
    assert not (before.failed or during.failed or after.failed)
    prices = content.places["chongli"].topics["prices"].text["fr"]
    assert any(prices in r.text for r in during.replies)
    logs = "".join(p.read_text(errors="replace") for p in settings.log_dir.glob("rasa*.log"))
    assert "Redis lock store unreachable" in logs


def test_a_postgresql_restart_costs_only_the_turns_asked_while_it_is_down(scaled, servers, content):
    settings, started = scaled
    postgres, _ = servers
    rasa = RasaClient(started.rasa_urls, timeout=5.0)
    memory = UserMemory(settings.var_dir / "bot.db")
    log = ConversationLog(settings.var_dir / "conversations.db")
    assistant = Assistant(rasa, memory, b"key", LiveContent(settings.content_dir), log)
    sender = "pg-restart"

    async def conversation():
        try:
            answers = [await assistant.handle("test", sender, "comment aller à la Féclaz ?")]
            postgres.stop()
            answers.append(await assistant.handle("test", sender, "comment aller à Chongli ?"))
            answers.append(await assistant.handle("test", sender, "et les horaires ?"))
            postgres.start()
            answers.append(await assistant.handle("test", sender, "et le prix ?"))
            return answers
        finally:
            await rasa.close()

    try:
        answers = asyncio.run(conversation())
        turns = log.turns(pseudonym(b"key", "test", sender))
    finally:
        log.close()
        memory.close()
    assert [a.failed for a in answers] == [False, True, True, False]
    unavailable = content.phrase("unavailable", "fr")
    assert all(unavailable == a.replies[0].text for a in answers[1:3])
    # Chongli was asked while the database was down: the place is still la Féclaz.
    assert content.places["bauges"].topics["prices"].text["fr"] in answers[3].replies[0].text
    assert [t["outcome"] for t in turns] == [ANSWERED, UNAVAILABLE, UNAVAILABLE, ANSWERED]
    assert [t["text_in"] for t in turns][1] == "comment aller à Chongli ?"


def test_a_tourist_whose_process_is_killed_goes_on_with_the_other_once(scaled, content):
    settings, started = scaled
    # Time enough for a loaded machine; a process that failed stays aside for the test.
    rasa = RasaClient(started.rasa_urls, timeout=60.0, down_seconds=3600.0)
    memory = UserMemory(settings.var_dir / "bot.db")
    assistant = Assistant(rasa, memory, b"key", LiveContent(settings.content_dir))
    names = dict(zip(started.rasa_urls, ("rasa", "rasa-2"), strict=True))
    sender = pseudonym(b"key", "test", "killed")

    async def conversation():
        try:
            first = await assistant.handle("test", "killed", "comment aller à la Féclaz ?")
            killed = rasa.route(sender)[0]
            os.kill(started.process(names[killed]).pid, signal.SIGKILL)
            follow_up = await assistant.handle("test", "killed", "et le prix ?")
            return first, follow_up, killed, rasa.route(sender)
        finally:
            await rasa.close()

    try:
        first, follow_up, killed, route = asyncio.run(conversation())
    finally:
        memory.close()
    assert not first.failed and not follow_up.failed
    assert route[-1] == killed  # answered by the other process, not after a restart
    prices = content.places["bauges"].topics["prices"].text["fr"]
    assert sum(prices in r.text for r in follow_up.replies) == 1
    asked = [text for kind, text in user_texts(settings, sender) if kind == "user"]
    assert asked == ["comment aller à la Féclaz ?", "et le prix ?"]  # none lost, none twice
