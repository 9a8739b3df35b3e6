"""The WeChat Official Account channel: WeChat's callback server on ``/wechat``.

WeChat posts each message a follower sends to the account as XML, signed with
the account's Token (and, in safe mode, encrypted with its EncodingAESKey:
``wechat_crypto.py``). A request with a wrong signature, or a timestamp more
than five minutes off, is refused (403) before anything is read or parsed.
GET with a right signature is WeChat checking the server URL: ``echostr`` is
returned as it came.

What each message gets:
- text: the assistant's answer; voice: the answer to WeChat's own speech
  recognition (``Recognition``), or, without one, the note that only text is
  read; image, location, link, video, short video, file: that note, in the
  user's language;
- ``subscribe`` (following the account, from a QR code or not): the greeting
  in Chinese, then the language menu; ``unsubscribe``: recorded, nothing said;
  a menu ``CLICK``: the topic of its key (``wechat-menu`` creates the menu);
  other events (opening a link of the menu, a location report): nothing.

WeChat has no buttons in a text: every reply's buttons become a numbered list
(``fitting/wechat.py``) answered with a digit, and all the replies of one answer
go in one text.

The five-second rule: WeChat waits five seconds for the HTTP answer, then
sends the same message again, twice. An answer ready within PASSIVE_DEADLINE
(4 s) is the HTTP answer itself (a passive reply: one text of at most 2,048
bytes of UTF-8, cut on a paragraph or character boundary). Otherwise WeChat is
answered "success" at once and the answer goes through the customer-service
message API when it is ready (``wechat_api.py``; possible within 48 hours of
the user's last message), in as many messages as it needs. A message seen
before (MsgId; for events, the sender and CreateTime) never reaches Rasa
again: a retry gets the passive reply already computed, or "success" when the
answer is on its way through the API. Messages are stored before they are
answered (the channel core's inbox, ``bot/core/inbox.py``), so a retry
reaching a restarted process is not answered twice, and what a stopped
process had not answered is sent through the API at the next start.

One follower's messages are answered in order, followers side by side. Staff
replies (hand-off) go out as customer-service messages (``send_texts``). The
OpenID never leaves this module: the Assistant turns it into a pseudonym, and
it is never logged (aiohttp's access log, which would show it, is off).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.channels.wechat_api import QUOTA, WINDOW_CLOSED, WeChatApi, WeChatError
from bot.channels.wechat_crypto import CryptoError, SafeMode, check_signature, fresh, signature
from bot.channels.wechat_messages import (
    MAX_BODY,
    MessageError,
    encrypted_reply,
    parse,
    text_reply,
)
from bot.channels.wechat_token_store import RedisTokenStore
from bot.core.assistant import Answer, Assistant
from bot.core.delivery_store import DeliveryStore
from bot.core.inbox import Delivery, Inbox
from bot.core.outbox import Sent
from fitting.wechat import HINT_PHRASE, one_text, passive_reply, sent_messages
from settings import WeChatSettings

logger = logging.getLogger(__name__)

CHANNEL = "wechat"
PATH = "/wechat"
PASSIVE_DEADLINE = 4.0  # seconds: WeChat gives up at 5 and sends the message again
RECENT_SECONDS = 120.0  # answers kept for WeChat's retries (they come within ~15 s)
DRAIN_SECONDS = 10.0  # how long stopping waits for answers on their way

# The menu's keys (``python -m bot wechat-menu``) and what each asks.
LANGUAGE_KEY = "language"
MENU_PAYLOADS = {
    "offers": "/ask_offers",
    "events": "/ask_events",
    "contact": "/contact_human",
}
NOT_TEXT_KINDS = frozenset({"image", "location", "link", "video", "shortvideo", "file", "voice"})


@dataclass
class Outgoing:
    """What one message is answered with: the text, and the turns it records."""

    text: str
    answers: list[Answer] = field(default_factory=list)


@dataclass
class _Turn:
    """One WeChat message being answered, shared by WeChat's retries of it."""

    open_id: str
    task: asyncio.Task | None = None
    late: bool = False  # the HTTP answer was "success": the API delivers
    ready: bool = False  # answered in time: the HTTP answer carries it
    at: float = field(default_factory=time.monotonic)


