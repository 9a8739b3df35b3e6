"""Two Rasa processes sharing one tracker store (RASA_PROCESSES=2): each tourist
is answered by one of them; when that one is killed mid-conversation the other
answers within the 5-second budget and the conversation goes on ("et le prix ?"
still knows the place), and no message is answered twice."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import replace

import pytest

from bot import services
from bot.core.assistant import Assistant
from bot.core.pseudonym import pseudonym
from bot.core.rasa_client import RasaClient
from bot.core.user_memory import UserMemory
from curated.live import LiveContent
from testkit.rasa import warm_rasa

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def two_processes(settings, model, tmp_path_factory):
    own = replace(settings, var_dir=tmp_path_factory.mktemp("two-rasa"))
    with services.Services(own, model, rasa_processes=2) as started:
        asyncio.run(warm_rasa(started.rasa_urls))
        yield own, started


def test_a_tourist_whose_rasa_process_dies_goes_on_with_the_other(two_processes, content):
    settings, started = two_processes
    assert len(started.rasa_urls) == 2
    memory = UserMemory(settings.var_dir / "bot.db")
    # Time enough for a loaded machine; a process that failed stays aside for the test.
    rasa = RasaClient(started.rasa_urls, timeout=60.0, down_seconds=3600.0)
    assistant = Assistant(rasa, memory, b"key", LiveContent(settings.content_dir))
    names = dict(zip(started.rasa_urls, ("rasa", "rasa-2"), strict=True))

    async def conversation():
        try:
            first = await assistant.handle("test", "tourist-1", "comment aller à la Féclaz ?")
            serving = rasa.route(pseudonym(b"key", "test", "tourist-1"))[0]
            os.kill(started.process(names[serving]).pid, signal.SIGKILL)
            follow_up = await assistant.handle("test", "tourist-1", "et le prix ?")
            return first, follow_up, serving, rasa.route(pseudonym(b"key", "test", "tourist-1"))
        finally:
            await rasa.close()

    try:
        first, follow_up, killed, route = asyncio.run(conversation())
    finally:
        memory.close()
    assert not first.failed and not follow_up.failed
    assert route[-1] == killed  # answered by the other process, not after a restart
    prices = content.places["bauges"].topics["prices"].text["fr"]
    assert sum(prices in r.text for r in follow_up.replies) == 1  # the place kept, answered once
