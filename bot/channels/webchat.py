"""The web chat: a chat window that tourism offices put on their own sites.

One ``<script src="https://chat.example/widget.js" defer></script>`` on an
office's page shows a chat button and window (``webchat_static/widget.js``,
plain JavaScript in a shadow root, nothing downloaded from elsewhere). The
widget talks to this server's JSON API; every endpoint is a POST and answers
only pages of allowed origins (WEBCHAT_ALLOWED_ORIGINS, and the server's own
origin, where the demo page at ``/`` shows the widget on a sample office page):

- ``POST /api/conversations`` ``{"language": "fr-FR"}``: a new conversation
  token (256 random bits and an HMAC tag, ``webchat_requests.py``) and the
  window's words in the tourist's language;
- ``POST /api/messages`` ``{"conversation", "text", "language"}``: the
  assistant's replies, each with its buttons (payloads the widget sends back
  as ``text`` when one is pressed);
- ``POST /api/labels`` ``{"language", "conversation"}``: the window's words
  alone (a page reloaded with a conversation under way);
- ``POST /api/updates`` ``{"conversation"}``: what a person of the tourism office
  wrote since (hand-off); the page asks every few seconds while it is open, and
  what is written while no page is open is kept for the next visit.

The language is the browser's (navigator.language) as the client language,
then the core's decision, as on every channel. A request from an origin not
allowed gets 403 and no answer; a message over the core's MAX_TEXT_LENGTH
413; too many from one conversation or one address 429 with Retry-After
(``webchat_limits.py``); a body that is not what the API takes 400 with a
JSON ``error``: never a traceback. One conversation's messages are answered
in order (PerUserOrder). The token only reaches the Assistant, which turns it
into a pseudonym: it is never logged, and the access log (addresses) is off.

The transcript lives in the tourist's browser (localStorage, the last
messages only), not on the server: it survives a reload, a restart and
several workers without a shared store, and the server keeps no second copy
of the tourists' words under a bearer token (the pseudonymised conversation
log staff review is the only record). There is no delivery to repeat: the
answer is the HTTP response, so ``deliveries`` is not used.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels.webchat_limits import Buckets, Limits, client_address
from bot.channels.webchat_requests import (
    MAX_BODY_BYTES,
    BadRequest,
    is_ours,
    new_token,
    parse_json,
    parse_language,
    parse_message,
)
from bot.core.assistant import MAX_TEXT_LENGTH, Answer, Assistant
from bot.core.delivery_store import DeliveryStore
from bot.core.outbox import Sent
from bot.core.pseudonym import pseudonym
from handoff import store as handoff
from settings import WebChatSettings

logger = logging.getLogger(__name__)

CHANNEL = "webchat"
STATIC = Path(__file__).with_name("webchat_static")
# The window's own words (content/phrases.yml), sent to the widget by key.
LABELS = (
    "webchat_open",
    "webchat_title",
    "webchat_close",
    "webchat_messages",
    "webchat_input",
    "webchat_send",
    "webchat_you",
    "webchat_assistant",
    "webchat_new_tab",
    "webchat_waiting",
    "webchat_too_long",
    "webchat_too_many",
    "webchat_offline",
    "unavailable",
    "sorry",
)
FILES = {
    "/": ("demo.html", "text/html"),
    "/demo.css": ("demo.css", "text/css"),
    "/widget.js": ("widget.js", "text/javascript"),
    "/widget.css": ("widget.css", "text/css"),
}
DEMO_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_CODES = {413: "too_large", 404: "not_found", 405: "method_not_allowed"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebChat:
    """The web chat's HTTP server: static widget, demo page and JSON API."""

    def __init__(
        self, assistant: Assistant, settings: WebChatSettings, limits: Limits | None = None
    ) -> None:
        self.assistant = assistant
        self.settings = settings
        limits = limits or Limits()
        self.allowed = frozenset(settings.allowed_origins)
        self.order = assistant.outbox.order  # shared with staff replies
        assistant.outbox.register(CHANNEL, self)
        self.per_conversation = Buckets(limits.conversation)
        self.per_address = Buckets(limits.address)
        self.new_per_address = Buckets(limits.new_conversations)

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[self._guard])
        files = {path: (STATIC / name).read_bytes() for path, (name, _type) in FILES.items()}
        for path, (_name, content_type) in FILES.items():
            app.router.add_get(path, _static(files[path], content_type, path == "/"))
        for name, handler in (
            ("conversations", self.conversations),
            ("messages", self.messages),
            ("labels", self.labels),
            ("updates", self.updates),
        ):
            app.router.add_post(f"/api/{name}", handler)
            app.router.add_route("OPTIONS", f"/api/{name}", self.preflight)
        return app

    # The API

    async def conversations(self, request: web.Request) -> web.Response:
        body = await request.read()
        value = parse_json(body) if body.strip() else {}
        client = parse_language(value.get("language"))
        wait = self.new_per_address.take(self._address(request))
        if wait:
            return self._too_many(wait, self.assistant.language_of(CHANNEL, "", client))
        token = new_token(self.assistant.key)
        variant = self.assistant.language_of(CHANNEL, token, client)
        return _json(
            {
                "conversation": token,
                "language": variant,
                "labels": self._labels(variant),
                "max_length": MAX_TEXT_LENGTH,
            },
            status=201,
        )

    async def labels(self, request: web.Request) -> web.Response:
        variant = self._variant_of(parse_json(await request.read()))
        return _json({"language": variant, "labels": self._labels(variant)})

    async def messages(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            message = parse_message(self.assistant.key, body)
        except BadRequest as refused:
            if refused.code != "too_long":
                raise
            variant = self._variant_of(parse_json(body))
            return _error(refused, self.assistant.phrase("webchat_too_long", variant))
        wait = self.per_address.take(self._address(request)) or self.per_conversation.take(
            message.conversation
        )
        if wait:
            variant = self.assistant.language_of(CHANNEL, message.conversation, message.language)
            return self._too_many(wait, variant)
        self.assistant.outbox.remember_pseudonym(CHANNEL, message.conversation)  # no token kept
        async with self.order.turn((CHANNEL, message.conversation)):
            answer = await self.assistant.handle(
                CHANNEL, message.conversation, message.text, message.language
            )
        return _json(self._answer(answer))

    async def updates(self, request: web.Request) -> web.Response:
        """Staff messages kept for this conversation, handed over once."""
        value = parse_json(await request.read())
        conversation = value.get("conversation")
        holds = self.assistant.holds
        if not (isinstance(conversation, str) and is_ours(self.assistant.key, conversation)):
            raise BadRequest("Unknown conversation.", 400, "unknown_conversation")
        if holds is None:
            return _json({"messages": []})
        user = pseudonym(self.assistant.key, CHANNEL, conversation)
        kept = await asyncio.to_thread(holds.deliver_kept, user)
        variant = self.assistant.known_language_of(user)
        return _json(
            {
                "messages": [
                    {"id": m.id, "text": self.assistant.phrase(m.text, variant)}
                    if m.sender == handoff.NOTICE  # a sentence of content/phrases.yml, by key
                    else {"id": m.id, "text": m.text}
                    for m in kept
                ]
            }
        )

    async def send_texts(self, channel_user: str, address: str, texts: list[str]) -> Sent:
        """Staff messages: kept in the hand-off store until the tourist's page asks for them
        (``/api/updates``), at once while it is open, at the next visit otherwise."""
        return Sent(False, kept=True, why="until_the_page_asks")

    async def preflight(self, request: web.Request) -> web.Response:
        # Reached only for an allowed origin: the guard refused the others.
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": "POST",
                "Access-Control-Allow-Headers": "Content-Type",
                "Access-Control-Max-Age": "600",
            },
        )

    # Every request

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Origins checked on the API, errors as JSON, no traceback to anyone."""
        api = request.path.startswith("/api/")
        origin = request.headers.get("Origin", "")
        if api and not self._allowed(request, origin):
            logger.info("Web chat request refused: origin %r not allowed", origin[:100])
            response: web.StreamResponse = _json(
                {
                    "error": "origin_not_allowed",
                    "reason": "This page's origin may not use the chat.",
                },
                status=403,
            )
            return _secured(response)
        try:
            response = await handler(request)
        except BadRequest as refused:
            response = _error(refused)
        except web.HTTPException as http_error:
            if not api:
                raise
            code = _CODES.get(http_error.status, http_error.reason.lower().replace(" ", "_"))
            response = _json({"error": code, "reason": http_error.reason}, status=http_error.status)
        except Exception:
            logger.exception("Error while answering a web chat request on %s", request.path)
            variant = self.assistant.language_of(CHANNEL, "", None)
            response = _json(
                {"error": "internal", "message": self.assistant.phrase("sorry", variant)},
                status=500,
            )
        if api:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            response.headers["Cache-Control"] = "no-store"
        return _secured(response)

    def _allowed(self, request: web.Request, origin: str) -> bool:
        """An allowed origin, or the server's own (its Host, over HTTP or behind TLS)."""
        if not origin:
            return False  # browsers send Origin with every POST; scripts must too
        if origin in self.allowed:
            return True
        return origin in (f"http://{request.host}", f"https://{request.host}")

    def _address(self, request: web.Request) -> str:
        return client_address(
            request.remote,
            request.headers.get("X-Forwarded-For", ""),
            self.settings.trust_forwarded_for,
        )

    def _labels(self, variant: str) -> dict[str, str]:
        return {key: self.assistant.phrase(key, variant) for key in LABELS}

    def _answer(self, answer: Answer) -> dict[str, Any]:
        return {
            "language": answer.variant,
            "failed": answer.failed,
            "replies": [
                {"text": reply.text, "buttons": reply.buttons, "image": reply.image}
                for reply in answer.replies
            ],
            "labels": self._labels(answer.variant),
        }

    def _too_many(self, wait: float, variant: str) -> web.Response:
        seconds = max(1, math.ceil(min(wait, 3600)))
        response = _json(
            {
                "error": "too_many",
                "retry_after": seconds,
                "message": self.assistant.phrase("webchat_too_many", variant),
            },
            status=429,
        )
        response.headers["Retry-After"] = str(seconds)
        return response

    def _variant_of(self, value: dict[str, Any]) -> str:
        """What the tourist of this request reads: their conversation's language, else the browser's."""
        conversation = value.get("conversation")
        if not (isinstance(conversation, str) and is_ours(self.assistant.key, conversation)):
            conversation = ""  # a new tourist: the browser's language
        return self.assistant.language_of(
            CHANNEL, conversation, parse_language(value.get("language"))
        )


