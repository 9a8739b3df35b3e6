"""The Telegram channel's Application running in a thread, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import Updater

from bot.channels.telegram import DurableUpdateQueue, build_application, set_command_menu
from bot.core.assistant import Assistant
from bot.core.conversation_log import ConversationLog
from bot.core.dedup import DedupStore
from bot.core.handoff_relay import Relay
from bot.core.pseudonym import load_key
from bot.core.rasa_client import RasaClient
from bot.core.user_memory import UserMemory
from bot.services import ReservedPort
from curated.live import LiveContent
from handoff.store import HandoffStore
from rasa_extensions.command import ROOT
from rasa_extensions.command import environment as rasa_environment
from settings import Settings
from testkit.fake_bot_api import FakeBotApi
from testkit.loop_thread import LoopThread

T = TypeVar("T")


class AnsweredDeliveries(DedupStore):
    """The channel's store of updates, in memory, telling ``listeners`` of each update
    answered (its delivery id, "bot id:update id"), from the thread that marks it:
    the moment every message of the answer has been sent."""

    def __init__(self) -> None:
        super().__init__(":memory:")
        self.listeners: list[Callable[[str], None]] = []

    def answered(self, channel: str, message_id: str) -> None:
        super().answered(channel, message_id)
        for listener in list(self.listeners):
            listener(message_id)


class RunningBot:
    """The channel's Application polling the fake Bot API from its own thread.

    ``rasa_url``: one Rasa process, or several (``Services.rasa_urls``), routed
    per user by the channel core's ``RasaClient`` as ``python -m bot run`` does."""

    def __init__(
        self,
        api: FakeBotApi,
        rasa_url: str | Sequence[str],
        settings: Settings,
        tag: str,
        per_chat_rate: float = 1.0,
        rate_limited: bool = True,
        holds: HandoffStore | None = None,
    ) -> None:
        self.api = api
        self._loop_thread = LoopThread()
        self.loop = self._loop_thread.loop
        self.thread = self._loop_thread.thread
        self.memory = UserMemory(settings.var_dir / f"telegram-{tag}.db")
        self.log = ConversationLog(settings.var_dir / f"conversations-{tag}.db")
        # In memory: each fake Bot API numbers its updates from 1 again, which a
        # store kept on disk would take for updates already answered.
        self.deliveries = AnsweredDeliveries()
        self.rasa = RasaClient(rasa_url, timeout=settings.rasa_timeout)
        self.answered_listeners = self.deliveries.listeners  # load.TelegramTarget's clock
        self.assistant = Assistant(
            self.rasa,
            self.memory,
            load_key(settings.var_dir),
            LiveContent(settings.content_dir),
            self.log,
            holds=holds,
        )
        self._relay_stop: asyncio.Event | None = None
        self._relay: asyncio.Future | None = None
        self.application = build_application(
            api.token,
            self.assistant,
            api.base_url,
            per_chat_rate,
            rate_limited,
            deliveries=self.deliveries,
        )

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return self._loop_thread.run(coroutine, timeout)

    def start(self) -> RunningBot:
        self.thread.start()

        async def start() -> None:
            await self.application.initialize()
            await self.application.start()
            await set_command_menu(self.application.bot, self.assistant)
            updates = self.application.update_queue
            if isinstance(updates, DurableUpdateQueue):
                await updates.resume(self.application.bot)
            await self._updater().start_polling(
                poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
            )
            if self.assistant.holds is not None:  # staff messages, as python -m bot run does
                self._relay_stop = asyncio.Event()
                relay = Relay(self.assistant, self.assistant.holds)
                self._relay = asyncio.ensure_future(relay.run(self._relay_stop))

        self._run(start())
        return self

    def _updater(self) -> Updater:
        updater = self.application.updater
        if updater is None:
            raise RuntimeError("the channel's Application was built without an Updater")
        return updater

    def stop(self) -> None:
        async def stop() -> None:
            if self._relay_stop is not None and self._relay is not None:
                self._relay_stop.set()
                await self._relay
            await self._updater().stop()
            updates = self.application.update_queue
            if isinstance(updates, DurableUpdateQueue):
                await updates.finish()
            await self.application.stop()
            await self.application.shutdown()
            await self.rasa.close()

        self._run(stop())
        self._loop_thread.stop()
        self.memory.close()
        self.log.close()
        self.deliveries.close()


class BotCommand:
    """``python -m bot run`` (what ``make run`` starts) as a child process,
    serving the fake Bot API: for tests that kill it and start it again.
    ``stop`` at the end, whatever happened: it lets the review app's port go."""

    def __init__(self, api: FakeBotApi, var_dir: Path, rasa_url: str = "", **env: str) -> None:
        self.api = api
        self._review_port = ReservedPort()  # its review app's, across restarts
        self.env = rasa_environment()
        self.env.update(
            TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_BASE_URL=api.base_url, VAR_DIR=str(var_dir),
            RASA_URL=rasa_url, REVIEW_PORT=str(self._review_port.port), **env,
        )  # fmt: skip
        self.process: subprocess.Popen | None = None

    def launch(self) -> BotCommand:
        """Starts it and returns at once (its children may still be starting)."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        return self

    def start(self, timeout: float = 180) -> BotCommand:
        """Starts it and returns once it polls the Bot API."""
        started = time.monotonic()
        self.launch()
        self.api.wait_for(
            lambda: any(c.method == "getUpdates" and c.at > started for c in list(self.api.calls)),
            timeout,
        )
        return self

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is closed."""
        assert self.process is not None
        self.process.kill()
        self.process.communicate(timeout=30)

    def stop(self) -> str:
        """Ctrl-C, as an operator stops it; returns what it printed."""
        try:
            if self.process is None or self.process.poll() is not None:
                return ""
            self.process.send_signal(signal.SIGINT)
            output, _ = self.process.communicate(timeout=60)
            return output
        finally:
            self._review_port.release()
