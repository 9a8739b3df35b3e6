"""Talking to Rasa: a Rasa that is restarting is waited for, a slow one is not retried."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from bot.core.rasa_client import RasaClient, RasaUnavailable


async def serve(
    port: int = 0, calls: list | None = None, answer=None, answer_when: asyncio.Event | None = None
) -> tuple[web.AppRunner, str]:
    """A Rasa REST channel on loopback (``port`` 0: a free one); the runner and its URL.
    It records each message in ``calls`` and answers once ``answer_when`` is set."""
    calls = calls if calls is not None else []
    answer = [{"recipient_id": "u", "text": "ok"}] if answer is None else answer

    async def webhook(request):
        calls.append(await request.json())
        if answer_when is not None:
            await answer_when.wait()
        return web.json_response(answer)

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def test_a_rasa_coming_back_within_the_timeout_still_answers(reserve_port, caplog):
    port = reserve_port()
    client = RasaClient(f"http://127.0.0.1:{port}", timeout=60)
    asked = asyncio.create_task(client.send("u", "bonjour", {"language": "fr"}))
    runner = None
    try:
        while "Rasa refused the connection; retrying" not in caplog.text:  # Rasa is not there
            assert not asked.done(), asked
            await asyncio.sleep(0.01)
        runner, _url = await serve(port)  # ...and comes back
        assert await asked == [{"recipient_id": "u", "text": "ok"}]
    finally:
        asked.cancel()
        await client.close()
        if runner is not None:
            await runner.cleanup()


async def test_a_slow_rasa_is_not_asked_twice():
    calls, never = [], asyncio.Event()
    runner, url = await serve(calls=calls, answer_when=never)
    client = RasaClient(url, timeout=1)
    try:
        with pytest.raises(RasaUnavailable):
            await asyncio.wait_for(client.send("u", "bonjour", {"language": "fr"}), 60)
        assert len(calls) == 1  # the client gave up without asking again
    finally:
        never.set()
        await client.close()
        await runner.cleanup()


@pytest.mark.parametrize(
    "answer", [[], [{"recipient_id": "u"}]], ids=["nothing", "nothing-to-read"]
)
async def test_an_answer_with_nothing_to_read_is_a_failure(answer):
    # What Rasa returns when the action it predicted failed (action server down).
    runner, url = await serve(answer=answer)
    client = RasaClient(url, timeout=5)
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

    runner, url = await serve(answer=[])
    rasa = RasaClient(url, timeout=5)
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
    """One Rasa process on loopback that says which process answered; on a free port
    of its own unless ``port`` is given (a reserved one, to start it again there)."""

    def __init__(self, name: str, port: int = 0) -> None:
        self.name, self.port, self.senders = name, port, []
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
        self.port = self.runner.addresses[0][1]
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


async def test_a_user_whose_process_stops_is_answered_by_the_other_at_once_and_comes_back(
    reserve_port, caplog
):
    now = [1000.0]  # the client's clock, moved by the test
    a, b = await FakeRasa("a", reserve_port()).start(), await FakeRasa("b").start()
    client = RasaClient([a.url, b.url], timeout=5, down_seconds=5, clock=lambda: now[0])
    try:
        user = next(f"user{i}" for i in range(50) if client.route(f"user{i}")[0] == a.url)
        assert await answered_by(client, user) == "a"
        await a.stop()
        assert await answered_by(client, user) == "b"
        assert "retrying" not in caplog.text  # at once: no wait before asking the other
        revived = await FakeRasa("a", a.port).start()
        now[0] += 4.9
        assert await answered_by(client, user) == "b"  # left aside for down_seconds...
        now[0] += 0.2
        assert await answered_by(client, user) == "a"  # ...then tried again
        await revived.stop()
    finally:
        await client.close()
        await b.stop()
