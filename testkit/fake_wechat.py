"""An offline WeChat on loopback, for tests and benchmarks that must never reach WeChat.

Two halves, as the real platform has them:

- ``WeChatSender``: WeChat's side of the callback. It sends what WeChat sends
  to an Official Account's server URL: the GET that verifies the URL, and
  messages and events as signed XML POSTs, plain or in safe mode (encrypted
  with the EncodingAESKey, msg_signature), and reads the passive reply
  (decrypted in safe mode). Wrong signatures and old timestamps on demand.
- ``FakeWeChatApi``: WeChat's server API (access token, customer-service
  messages, menu creation) on its own event loop in a thread. It records what
  was sent to whom, counts the tokens fetched, and answers an error code on
  demand (``fail_next``: 40001 once, 45015, 45047...).
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

from bot.channels.wechat_crypto import SafeMode, signature
from bot.channels.wechat_messages import parse
from testkit.loop_thread import LoopThread

ACCOUNT = "gh_0123456789ab"  # the Official Account's original id (ToUserName)


@dataclass
class Delivery:
    """What the channel answered one callback with."""

    status: int
    body: str
    fields: dict[str, str] = field(default_factory=dict)  # the passive reply's fields

    @property
    def text(self) -> str:
        """The passive reply's text ("" for "success" or nothing)."""
        return self.fields.get("Content", "")


def message_xml(fields: dict[str, Any]) -> str:
    inner = "".join(
        f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}><![CDATA[{v}]]></{k}>"
        for k, v in fields.items()
    )
    return f"<xml>{inner}</xml>"


