"""An offline WhatsApp Cloud API on loopback, and Meta's side of the webhook, for tests
and benchmarks that must never reach Meta.

:class:`FakeGraphApi` answers ``POST /{version}/{phone_number_id}/messages`` as the
Graph API does: a message gets a wamid, a read receipt ``{"success": true}``; a
wrong token gets error 190. It records what was sent to whom, and answers with
the error codes a test asks for (``fail_next``): 131047 (24 h window closed),
130429 / 131056 (rate limits), 190 (token), or an HTTP 5xx. It runs its own
event loop in a thread, so tests talk to it with plain calls.

:class:`MetaWebhook` posts deliveries to the channel's webhook as Meta sends them:
the ``whatsapp_business_account`` envelope (several entries and changes when
asked), JSON written as Meta writes it (non-ASCII as ``\\u`` escapes, ``/`` as
``\\/``), signed with the app secret in ``X-Hub-Signature-256``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

from testkit.loop_thread import LoopThread

VERSION = "v21.0"
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
DISPLAY_NUMBER = "15550783881"

# Meta's wording of the errors the channel handles (the code is what counts).
ERRORS = {
    131047: (400, "Re-engagement message", "More than 24 hours have passed since the recipient last replied to the sender number."),
    130429: (400, "Rate limit hit", "Cloud API message throughput has been reached."),
    131056: (400, "(Business Account, Consumer Account) pair rate limit hit", "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time."),
    190: (401, "Error validating access token: Session has expired", "The access token has expired."),
    131026: (400, "Message undeliverable", "Unable to deliver message."),
}  # fmt: skip


@dataclass
class Call:
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    code: int | None = None  # Meta's error code answered, if any

    @property
    def to(self) -> str:
        return str(self.body.get("to") or self.body.get("recipient") or "")

    @property
    def is_read_receipt(self) -> bool:
        return self.body.get("status") == "read"


class FakeGraphApi:
    def __init__(self, token: str = "EAAG-TEST-WHATSAPP-TOKEN", phone_number_id: str = PHONE_NUMBER_ID) -> None:  # fmt: skip
        self.token = token
        self.phone_number_id = phone_number_id
        self.calls: list[Call] = []
        self.listeners: list[Callable[[Call], None]] = []  # told of every message sent
        self._failures: list[tuple[int | None, int]] = []
        self._wamids = itertools.count(1)
        self._loop = LoopThread()
        self.port = 0

    # Life

    def start(self) -> FakeGraphApi:
        self._loop.start()
        app = web.Application()
        app.router.add_post("/{version}/{phone_number_id}/messages", self._messages)
        self.port = self._loop.serve(app)
        return self

    def stop(self) -> None:
        self._loop.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{VERSION}"

    # What tests do

    def fail_next(self, code: int | None = None, times: int = 1, http_status: int | None = None) -> None:  # fmt: skip
        """The next ``times`` message calls get Meta's error ``code`` (or, without a code,
        HTTP ``http_status``, e.g. 502). Read receipts are not failed."""
        status = http_status or (ERRORS[code][0] if code in ERRORS else 400)
        self._failures.extend([(code, status)] * times)

    def clear_failures(self) -> None:
        self._failures.clear()

    def sent(self, to: str | None = None) -> list[dict[str, Any]]:
        """Messages accepted (read receipts and refused calls are in ``calls``)."""
        return [
            c.body
            for c in list(self.calls)
            if c.status == 200 and not c.is_read_receipt and (to is None or c.to == to)
        ]

    def attempts(self, to: str) -> list[Call]:
        return [c for c in list(self.calls) if not c.is_read_receipt and c.to == to]

    def texts(self, to: str) -> list[str]:
        """What the tourist reads in each message: a text, or an interactive message's body."""
        return [text_of(body) for body in self.sent(to)]

    def read(self) -> list[str]:
        """Ids of the tourists' messages marked read."""
        return [str(c.body.get("message_id")) for c in list(self.calls) if c.is_read_receipt]

    def wamids(self, to: str) -> list[str]:
        return [c.body["_wamid"] for c in list(self.calls) if c.status == 200 and not c.is_read_receipt and c.to == to]  # fmt: skip

    def wait_for(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.02)
        raise AssertionError(f"not seen within {timeout} s; last calls: {[c.body.get('type') or c.body.get('status') for c in self.calls][-10:]}")  # fmt: skip

    def wait_for_messages(self, to: str, count: int, timeout: float = 15.0) -> list[str]:
        self.wait_for(lambda: len(self.sent(to)) >= count, timeout)
        return self.texts(to)

    # The API

    async def _messages(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, 100, "Invalid parameter", "The request body is not JSON.")
        call = Call(body)
        self.calls.append(call)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            call.status, call.code = 401, 190
            return _error(401, 190, *ERRORS[190][1:])
        if request.match_info["phone_number_id"] != self.phone_number_id:
            call.status, call.code = 400, 100
            return _error(400, 100, "Invalid parameter", "Unknown phone number id.")
        if call.is_read_receipt:
            return web.json_response({"success": True})
        if self._failures:
            code, status = self._failures.pop(0)
            call.status, call.code = status, code
            if code is None:
                return web.json_response({"error": {"message": "Service unavailable"}}, status=status)  # fmt: skip
            _status, title, details = ERRORS.get(code, (status, "Error", "Error."))
            return _error(status, code, title, details)
        wamid = f"wamid.FAKE{next(self._wamids):08d}"
        body["_wamid"] = wamid
        for listener in self.listeners:
            listener(call)
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": call.to, "wa_id": call.to}],
                "messages": [{"id": wamid}],
            }
        )