class WeChatChannel:
    def __init__(
        self,
        assistant: Assistant,
        wechat: WeChatSettings,
        deliveries: DeliveryStore,
        api: WeChatApi,
        deadline: float = PASSIVE_DEADLINE,
    ) -> None:
        self.assistant = assistant
        self.wechat = wechat
        self.deliveries = deliveries
        self.api = api
        self.deadline = deadline
        self.safe = (
            SafeMode(wechat.token, wechat.encoding_aes_key, wechat.app_id)
            if wechat.encoding_aes_key
            else None
        )
        self._recent: OrderedDict[str, _Turn] = OrderedDict()
        self.inbox: Inbox[Outgoing | None] = Inbox(
            CHANNEL, deliveries, self._answer, _reread, assistant.outbox.order
        )
        assistant.outbox.register(CHANNEL, self)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)  # a bigger body: 413, unread
        app.router.add_get(PATH, self.verify)
        app.router.add_post(PATH, self.receive)
        return app

    # HTTP

    async def verify(self, request: web.Request) -> web.Response:
        """WeChat checking the server URL (the account's server configuration)."""
        query = request.query
        if not self._signed(query):
            return web.Response(status=403)
        return web.Response(text=query.get("echostr", ""))

    async def receive(self, request: web.Request) -> web.Response:
        query = request.query
        if not self._signed(query):
            return web.Response(status=403)
        body = await request.read()
        try:
            fields, raw = self._open(body, query)
        except CryptoError as error:
            logger.warning("A WeChat message was refused: %s", error)
            return web.Response(status=403)
        except MessageError as error:
            logger.warning("A WeChat message could not be read: %s", error)
            return web.Response(status=400)
        try:
            text = await self._message(fields, raw)
        except Exception:  # never a traceback to WeChat, nor the tourist's id in the log
            logger.exception("Could not answer a WeChat %s", fields.get("MsgType", "message"))
            text = None
        if not text:
            return web.Response(text="success")
        reply = text_reply(fields["FromUserName"], fields.get("ToUserName", ""), text)
        if self.safe is not None:
            reply = self._sealed(reply)
        return web.Response(text=reply, content_type="application/xml")

    def _signed(self, query: Any) -> bool:
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        return fresh(timestamp) and check_signature(
            self.wechat.token, timestamp, nonce, query.get("signature", "")
        )

    def _open(self, body: bytes, query: Any) -> tuple[dict[str, str], str]:
        """The message's fields and its plain XML; in safe mode decrypted and checked."""
        if self.safe is None:
            fields = parse(body)
            raw = body.decode("utf-8")
        else:
            if query.get("encrypt_type") != "aes":
                raise CryptoError("a plain message while safe mode is configured")
            envelope = parse(body)
            raw = self.safe.decrypt(
                envelope.get("Encrypt", ""),
                query.get("timestamp", ""),
                query.get("nonce", ""),
                query.get("msg_signature", ""),
            )
            fields = parse(raw.encode("utf-8"))
        if not fields.get("FromUserName") or not fields.get("MsgType"):
            raise MessageError("no sender or no type")
        return fields, raw

    def _sealed(self, reply: str) -> str:
        assert self.safe is not None
        encrypted = self.safe.encrypt(reply)
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        return encrypted_reply(
            encrypted, signature(self.wechat.token, timestamp, nonce, encrypted), timestamp, nonce
        )

    # One message, and its retries

    async def _message(self, fields: dict[str, str], raw: str) -> str | None:
        """The passive reply's text, or None for "success"."""
        key = _delivery_id(fields)
        turn = self._recent.get(key)
        if turn is None:
            task = await self.inbox.receive(Delivery(key, fields["FromUserName"], raw, fields))
            if task is None:
                logger.info("A WeChat message answered before (or by an earlier process)")
                return None
            turn = self._remember(key, fields["FromUserName"], task)
        return await self._respond(turn)

    def _remember(self, key: str, open_id: str, task: asyncio.Task, late: bool = False) -> _Turn:
        """The message's turn, for WeChat's retries of it (before its task starts)."""
        self._forget_old()
        turn = _Turn(open_id, task, late=late)
        self._recent[key] = turn
        return turn

    async def _respond(self, turn: _Turn) -> str | None:
        assert turn.task is not None
        if not turn.late:
            await asyncio.wait({turn.task}, timeout=self.deadline)
            if turn.late:  # another request of this message gave up first
                return None
            if not turn.task.done() and not turn.ready:
                turn.late = True  # the task sends it through the API when ready
                logger.info("An answer took over %.1f s: it goes through the API", self.deadline)
                return None
            if not turn.task.done():  # answered in time, its delivery still being marked
                await asyncio.wait({turn.task})
            if turn.task.cancelled() or turn.task.exception() is not None:
                return None
            outgoing = turn.task.result()
            return passive_reply(outgoing.text) if outgoing else None
        return None

    async def _answer(self, delivery: Delivery) -> Outgoing | None:
        fields: dict[str, str] = delivery.item
        open_id = fields["FromUserName"]
        turn = self._recent.get(delivery.message_id)
        if turn is None:  # resumed after a restart: the API delivers
            turn = self._remember(delivery.message_id, open_id, asyncio.current_task(), late=True)  # type: ignore[arg-type]
        self.assistant.outbox.remember(CHANNEL, open_id)
        try:
            outgoing = await self._outgoing(open_id, fields)
        except Exception:
            logger.exception("Could not answer a WeChat %s", fields.get("MsgType", "message"))
            variant = self.assistant.language_of(CHANNEL, open_id)
            outgoing = Outgoing(self.assistant.phrase("sorry", variant))
        if turn.late and outgoing is not None:
            await self._deliver(open_id, outgoing)
        # No await since ``late`` was read: the HTTP answer (if still waiting)
        # carries this one, however long marking it answered takes.
        turn.ready = not turn.late
        return outgoing

    async def _deliver(self, open_id: str, outgoing: Outgoing) -> None:
        """Through the customer-service API, in pieces that fit; a refusal is recorded."""
        sent = await self.send_texts(open_id, open_id, [outgoing.text])
        if not sent.delivered:
            for answer in outgoing.answers:
                self.assistant.undelivered(answer, f"wechat {sent.why}")

    async def send_texts(self, channel_user: str, address: str, texts: list[str]) -> Sent:
        """Customer-service messages to this follower, in pieces that fit (the assistant's
        late answers and staff replies, ``bot/core/outbox.py``)."""
        for text in texts:
            for piece in sent_messages(text):
                try:
                    await self.api.send_text(address, piece)
                except WeChatError as error:
                    why = {WINDOW_CLOSED: "window_closed", QUOTA: "quota_used_up"}
                    logger.warning(
                        "WeChat did not deliver a message (%s: %s)",
                        error.code,
                        why.get(error.code, error),
                    )
                    return Sent(False, why=why.get(error.code, str(error.code)))
        return Sent(True)

    def _forget_old(self) -> None:
        limit = time.monotonic() - RECENT_SECONDS
        while self._recent:
            key, oldest = next(iter(self._recent.items()))
            if oldest.at > limit or (oldest.task is not None and not oldest.task.done()):
                break
            del self._recent[key]

    # What the assistant says

    async def _outgoing(self, open_id: str, fields: dict[str, str]) -> Outgoing | None:
        kind = fields.get("MsgType", "").lower()
        if kind == "text":
            return self._rendered(open_id, [await self._say(open_id, fields.get("Content", ""))])
        if kind == "voice" and fields.get("Recognition", "").strip():
            return self._rendered(open_id, [await self._say(open_id, fields["Recognition"])])
        if kind == "event":
            return await self._event(open_id, fields)
        shown = kind if kind in NOT_TEXT_KINDS else "other"
        return self._rendered(open_id, [self.assistant.not_text(CHANNEL, open_id, shown)])

    async def _event(self, open_id: str, fields: dict[str, str]) -> Outgoing | None:
        event = fields.get("Event", "").lower()
        if event == "subscribe":  # with a QR scene too (EventKey "qrscene_...")
            self.assistant.set_language(CHANNEL, open_id, "zh")
            greeting = await self._say(open_id, "/greet")
            menu = self.assistant.language_menu(CHANNEL, open_id)
            return self._rendered(open_id, [greeting, menu])
        if event == "unsubscribe":
            self.assistant.event(CHANNEL, open_id, "unsubscribe")
            return None
        if event == "click":
            key = fields.get("EventKey", "")
            if key == LANGUAGE_KEY:
                return self._rendered(open_id, [self.assistant.language_menu(CHANNEL, open_id)])
            if key in MENU_PAYLOADS:
                return self._rendered(open_id, [await self._say(open_id, MENU_PAYLOADS[key])])
            logger.warning("A menu key the channel does not know was clicked: %r", key[:40])
        return None  # VIEW, SCAN, LOCATION reports...: nothing to say

    async def _say(self, open_id: str, text: str) -> Answer:
        return await self.assistant.handle(CHANNEL, open_id, text)

    def _rendered(self, open_id: str, answers: list[Answer]) -> Outgoing:
        replies = [reply for answer in answers for reply in answer.replies]
        variant = answers[-1].variant
        text, payloads = one_text(replies, self.assistant.phrase(HINT_PHRASE, variant))
        self.assistant.offer(CHANNEL, open_id, payloads)
        return Outgoing(text, answers)

    # Life

    async def resume(self) -> int:
        """Answers, through the API, what a stopped process had received and not answered."""
        return await self.inbox.resume()

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Waits for the answers still on their way (then gives up on them)."""
        await self.inbox.finish(timeout)


def _reread(key: str, raw: str) -> Delivery | None:
    try:
        fields = parse(raw.encode("utf-8"))
    except MessageError:
        return None
    if not fields.get("FromUserName"):
        return None
    return Delivery(key, fields["FromUserName"], raw, fields)


def _delivery_id(fields: dict[str, str]) -> str:
    """WeChat's id of a message: MsgId; an event has none, so sender and time."""
    if fields.get("MsgId"):
        return fields["MsgId"]
    return f"event:{fields['FromUserName']}:{fields.get('CreateTime', '')}"


def build_api(wechat: WeChatSettings) -> WeChatApi:
    """The API client; its access token shared on Redis when REDIS_URL is set."""
    shared = RedisTokenStore(wechat.redis_url, wechat.app_id) if wechat.redis_url else None
    return WeChatApi(wechat.api_base_url, wechat.app_id, wechat.app_secret, shared=shared)


async def serve(
    assistant: Assistant,
    wechat: WeChatSettings,
    deliveries: DeliveryStore,
    stop: asyncio.Event,
    deadline: float = PASSIVE_DEADLINE,
) -> None:
    """WeChat's callback on WECHAT_LISTEN:WECHAT_PORT/wechat until ``stop`` is set."""
    api = build_api(wechat)
    channel = WeChatChannel(assistant, wechat, deliveries, api, deadline)
    runner = web.AppRunner(channel.app(), access_log=None)  # its lines would hold OpenIDs
    await runner.setup()
    try:
        site = web.TCPSite(runner, wechat.listen, wechat.port)
        await site.start()
        await channel.resume()
        print(
            f"Serving tourists on WeChat at http://{wechat.listen}:{wechat.port}{PATH}.", flush=True
        )
        await stop.wait()
    finally:
        await runner.cleanup()
        await channel.drain()
        await api.close()
