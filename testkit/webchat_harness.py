"""The web chat served from a thread of its own, for tests and benchmarks.

``ServedWebChat(rasa, var_dir)`` runs ``bot.channels.webchat.serve`` on a free
loopback port with an Assistant on ``rasa``: testkit/rasa.py's RecordingRasa
(no model needed) or a RasaClient on a running Rasa. ``url`` is its address;
``stop()`` sets the channel's stop event and waits for it to clean up, as
``python -m bot run`` does on Ctrl-C. ``OfficePage`` serves a page of another
origin that embeds the widget, as an office's site would.
"""

from __future__ import annotations

import asyncio
import http.server
import threading
import time
import urllib.request
from pathlib import Path

from bot.channels import webchat
from bot.channels.webchat_limits import Limits
from bot.core.assistant import Assistant
from bot.core.conversation_log import ConversationLog
from bot.core.handoff_relay import Relay
from bot.core.pseudonym import load_key
from bot.core.user_memory import UserMemory
from bot.services import ReservedPort
from curated.live import LiveContent
from handoff.store import HandoffStore
from rasa_extensions.command import ROOT
from settings import WebChatSettings
from testkit.loop_thread import LoopThread


class ServedWebChat:
    def __init__(
        self,
        rasa,
        var_dir: Path,
        allowed_origins: tuple[str, ...] = (),
        limits: Limits | None = None,
        content_dir: Path = ROOT / "content",
        trust_forwarded_for: bool = False,
        holds: HandoffStore | None = None,
    ) -> None:
        self.rasa = rasa
        self._reserved = ReservedPort()  # until stop: no other server of the run is given it
        self.port = self._reserved.port
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = WebChatSettings(
            allowed_origins=allowed_origins,
            listen="127.0.0.1",
            port=self.port,
            trust_forwarded_for=trust_forwarded_for,
        )
        self.memory = UserMemory(Path(var_dir) / "webchat-bot.db")
        self.log = ConversationLog(Path(var_dir) / "webchat-conversations.db")
        self.assistant = Assistant(
            rasa, self.memory, load_key(Path(var_dir)), LiveContent(content_dir), self.log,
            holds=holds,
        )  # fmt: skip
        self.limits = limits
        self._loop_thread = LoopThread()
        self.loop = self._loop_thread.loop
        self.thread = self._loop_thread.thread
        self._stop: asyncio.Event | None = None
        self._served: asyncio.Future | None = None
        self._relay: asyncio.Future | None = None

    def start(self, timeout: float = 10) -> ServedWebChat:
        self.thread.start()

        async def begin() -> None:
            self._stop = asyncio.Event()
            self._served = asyncio.ensure_future(
                webchat.serve(self.assistant, self.settings, None, self._stop, self.limits)
            )
            if self.assistant.holds is not None:  # staff messages, as python -m bot run does
                relay = Relay(self.assistant, self.assistant.holds)
                self._relay = asyncio.ensure_future(relay.run(self._stop))

        asyncio.run_coroutine_threadsafe(begin(), self.loop).result(timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "/widget.js", timeout=1):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        async def end() -> None:
            assert self._stop is not None and self._served is not None
            self._stop.set()
            await self._served
            if self._relay is not None:
                await self._relay
            close = getattr(self.rasa, "close", None)
            if close is not None:
                await close()

        asyncio.run_coroutine_threadsafe(end(), self.loop).result(15)
        self._loop_thread.stop()
        self.memory.close()
        self.log.close()
        self._reserved.release()

    def __enter__(self) -> ServedWebChat:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class OfficePage:
    """An office's page on another origin (a port of its own) embedding the widget of
    ``chat_url``, which may be set once the web chat is up (it must know this origin first)."""

    def __init__(self, chat_url: str = "") -> None:
        self.chat_url = chat_url
        office = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = (
                    '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
                    "<title>Office de tourisme</title></head><body><h1>Office de tourisme</h1>"
                    f'<script src="{office.chat_url}/widget.js" defer></script></body></html>'
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> OfficePage:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
