"""An offline Telegram Bot API on loopback, for tests that must never reach Telegram.

It implements what the channel uses (getMe, getUpdates, sendMessage, sendPhoto,
sendLocation, sendChatAction, answerCallbackQuery, setWebhook, deleteWebhook,
setMyCommands: the menu is kept per language in ``commands``),
queues updates that tests push, records everything the bot sends, answers
429 with retry_after when a test asks it to, and can stop answering a method
altogether (``stall``), as a Telegram that hangs. It runs its own event loop in a
thread, so tests talk to it with plain calls.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from testkit.loop_thread import LoopThread

BOT = {
    "id": 424242,
    "is_bot": True,
    "first_name": "Assistant",
    "username": "cross_tourism_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    status: int = 200


class FakeBotApi:
    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.listeners: list[Callable[[Call], None]] = []  # told of every successful call
        # setMyCommands: language code ("" for the default menu) -> [(command, description)]
        self.commands: dict[str, list[tuple[str, str]]] = {}
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._failures: dict[str, list[tuple[int, int]]] = {}  # method: (status, retry_after)
        self._stalled: set[str] = set()
        # Events bind to the loop that first waits on them: the API's own, in its thread.
        self._released = asyncio.Event()  # set when the API stops: stalled calls end
        self._new_update = asyncio.Event()
        self._loop = LoopThread()
        self.port = 0

    # Life

    def start(self) -> FakeBotApi:
        self._loop.start()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self.port = self._loop.serve(app, access_log=True)
        return self

    def stop(self) -> None:
        self._loop.loop.call_soon_threadsafe(self._new_update.set)  # ends a waiting getUpdates
        self._loop.loop.call_soon_threadsafe(self._released.set)  # and the stalled calls
        self._loop.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # What tests do

    def push(self, update: dict) -> dict:
        """Queue a raw update (an update_id is added when missing)."""
        update.setdefault("update_id", next(self._update_ids))

        def add() -> None:
            self._updates.append(update)
            self._new_update.set()

        self._loop.loop.call_soon_threadsafe(add)
        return update

    def push_message(
        self,
        chat_id: int,
        text: str | None = None,
        language_code: str = "en",
        chat_type: str = "private",
        **content: Any,
    ) -> dict:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type},
            "from": {
                "id": chat_id,
                "is_bot": False,
                "first_name": "Tourist",
                "language_code": language_code,
            },
            **content,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.push({"message": message})

    def push_button(self, chat_id: int, data: str, language_code: str = "en") -> dict:
        return self.push(
            {
                "callback_query": {
                    "id": str(next(self._message_ids)),
                    "chat_instance": "ci",
                    "from": {
                        "id": chat_id,
                        "is_bot": False,
                        "first_name": "Tourist",
                        "language_code": language_code,
                    },
                    "message": {
                        "message_id": next(self._message_ids),
                        "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private"},
                        "text": "buttons",
                    },
                    "data": data,
                }
            }
        )

    def fail_next(
        self, method: str, times: int = 1, retry_after: int = 1, status: int = 429
    ) -> None:
        """The next ``times`` calls of ``method`` get 429 Too Many Requests (or ``status``)."""
        self._failures[method] = [(status, retry_after)] * times

    def stall(self, method: str) -> None:
        """From now on calls of ``method`` get no answer at all (recorded with status 0)."""
        self._stalled.add(method)

    def unstall(self, method: str) -> None:
        """Later calls of ``method`` are answered again (stalled ones stay unanswered)."""
        self._stalled.discard(method)

    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[dict[str, Any]]:
        """What the bot successfully sent (refused calls are in ``calls``)."""
        return [
            c.params
            for c in list(self.calls)
            if c.method == method
            and c.status == 200
            and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))
        ]

    def texts(self, chat_id: int) -> list[str]:
        return [p["text"] for p in self.sent(chat_id)]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        raise AssertionError(
            f"not seen within {timeout} s; calls: {[c.method for c in self.calls][-20:]}"
        )

    def wait_for_messages(self, chat_id: int, count: int, timeout: float = 30.0) -> list[str]:
        self.wait_for(lambda: len(self.sent(chat_id)) >= count, timeout)
        return self.texts(chat_id)

    # The API

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params)
        self.calls.append(call)
        if method in self._stalled:
            call.status = 0
            await self._released.wait()
            return web.json_response(
                {"ok": False, "error_code": 504, "description": "Stalled"}, status=504
            )
        pending = self._failures.get(method)
        if pending:
            status, retry_after = pending.pop(0)
            call.status = status
            if status != 429:
                return web.json_response(
                    {"ok": False, "error_code": status, "description": "Bad Gateway"}, status=status
                )
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                },
                status=429,
            )
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        result = await handler(params)
        for listener in self.listeners:
            listener(call)
        return web.json_response({"ok": True, "result": result})

    async def _api_getMe(self, params):
        return BOT

    async def _api_deleteWebhook(self, params):
        return True

    async def _api_setWebhook(self, params):
        return True

    async def _api_getUpdates(self, params):
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            try:
                await asyncio.wait_for(
                    self._new_update.wait(), min(float(params.get("timeout") or 0), 1.0)
                )
            except asyncio.TimeoutError:
                pass
        return [u for u in self._updates if u["update_id"] >= offset]

    async def _api_setMyCommands(self, params):
        commands = params.get("commands") or []
        if isinstance(commands, str):
            commands = json.loads(commands)
        language = params.get("language_code") or ""
        self.commands[language] = [(c["command"], c["description"]) for c in commands]
        return True

    async def _api_sendChatAction(self, params):
        return True

    async def _api_answerCallbackQuery(self, params):
        return True

    async def _api_sendMessage(self, params):
        return self._message(params, text=params.get("text", ""))

    async def _api_sendPhoto(self, params):
        return self._message(
            params, photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
        )

    async def _api_sendLocation(self, params):
        return self._message(
            params,
            location={"latitude": params.get("latitude"), "longitude": params.get("longitude")},
        )

    def _message(self, params, **content):
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": BOT,
            **content,
        }


async def _params(request: web.Request) -> dict[str, Any]:
    """python-telegram-bot sends form fields whose values are JSON."""
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, str) and value[:1] in "{[":
            params[key] = json.loads(value)  # reply_markup, entities...
        else:
            params[key] = value
    if request.query:
        params.update(request.query)
    return params
