"""Shared fixtures: the real content, the trained model, running services, and
the offline fakes of testkit/ (Bot API, running Telegram bot).

The end-to-end fixtures train the model (``rasa train`` does nothing when the
data did not change) and start Rasa and the action server once per session,
on free loopback ports, with databases in a temporary folder.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

# Before any test module imports Rasa, as a Rasa process does (rasa_extensions/speedups.py).
from rasa_extensions import speedups  # noqa: E402

speedups.import_skops_first()


@pytest.fixture(scope="session", autouse=True)
def kept_sentence_vectors():
    """The content's passage vectors kept in models/ between processes, as
    ``make run``'s action server keeps them (language.meaning.keep_in): the
    tests' action servers and this process encode the content once, not each."""
    from language import meaning

    meaning.keep_in(ROOT / "models")


@pytest.fixture(scope="session")
def content():
    from curated.content import load

    return load(ROOT / "content")


@pytest.fixture
def content_dir(tmp_path) -> Path:
    """A copy of content/ for a test that edits it."""
    import shutil

    copy = tmp_path / "content"
    shutil.copytree(ROOT / "content", copy)
    return copy


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    import settings as settings_module

    base = settings_module.from_environment()
    return replace(base, var_dir=tmp_path_factory.mktemp("var"), rasa_url="")


@pytest.fixture(scope="session")
def model(settings) -> Path:
    from bot import services

    return services.train(settings)


@pytest.fixture(scope="session")
def running(settings, model) -> Iterator[object]:
    from bot import services

    with services.Services(settings, model) as started:
        yield started


class Chat:
    """A test conversation: ``chat.text("bonjour")`` returns what the tourist reads."""

    def __init__(self, assistant, user: str, loop) -> None:
        self.assistant = assistant
        self.user = user
        self.loop = loop

    def say(self, text: str, client_language: str = None):
        return self.loop.run_until_complete(
            self.assistant.handle("test", self.user, text, client_language)
        )

    def text(self, text: str, client_language: str = None) -> str:
        return "\n".join(r.text for r in self.say(text, client_language).replies)


@pytest.fixture
def new_chat(running, settings, request):
    """Makes conversations with fresh users against the running assistant."""
    from bot.core.assistant import Assistant
    from bot.core.pseudonym import load_key
    from bot.core.rasa_client import RasaClient
    from bot.core.user_memory import UserMemory
    from curated.live import LiveContent

    loop = asyncio.new_event_loop()
    memory = UserMemory(settings.var_dir / "bot.db")
    rasa = RasaClient(running.rasa_url, timeout=settings.rasa_timeout)
    assistant = Assistant(
        rasa, memory, load_key(settings.var_dir), LiveContent(settings.content_dir)
    )
    counter = iter(range(10_000))

    def make(name: str = "tourist") -> Chat:
        return Chat(assistant, f"{request.node.name}-{name}-{next(counter)}", loop)

    yield make
    loop.run_until_complete(rasa.close())
    loop.close()
    memory.close()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (never ``playwright install``): fails, not
    skips, when it is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def reserve_port():
    """``reserve_port()``: a free loopback port that no other server is given until the
    test ends (bot.services.ReservedPort), for a server the test starts on it."""
    from bot.services import ReservedPort

    reserved: list[ReservedPort] = []

    def reserve() -> int:
        reserved.append(ReservedPort())
        return reserved[-1].port

    yield reserve
    for port in reserved:
        port.release()


@pytest.fixture
def bot_api():
    """The offline Telegram Bot API on loopback, recording what the bot sends."""
    from testkit.fake_bot_api import FakeBotApi

    server = FakeBotApi().start()
    yield server
    server.stop()


@pytest.fixture
def telegram_bot(bot_api, running, settings, request):
    """The real Telegram Application polling ``bot_api``, answered by the running assistant."""
    from testkit.telegram_harness import RunningBot

    runner = RunningBot(bot_api, running.rasa_url, settings, request.node.name).start()
    yield runner
    runner.stop()
