"""Talking to Rasa: a Rasa that is restarting is waited for, a slow one is not retried."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web

from bot.core.rasa_client import RasaClient, RasaUnavailable
from bot.services import free_port


async def serve_after(
    port: int, delay: float, answer_after: float = 0.0, calls: list = None, answer=None
) -> web.AppRunner:
    calls = calls if calls is not None else []
    answer = [{"recipient_id": "u", "text": "ok"}] if answer is None else answer

    async def webhook(request):
        calls.append(await request.json())
        await asyncio.sleep(answer_after)
        return web.json_response(answer)

    await asyncio.sleep(delay)
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def test_a_rasa_coming_back_within_the_timeout_still_answers():
    port = free_port()
    client = RasaClient(f"http://127.0.0.1:{port}", timeout=5)
    server = asyncio.create_task(serve_after(port, delay=0.8))
    try:
        replies = await client.send("u", "bonjour", {"language": "fr"})
        assert replies == [{"recipient_id": "u", "text": "ok"}]
    finally:
        await client.close()
        await (await server).cleanup()


async def test_a_slow_rasa_is_not_asked_twice():
    port = free_port()
    calls = []
    runner = await serve_after(port, delay=0, answer_after=2, calls=calls)
    client = RasaClient(f"http://127.0.0.1:{port}", timeout=1)
    started = time.monotonic()
    try:
        with pytest.raises(RasaUnavailable):
            await client.send("u", "bonjour", {"language": "fr"})
        assert time.monotonic() - started < 1.8
        await asyncio.sleep(1.2)
        assert len(calls) == 1
    finally:
        await client.close()
        await runner.cleanup()


@pytest.mark.parametrize(
    "answer", [[], [{"recipient_id": "u"}]], ids=["nothing", "nothing-to-read"]
)
async def test_an_answer_with_nothing_to_read_is_a_failure(answer):
    # What Rasa returns when the action it predicted failed (action server down).
    port = free_port()
    runner = await serve_after(port, delay=0, answer=answer)
    client = RasaClient(f"http://127.0.0.1:{port}", timeout=5)
    try:
        with pytest.raises(RasaUnavailable):
            await client.send("u", "bonjour", {"language": "fr"})
    finally:
        await client.close()
        await runner.cleanup()


async def test_a_failed_action_gets_the_unavailable_phrase_and_a_failed_turn(tmp_path):
    from bot.core.assistant import Assistant
    from bot.core.conversation_log import ConversationLog
    from bot.core.user_memory import UserMemory
    from curated.live import LiveContent
    from settings import ROOT

    port = free_port()
    runner = await serve_after(port, delay=0, answer=[])
    rasa = RasaClient(f"http://127.0.0.1:{port}", timeout=5)
    log = ConversationLog(tmp_path / "conversations.db")
    assistant = Assistant(
        rasa, UserMemory(tmp_path / "bot.db"), b"key", LiveContent(ROOT / "content"), log
    )
    try:
        answer = await assistant.handle("test", "someone", "horaires du tramway du Mont-Blanc ?")
    finally:
        await rasa.close()
        await runner.cleanup()
    assert answer.failed and [r.text for r in answer.replies] == [
        "Le service est momentanément indisponible. Réessayez dans un instant, votre message a bien été reçu."
    ]
    assert [t["outcome"] for t in log.turns()] == ["unavailable"]
    log.close()


# Several Rasa processes


class FakeRasa:
    """One Rasa process on loopback that says which process answered."""

    def __init__(self, name: str) -> None:
        self.name, self.port, self.senders = name, free_port(), []
        self.runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeRasa:
        async def webhook(request):
            body = await request.json()
            self.senders.append(body["sender"])
            return web.json_response([{"recipient_id": body["sender"], "text": self.name}])

        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", webhook)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        await self.runner.cleanup()


async def answered_by(client, sender):
    return (await client.send(sender, "et le prix ?", {"language": "fr"}))[0]["text"]


async def test_each_user_stays_on_one_process_and_users_spread_over_both():
    a, b = await FakeRasa("a").start(), await FakeRasa("b").start()
    client = RasaClient([a.url, b.url], timeout=5)
    try:
        first = {f"user{i}": await answered_by(client, f"user{i}") for i in range(20)}
        again = {f"user{i}": await answered_by(client, f"user{i}") for i in range(20)}
        assert first == again
        assert set(first.values()) == {"a", "b"}
    finally:
        await client.close()
        await a.stop()
        await b.stop()


async def test_a_user_whose_process_stops_is_answered_by_the_other_at_once_and_comes_back():
    a, b = await FakeRasa("a").start(), await FakeRasa("b").start()
    client = RasaClient([a.url, b.url], timeout=5, down_seconds=0.3)
    try:
        user = next(f"user{i}" for i in range(50) if client.route(f"user{i}")[0] == a.url)
        assert await answered_by(client, user) == "a"
        await a.stop()
        started = time.monotonic()
        assert await answered_by(client, user) == "b"
        assert time.monotonic() - started < 1.0
        revived = FakeRasa("a")
        revived.port = a.port
        await revived.start()
        await asyncio.sleep(0.4)  # down_seconds later, the process is tried again
        assert await answered_by(client, user) == "a"
        await revived.stop()
    finally:
        await client.close()
        await b.stop()