class WeChatSender:
    """WeChat calling the account's server URL."""

    def __init__(
        self,
        url: str,
        token: str,
        app_id: str,
        encoding_aes_key: str | None = None,
        account: str = ACCOUNT,
    ) -> None:
        self.url = url
        self.token = token
        self.account = account
        self.safe = SafeMode(token, encoding_aes_key, app_id) if encoding_aes_key else None
        self._ids = itertools.count(int(time.time() * 1000) * 100)
        self._client = httpx.Client(timeout=30)

    def close(self) -> None:
        self._client.close()

    # Building requests

    def fields(self, open_id: str, msg_type: str, **extra: Any) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "ToUserName": self.account,
            "FromUserName": open_id,
            "CreateTime": int(time.time()),
            "MsgType": msg_type,
        }
        if msg_type != "event":
            fields["MsgId"] = next(self._ids)
        fields.update(extra)
        return fields

    def request(
        self, body: str | bytes, good_signature: bool = True, age: float = 0
    ) -> tuple[dict[str, str], bytes]:
        """Query parameters and body of a callback POST, as WeChat signs them."""
        timestamp, nonce = str(int(time.time() - age)), secrets.token_hex(5)
        params = {
            "signature": signature(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": "o-in-the-query",
        }
        if not good_signature:
            params["signature"] = signature("not-the-token", timestamp, nonce)
        raw = body.encode("utf-8") if isinstance(body, str) else body
        if self.safe is not None:
            encrypted = self.safe.encrypt(raw.decode("utf-8"))
            params.update(
                encrypt_type="aes",
                msg_signature=signature(self.token, timestamp, nonce, encrypted),
            )
            raw = message_xml({"ToUserName": self.account, "Encrypt": encrypted}).encode()
        return params, raw

    def read(self, status: int, body: str) -> Delivery:
        if status != 200 or not body.startswith("<xml>"):
            return Delivery(status, body)
        fields = parse(body.encode("utf-8"))
        if self.safe is not None:
            expected = signature(
                self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"]
            )
            assert fields["MsgSignature"] == expected, "the reply's msg_signature is wrong"
            fields = parse(
                self.safe.decrypt(
                    fields["Encrypt"], fields["TimeStamp"], fields["Nonce"], fields["MsgSignature"]
                ).encode("utf-8")
            )
        return Delivery(status, body, fields)

    # Sending

    def post(self, body: str | bytes | dict[str, Any], **signing: Any) -> Delivery:
        raw = message_xml(body) if isinstance(body, dict) else body
        params, data = self.request(raw, **signing)
        response = self._client.post(self.url, params=params, content=data)
        return self.read(response.status_code, response.text)

    async def apost(self, client: httpx.AsyncClient, body: dict[str, Any]) -> Delivery:
        params, data = self.request(message_xml(body))
        response = await client.post(self.url, params=params, content=data)
        return self.read(response.status_code, response.text)

    def text(self, open_id: str, content: str) -> Delivery:
        return self.post(self.fields(open_id, "text", Content=content))

    def voice(self, open_id: str, recognition: str | None = None) -> Delivery:
        extra: dict[str, Any] = {"MediaId": "media-1", "Format": "amr"}
        if recognition is not None:
            extra["Recognition"] = recognition
        return self.post(self.fields(open_id, "voice", **extra))

    def event(self, open_id: str, event: str, key: str | None = None) -> Delivery:
        extra = {"Event": event} | ({"EventKey": key} if key is not None else {})
        return self.post(self.fields(open_id, "event", **extra))

    def verify(self, echostr: str, good_signature: bool = True, age: float = 0) -> Delivery:
        params, _ = self.request("", good_signature=good_signature, age=age)
        params.pop("encrypt_type", None)
        params.pop("msg_signature", None)
        params["echostr"] = echostr
        response = self._client.get(self.url, params=params)
        return Delivery(response.status_code, response.text)


@dataclass
class ApiCall:
    path: str
    params: dict[str, str]
    body: dict[str, Any]
    raw: bytes = b""
    errcode: int = 0
    at: float = field(default_factory=time.monotonic)


class FakeWeChatApi:
    """WeChat's server API on loopback (``WECHAT_API_BASE_URL`` = ``base_url``)."""

    def __init__(self, app_id: str = "wx0123456789abcdef", app_secret: str = "secret") -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.calls: list[ApiCall] = []
        self.token_requests = 0
        self.listeners: list[Callable[[ApiCall], None]] = []  # told of every message sent
        self._tokens = itertools.count(1)
        self._valid: set[str] = set()
        self._failures: dict[str, list[int]] = {}
        self._loop = LoopThread()
        self.port = 0

    def start(self) -> FakeWeChatApi:
        self._loop.start()
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._call)
        app.router.add_post("/cgi-bin/menu/create", self._call)
        self.port = self._loop.serve(app)
        return self

    def stop(self) -> None:
        self._loop.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # What tests do

    def fail_next(self, path: str, errcode: int, times: int = 1) -> None:
        """The next ``times`` calls of ``path`` (e.g. "message/custom/send") get ``errcode``;
        40001 and 42001 also make the current token invalid, as WeChat does."""
        self._failures[path] = [errcode] * times

    def sent(self, open_id: str | None = None) -> list[str]:
        """Texts delivered as customer-service messages (to ``open_id``)."""
        return [
            c.body["text"]["content"]
            for c in list(self.calls)
            if c.path.endswith("custom/send")
            and not c.errcode
            and (open_id is None or c.body.get("touser") == open_id)
        ]

    def refused(self, path: str = "custom/send") -> list[ApiCall]:
        return [c for c in list(self.calls) if c.path.endswith(path) and c.errcode]

    def menus(self) -> list[dict[str, Any]]:
        return [
            c.body for c in list(self.calls) if c.path.endswith("menu/create") and not c.errcode
        ]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.02)
        raise AssertionError(f"not seen within {timeout} s; calls: {[c.path for c in self.calls]}")

    def wait_for_sent(self, open_id: str, count: int = 1, timeout: float = 30.0) -> list[str]:
        self.wait_for(lambda: len(self.sent(open_id)) >= count, timeout)
        return self.sent(open_id)

    # The API

    async def _token(self, request: web.Request) -> web.Response:
        query = request.query
        self.token_requests += 1
        if query.get("appid") != self.app_id or query.get("secret") != self.app_secret:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        token = f"TOKEN-{next(self._tokens)}"
        self._valid = {token}
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def _call(self, request: web.Request) -> web.Response:
        path = request.path
        raw = await request.read()
        call = ApiCall(path, dict(request.query), json.loads(raw.decode("utf-8")), raw)
        self.calls.append(call)
        key = next((k for k in self._failures if path.endswith(k)), None)
        if key and self._failures[key]:
            call.errcode = self._failures[key].pop(0)
            if call.errcode in (40001, 42001):
                self._valid.clear()
        elif request.query.get("access_token") not in self._valid:
            call.errcode = 40001
        if call.errcode:
            return web.json_response({"errcode": call.errcode, "errmsg": "refused on demand"})
        for listener in self.listeners:
            listener(call)
        return web.json_response({"errcode": 0, "errmsg": "ok"})