def _static(body: bytes, content_type: str, page: bool) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        response = web.Response(body=body, content_type=content_type, charset="utf-8")
        response.headers["Cache-Control"] = "no-cache" if page else "max-age=300"
        if page:
            response.headers["Content-Security-Policy"] = DEMO_POLICY
        return response

    return handler


def _json(value: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(value, status=status, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _error(refused: BadRequest, message: str = "") -> web.Response:
    value = {"error": refused.code, "reason": refused.reason}
    if message:
        value["message"] = message
    return _json(value, status=refused.status)


def _secured(response: web.StreamResponse) -> web.StreamResponse:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def serve(
    assistant: Assistant,
    webchat: WebChatSettings,
    deliveries: DeliveryStore | None = None,
    stop: asyncio.Event | None = None,
    limits: Limits | None = None,
) -> None:
    """Serves the widget, its API and the demo page until ``stop`` is set
    (by default: Ctrl-C or SIGTERM), then closes every connection."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(
        WebChat(assistant, webchat, limits).application(), access_log=None, handle_signals=False
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, webchat.listen, webchat.port)
        await site.start()
        print(
            f"Serving the web chat at http://{webchat.listen}:{webchat.port}/ (demo page).",
            flush=True,
        )
        await stop.wait()
    finally:
        await runner.cleanup()
