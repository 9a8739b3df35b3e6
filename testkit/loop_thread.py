"""An asyncio event loop in a daemon thread, for the offline fakes and the channel harnesses.

Tests are plain synchronous code; the fakes (Telegram's Bot API, WeChat's server API,
the Graph API) and the channels under test are asyncio. Each runs on a ``LoopThread``:
tests hand it coroutines with :meth:`LoopThread.run`, a fake serves its aiohttp
application on a free loopback port with :meth:`LoopThread.serve`, and
:meth:`LoopThread.stop` cleans the servers up, stops the loop, joins the thread and
closes the loop (an unclosed loop is a ResourceWarning, which pytest makes an error).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")


class LoopThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._runners: list[web.AppRunner] = []

    def start(self) -> None:
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run ``coroutine`` on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def serve(self, app: web.Application, *, access_log: bool = False, timeout: float = 10) -> int:
        """Serve ``app`` on 127.0.0.1 on a free port, in the loop; the port."""

        async def serve() -> int:
            runner = web.AppRunner(app) if access_log else web.AppRunner(app, access_log=None)
            await runner.setup()
            self._runners.append(runner)
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            return int(runner.addresses[0][1])

        return self.run(serve(), timeout)

    def stop(self, join_timeout: float = 5) -> None:
        """Clean up what :meth:`serve` started, stop the loop, join the thread and close
        the loop (if the thread ended in ``join_timeout``; at once if it never started)."""
        if self.thread.ident is None:
            self.loop.close()
            return
        while self._runners:
            self.run(self._runners.pop().cleanup(), 10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(join_timeout)
        if not self.thread.is_alive():
            self.loop.close()
