"""The WhatsApp channel serving its webhook from a thread, against the offline Graph API,
for tests and benchmarks; with a stand-in Rasa (testkit/rasa.py) or a real one."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from pathlib import Path

from bot.channels import whatsapp
from bot.channels.whatsapp_api import GraphApi
from bot.core.assistant import Assistant
from bot.core.conversation_log import ConversationLog
from bot.core.dedup import DedupStore
from bot.core.handoff_relay import Relay
from bot.core.outbox import AddressBook, Outbox
from bot.core.rasa_client import RasaClient
from bot.core.user_memory import UserMemory
from bot.services import ReservedPort
from curated.live import LiveContent
from handoff.store import HandoffStore
from settings import WhatsAppSettings
from testkit.fake_graph_api import FakeGraphApi, MetaWebhook
from testkit.loop_thread import LoopThread

APP_SECRET = "test-app-secret-0123456789"
VERIFY_TOKEN = "chamonix-yanqing-verify"


class RunningWhatsApp:
    """``rasa`` is a RasaClient-like object (RecordingRasa) or the URL of a running Rasa.

    Retries wait ``backoff`` seconds (doubling), so tests of rate limits stay short.
    ``deliveries`` is a path to keep them across two runs (a restart), else in memory.
    """

    def __init__(
        self,
        api: FakeGraphApi,
        rasa,
        var_dir: Path,
        content_dir: Path,
        tag: str = "whatsapp",
        deliveries: Path | str = ":memory:",
        backoff: float = 0.05,
        key: bytes = b"whatsapp-test-key",
        rasa_timeout: float = 5.0,
        holds: HandoffStore | None = None,
        addresses: Path | str = ":memory:",
    ) -> None:
        self.api = api
        self.rasa = RasaClient(rasa, timeout=rasa_timeout) if isinstance(rasa, str) else rasa
        self.memory = UserMemory(var_dir / f"whatsapp-{tag}.db")
        self.log = ConversationLog(var_dir / f"conversations-{tag}.db")
        self.deliveries = DedupStore(deliveries)
        self.addresses = AddressBook(addresses)
        self.assistant = Assistant(
            self.rasa, self.memory, key, LiveContent(content_dir), self.log,
            Outbox(key, self.addresses), holds,
        )  # fmt: skip
        self._reserved = ReservedPort()  # until stop: no other server of the run is given it
        self.settings = WhatsAppSettings(
            access_token=api.token,
            phone_number_id=api.phone_number_id,
            app_secret=APP_SECRET,
            verify_token=VERIFY_TOKEN,
            listen="127.0.0.1",
            port=self._reserved.port,
            api_base_url=api.base_url,
        )
        self.backoff = backoff
        self._loop_thread = LoopThread()
        self.loop = self._loop_thread.loop
        self.thread = self._loop_thread.thread
        self.channel: whatsapp.WhatsAppChannel | None = None
        self._stop: asyncio.Event | None = None
        self._served: concurrent.futures.Future[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}{whatsapp.PATH}"

    def meta(self) -> MetaWebhook:
        """Meta's side: signed deliveries to this channel."""
        return MetaWebhook(self.url, APP_SECRET, self.api.phone_number_id)

    def start(self) -> RunningWhatsApp:
        self.thread.start()
        ready = threading.Event()

        async def serve() -> None:
            self._stop = asyncio.Event()
            served = asyncio.Event()
            api = GraphApi(
                self.settings.api_base_url,
                self.settings.phone_number_id,
                self.settings.access_token,
                backoff=self.backoff,
                rate_backoff=self.backoff,
            )
            self.channel = whatsapp.WhatsAppChannel(
                self.assistant, self.settings, self.deliveries, api
            )
            task = asyncio.ensure_future(whatsapp.run(self.channel, self._stop, served))
            relay = None
            if self.assistant.holds is not None:  # as python -m bot run does
                relay = asyncio.ensure_future(
                    Relay(self.assistant, self.assistant.holds).run(self._stop)
                )
            await served.wait()
            ready.set()
            await task
            if relay is not None:
                await relay

        self._served = asyncio.run_coroutine_threadsafe(serve(), self.loop)
        if not ready.wait(15):
            raise RuntimeError("the WhatsApp channel did not start")
        return self

    def stop(self) -> None:
        assert self._stop is not None and self._served is not None, "stop() before start()"
        self.loop.call_soon_threadsafe(self._stop.set)
        self._served.result(30)
        if isinstance(self.rasa, RasaClient):
            asyncio.run_coroutine_threadsafe(self.rasa.close(), self.loop).result(10)
        self._loop_thread.stop()
        self.memory.close()
        self.log.close()
        self.deliveries.close()
        self.addresses.close()
        self._reserved.release()
