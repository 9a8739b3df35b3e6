"""The Telegram channel's Application running in a thread, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import threading

from telegram import Update

from bot.core.assistant import Assistant
from curated.live import LiveContent
from bot.core.conversation_log import ConversationLog
from bot.core.pseudonym import load_key
from bot.core.rasa_client import RasaClient
from bot.channels.telegram import build_application
from bot.core.user_memory import UserMemory
from testkit.fake_bot_api import FakeBotApi


class RunningBot:
    """The channel's Application polling the fake Bot API from its own thread."""

    def __init__(self, api: FakeBotApi, rasa_url: str, settings, tag: str, per_chat_rate: float = 1.0,
                 rate_limited: bool = True) -> None:
        self.api = api
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.memory = UserMemory(settings.var_dir / f"telegram-{tag}.db")
        self.log = ConversationLog(settings.var_dir / f"conversations-{tag}.db")
        self.rasa = RasaClient(rasa_url, timeout=settings.rasa_timeout)
        self.assistant = Assistant(self.rasa, self.memory, load_key(settings.var_dir),
                                   LiveContent(settings.content_dir), self.log)
        self.application = build_application(api.token, self.assistant, api.base_url, per_chat_rate, rate_limited)

    def _run(self, coroutine, timeout=30):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> "RunningBot":
        self.thread.start()

        async def start():
            await self.application.initialize()
            await self.application.start()
            await self.application.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES)

        self._run(start())
        return self

    def stop(self) -> None:
        async def stop():
            await self.application.updater.stop()
            await self.application.stop()
            await self.application.shutdown()
            await self.rasa.close()

        self._run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.memory.close()
        self.log.close()