def _error(status: int, code: int, title: str, details: str) -> web.Response:
    return web.json_response(
        {
            "error": {
                "message": f"(#{code}) {title}",
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": details},
                "fbtrace_id": "AbCdEfGhIjKlMnOp",
            }
        },
        status=status,
    )


def text_of(body: dict[str, Any]) -> str:
    if body.get("type") == "text":
        return str(body["text"]["body"])
    if body.get("type") == "interactive":
        return str(body["interactive"]["body"]["text"])
    return f"[{body.get('type')}]"


def buttons_of(body: dict[str, Any]) -> list[dict[str, str]]:
    """An interactive message's choices as {"id", "title"} (reply buttons or list rows)."""
    interactive = body.get("interactive") or {}
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        return [b["reply"] for b in action["buttons"]]
    if interactive.get("type") == "list":
        return [row for section in action["sections"] for row in section["rows"]]
    return []


# Meta's side of the webhook


def meta_json(payload: Any) -> bytes:
    """JSON as Meta writes it: ASCII only (é as \\u00e9, emoji as surrogate pairs), "/" as "\\/"."""
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()  # fmt: skip


def signature(app_secret: str, raw: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()


class MetaWebhook:
    """Posts deliveries to the channel as Meta does (plain calls, for tests)."""

    def __init__(self, url: str, app_secret: str, phone_number_id: str = PHONE_NUMBER_ID) -> None:  # fmt: skip
        self.url = url
        self.app_secret = app_secret
        self.phone_number_id = phone_number_id
        self._ids = itertools.count(1)
        self._client = httpx.Client(timeout=10)

    def close(self) -> None:
        self._client.close()

    # What Meta sends

    def message(
        self,
        wa_id: str | None,
        text: str | None = None,
        *,
        user_id: str | None = None,
        kind: str | None = None,
        content: dict[str, Any] | None = None,
        name: str = "Tourist",
    ) -> dict[str, Any]:
        """The ``value`` of a change with one message: a text, or ``kind`` with its ``content``.

        ``wa_id=None`` is a tourist whose phone number Meta does not share (a
        username): only their business-scoped ``user_id`` is there.
        """
        message: dict[str, Any] = {
            "id": f"wamid.IN{next(self._ids):06d}{int(time.time() * 1000) % 10**9:09d}",
            "timestamp": str(int(time.time())),
        }
        if wa_id:
            message["from"] = wa_id
        if user_id:
            message["from_user_id"] = user_id
        if text is not None:
            message.update(type="text", text={"body": text})
        else:
            message.update(type=kind or "unsupported", **({kind: content} if kind and content is not None else {}))  # fmt: skip
        contact: dict[str, Any] = {"profile": {"name": name}}
        if wa_id:
            contact["wa_id"] = wa_id
        if user_id:
            contact["user_id"] = user_id
        return {**self._value(), "contacts": [contact], "messages": [message]}

    def button_reply(self, wa_id: str, reply_id: str, title: str = "", list_reply: bool = False) -> dict[str, Any]:  # fmt: skip
        kind = "list_reply" if list_reply else "button_reply"
        return self.message(
            wa_id, kind="interactive",
            content={"type": kind, kind: {"id": reply_id, "title": title or reply_id[:20]}},
        )  # fmt: skip

    def status(self, wamid: str, state: str, to: str, errors: list[int] | None = None) -> dict[str, Any]:  # fmt: skip
        status: dict[str, Any] = {
            "id": wamid,
            "status": state,
            "timestamp": str(int(time.time())),
            "recipient_id": to,
        }
        if errors:
            status["errors"] = [
                {"code": code, "title": "Error", "message": "Error", "error_data": {"details": "Error."}}
                for code in errors
            ]  # fmt: skip
        return {**self._value(), "statuses": [status]}

    def _value(self) -> dict[str, Any]:
        return {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": DISPLAY_NUMBER,
                "phone_number_id": self.phone_number_id,
            },  # fmt: skip
        }

    @staticmethod
    def delivery(*values: dict[str, Any], entries: int = 1) -> dict[str, Any]:
        """The envelope: the values spread over ``entries`` entries, one change each."""
        spread: list[list[dict]] = [[] for _ in range(max(1, entries))]
        for index, value in enumerate(values):
            spread[index % len(spread)].append(value)
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {"id": WABA_ID, "changes": [{"value": v, "field": "messages"} for v in part]}
                for part in spread
            ],
        }

    # Posting

    def post(self, payload: dict[str, Any] | bytes, sign: bool | str = True) -> int:
        """POSTs a delivery (a value, an envelope, or raw bytes); returns the HTTP status.

        ``sign=True`` signs the bytes sent, ``False`` sends no signature, a string is
        sent as the signature header as it is.
        """
        if isinstance(payload, dict) and "object" not in payload:
            payload = self.delivery(payload)
        raw = payload if isinstance(payload, bytes) else meta_json(payload)
        headers = {"Content-Type": "application/json"}
        if sign is True:
            headers["X-Hub-Signature-256"] = signature(self.app_secret, raw)
        elif isinstance(sign, str):
            headers["X-Hub-Signature-256"] = sign
        return self._client.post(self.url, content=raw, headers=headers).status_code

    def send(self, value: dict[str, Any]) -> str:
        """Posts one message value, signed; returns the message's id."""
        assert self.post(value) == 200
        return value["messages"][0]["id"]

    def verify(self, params: dict[str, str]) -> tuple[int, str]:
        response = self._client.get(self.url, params=params)
        return response.status_code, response.text
