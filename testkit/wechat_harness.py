"""The WeChat channel's server running in a thread, for tests and benchmarks.

``RunningWeChat`` runs :func:`bot.channels.wechat.serve` on its own event loop,
against a fake WeChat API, with an Assistant on RecordingRasa (no model) or on
a running Rasa; ``sender`` is WeChat's side of the callback.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import time
from pathlib import Path

from bot.channels import wechat
from bot.core.assistant import Assistant
from bot.core.conversation_log import ConversationLog
from bot.core.dedup import DedupStore
from bot.core.handoff_relay import Relay
from bot.core.user_memory import UserMemory
from bot.services import ReservedPort
from curated.live import LiveContent
from handoff.store import HandoffStore
from settings import WeChatSettings
from testkit.fake_wechat import FakeWeChatApi, WeChatSender
from testkit.loop_thread import LoopThread

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "wechatTestToken1"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters


_content: list[LiveContent] = []


def shared_content() -> LiveContent:
    """The content, read once for every channel a test run starts."""
    if not _content:
        _content.append(LiveContent(ROOT / "content"))
        _content[0].get()
    return _content[0]


def settings_for(api: FakeWeChatApi, port: int, safe: bool = False) -> WeChatSettings:
    return WeChatSettings(
        token=TOKEN,
        app_id=api.app_id,
        app_secret=api.app_secret,
        encoding_aes_key=AES_KEY if safe else None,
        port=port,
        api_base_url=api.base_url,
    )


class RunningWeChat:
    def __init__(
        self,
        api: FakeWeChatApi,
        rasa,
        var_dir: Path,
        safe: bool = False,
        deadline: float = wechat.PASSIVE_DEADLINE,
        deliveries: DedupStore | None = None,
        holds: HandoffStore | None = None,
    ) -> None:
        self.api = api
        self._reserved = ReservedPort()  # until stop: no other server of the run is given it
        self.settings = settings_for(api, self._reserved.port, safe)
        self.rasa = rasa
        self.memory = UserMemory(var_dir / "wechat-memory.db")
        self.log = ConversationLog(var_dir / "wechat-conversations.db")
        self.deliveries = deliveries or DedupStore(":memory:")
        self.assistant = Assistant(
            rasa, self.memory, b"test-key", shared_content(), self.log, holds=holds
        )
        self.deadline = deadline
        self._loop_thread = LoopThread()
        self.loop = self._loop_thread.loop
        self.thread = self._loop_thread.thread
        self._stop: asyncio.Event | None = None
        self._served: concurrent.futures.Future | None = None
        self.url = f"http://127.0.0.1:{self.settings.port}{wechat.PATH}"
        self.sender = WeChatSender(self.url, TOKEN, api.app_id, self.settings.encoding_aes_key)

    def start(self) -> RunningWeChat:
        self.thread.start()

        async def create_stop() -> asyncio.Event:
            return asyncio.Event()

        self._stop = asyncio.run_coroutine_threadsafe(create_stop(), self.loop).result(5)

        stop = self._stop

        async def serve() -> None:
            relay = None
            if self.assistant.holds is not None:  # as python -m bot run does
                relay = asyncio.ensure_future(Relay(self.assistant, self.assistant.holds).run(stop))
            await wechat.serve(self.assistant, self.settings, self.deliveries, stop, self.deadline)
            if relay is not None:
                await relay

        self._served = asyncio.run_coroutine_threadsafe(serve(), self.loop)
        _wait_for_port(self.settings.port)
        return self

    def turns(self) -> list[dict]:
        return self.log.turns()

    def stop(self) -> None:
        assert self._stop is not None and self._served is not None
        self.loop.call_soon_threadsafe(self._stop.set)
        self._served.result(30)
        asyncio.run_coroutine_threadsafe(self.rasa.close(), self.loop).result(10)
        self._loop_thread.stop()
        self.sender.close()
        self.memory.close()
        self.log.close()
        self.deliveries.close()
        self._reserved.release()


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise AssertionError(f"nothing listens on {port}")
