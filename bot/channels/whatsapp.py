"""The WhatsApp channel: Meta's WhatsApp Business Cloud API, served by aiohttp.

Meta calls the webhook ``/whatsapp`` (behind the office's TLS proxy):

- ``GET`` once, when the office sets the webhook up: ``hub.mode=subscribe``, the
  verify token the office chose (compared in constant time) and a challenge,
  echoed back;
- ``POST`` for every delivery: its ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw
  body with the app secret) is checked in constant time over the bytes as they
  came (JSON re-serialised would differ on accents, emoji and "\\/"); a wrong or
  missing signature gets 403 and nothing is read.

A signed delivery gets its 200 at once (Meta retries slow or failed deliveries,
for days): each message is first stored by the channel core's inbox
(``bot/core/inbox.py``, channel "whatsapp"), so a message delivered again is
dropped and one stored but not answered when the process stopped is answered at
the next start. Then, in the background, one tourist's messages in order,
tourists side by side: the message is marked read, goes through the Assistant,
and the replies go out as texts, reply buttons or a list (``fitting/whatsapp.py``).
Staff replies (hand-off) go out through the same sender (``send_texts``).

Statuses (sent, delivered, read, failed) are counted, not answered; a failed one
marks the turn it belongs to undelivered in the conversation log (the channel
remembers which turn each message it sent belongs to, for the last
``REMEMBERED_SENT`` messages). Errors of the Graph API (``whatsapp_api.py``): 131047
(the 24 h window is closed): nothing sent, the turn marked undelivered; rate
limits waited for and retried; an expired token (190) logged once, the channel
keeps serving. WhatsApp ids (wa_id, BSUID, wamid) never leave this module: the
Assistant sees a pseudonym, the logs neither.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import hmac
import json
import logging

from aiohttp import web

from bot.channels.whatsapp_api import REENGAGEMENT, GraphApi, Refused, SendFailed, TokenRefused
from bot.channels.whatsapp_messages import BUTTON, SYSTEM, TEXT, WELCOME, Incoming, Status, parse
from bot.core.assistant import Answer, Assistant
from bot.core.delivery_store import DeliveryStore
from bot.core.inbox import Delivery, Inbox
from bot.core.outbox import Sent
from fitting.whatsapp import Labels, messages_for
from settings import WhatsAppSettings

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
PATH = "/whatsapp"
REMEMBERED_SENT = 10_000  # wamid -> answer, for failed statuses arriving later
MAX_BODY_BYTES = 1024 * 1024  # Meta's deliveries are a few kB
STOP_SECONDS = 10.0  # answers under way get this long to finish when the channel stops


class WhatsAppChannel:
    def __init__(
        self,
        assistant: Assistant,
        whatsapp: WhatsAppSettings,
        deliveries: DeliveryStore,
        api: GraphApi | None = None,
    ) -> None:
        self.assistant = assistant
        self.settings = whatsapp
        self.deliveries = deliveries
        self.inbox: Inbox[None] = Inbox(
            CHANNEL, deliveries, self._answer, _reread, assistant.outbox.order
        )
        assistant.outbox.register(CHANNEL, self)
        self.api = api or GraphApi(
            whatsapp.api_base_url, whatsapp.phone_number_id, whatsapp.access_token
        )
        self.statuses: collections.Counter[str] = collections.Counter()
        self._payloads: dict[str, str] = {}  # short keys of long button payloads
        self._sent: collections.OrderedDict[str, Answer] = collections.OrderedDict()
        self._undelivered: set[str] = set()  # turns already marked
        # wamid -> codes of a "failed" status that arrived before the send's own
        # response was read (Meta's webhook can overtake it): applied then.
        self._failed_early: collections.OrderedDict[str, str] = collections.OrderedDict()
        self._token_reported = False

    # The webhook

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_get(PATH, self.verify)
        app.router.add_post(PATH, self.deliver)
        return app

    async def verify(self, request: web.Request) -> web.Response:
        """Meta's subscription check: the challenge echoed when the verify token matches."""
        query = request.query
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") == "subscribe" and _same(token, self.settings.verify_token):
            return web.Response(text=query.get("hub.challenge", ""))
        logger.warning("A webhook verification with a wrong verify token was refused")
        return web.Response(status=403)

    async def deliver(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if not self.signed(raw, request.headers.get("X-Hub-Signature-256", "")):
            logger.warning("A delivery without a valid X-Hub-Signature-256 was refused")
            return web.Response(status=403)
        delivery = parse(raw)
        for message in delivery.messages:
            await self.inbox.receive(
                Delivery(message.message_id, message.user, message.to_json(), message)
            )
        for status in delivery.statuses:
            self._on_status(status)
        return web.Response(text="OK")  # at once: the answers follow in the background

    def signed(self, raw: bytes, header: str) -> bool:
        expected = hmac.new(self.settings.app_secret.encode(), raw, hashlib.sha256).hexdigest()
        return _same(header, f"sha256={expected}")

    # Answering

    async def resume(self) -> int:
        """Answers the messages stored but not answered before the last stop or crash."""
        return await self.inbox.resume()

    async def _answer(self, delivery: Delivery) -> None:
        message: Incoming = delivery.item
        self.assistant.outbox.remember(CHANNEL, message.user, json.dumps(message.address))
        read = None
        try:
            if message.kind != SYSTEM:  # the blue ticks go out while Rasa thinks
                read = asyncio.ensure_future(self.api.mark_read(message.message_id))
            answer = await self._understood(message)
            if read is not None:
                await read  # read before answered, as the tourist expects
            if answer is not None:
                await self._send_answer(message.address, answer)
        except asyncio.CancelledError:
            if read is not None:
                read.cancel()
            raise  # stopped midway: answered at the next start

    async def send_texts(self, channel_user: str, address: str, texts: list[str]) -> Sent:
        """A staff member's texts to this tourist (``bot/core/outbox.py``)."""
        for text in texts:
            try:
                await self.api.send(json.loads(address), {"type": "text", "text": {"body": text}})
            except Refused as error:
                if error.code == REENGAGEMENT:
                    return Sent(False, why="window_closed")
                return Sent(False, why=f"refused ({error.code})")
            except (TokenRefused, SendFailed) as error:
                return Sent(False, why=f"not sent ({type(error).__name__})")
        return Sent(True)

    async def _understood(self, message: Incoming) -> Answer | None:
        if message.kind == SYSTEM:
            return None
        if message.kind == WELCOME:
            return await self.assistant.handle(CHANNEL, message.user, "/greet")
        if message.kind == TEXT:
            return await self.assistant.handle(CHANNEL, message.user, message.text)
        if message.kind == BUTTON:
            payload = self._payloads.get(message.text, message.text)
            return await self.assistant.handle(CHANNEL, message.user, payload)
        return self.assistant.not_text(CHANNEL, message.user, message.kind)

    async def _send_answer(self, address: dict[str, str], answer: Answer) -> None:
        labels = Labels.from_phrases(lambda key: self.assistant.phrase(key, answer.variant))
        for reply in answer.replies:
            for outgoing in messages_for(reply.text, reply.buttons, self._payloads, labels):
                if not await self._send(address, outgoing, answer):
                    return  # the rest would not get through either
            if reply.image:
                image = {"type": "image", "image": {"link": reply.image}}
                if not await self._send(address, image, answer):
                    return

    async def _send(self, address: dict[str, str], outgoing: dict, answer: Answer) -> bool:
        try:
            wamid = await self.api.send(address, outgoing)
        except TokenRefused:
            if not self._token_reported:
                self._token_reported = True
                logger.error(
                    "WhatsApp refused the access token (code 190: expired or revoked): "
                    "nothing can be sent until WHATSAPP_ACCESS_TOKEN is replaced"
                )
            self._mark_undelivered(answer, "access token refused (190)")
            return False
        except Refused as error:
            if error.code == REENGAGEMENT:
                why = "more than 24 h since the tourist's last message (131047)"
            else:
                why = f"refused by WhatsApp ({error})"
            self._mark_undelivered(answer, why)
            return False
        except SendFailed as error:
            self._mark_undelivered(answer, f"not sent after retries ({error})")
            return False
        self._token_reported = False  # a token that works again: report the next failure
        if wamid:
            self._sent[wamid] = answer
            while len(self._sent) > REMEMBERED_SENT:
                self._sent.popitem(last=False)
            if wamid in self._failed_early:
                self._mark_undelivered(answer, f"failed status ({self._failed_early.pop(wamid)})")
        return True

    def _on_status(self, status: Status) -> None:
        self.statuses[status.status] += 1
        if status.status != "failed":
            return
        answer = self._sent.get(status.message_id)
        codes = ", ".join(str(c) for c in status.errors) or "no code"
        if answer is None:  # not sent by this process yet, or long ago
            self._failed_early[status.message_id] = codes
            while len(self._failed_early) > REMEMBERED_SENT:
                self._failed_early.popitem(last=False)
            logger.warning(
                "A WhatsApp message failed (%s) before its sending was recorded, or too "
                "long ago to find its turn",
                codes,
            )
            return
        self._mark_undelivered(answer, f"failed status ({codes})")

    def _mark_undelivered(self, answer: Answer, why: str) -> None:
        if answer.turn and answer.turn in self._undelivered:
            return
        if answer.turn:
            self._undelivered.add(answer.turn)
            if len(self._undelivered) > REMEMBERED_SENT:
                self._undelivered.clear()
        self.assistant.undelivered(answer, why)

    async def finish(self, timeout: float = STOP_SECONDS) -> None:
        """Waits for the answers under way; those cut short are answered at the next start."""
        await self.inbox.finish(timeout)
        await self.api.close()


def _reread(message_id: str, payload: str) -> Delivery | None:
    message = Incoming.from_json(payload)
    return None if message is None else Delivery(message_id, message.user, payload, message)


def _same(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


async def serve(
    assistant: Assistant,
    whatsapp: WhatsAppSettings,
    deliveries: DeliveryStore,
    stop: asyncio.Event,
) -> None:
    """The webhook on WHATSAPP_LISTEN:WHATSAPP_PORT until ``stop`` is set."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # no request line per message
    await run(WhatsAppChannel(assistant, whatsapp, deliveries), stop)


async def run(
    channel: WhatsAppChannel, stop: asyncio.Event, ready: asyncio.Event | None = None
) -> None:
    """Serves ``channel``'s webhook, answers what the last run left, and cleans up once
    ``stop`` is set: no new delivery, then the answers under way finish."""
    whatsapp = channel.settings
    runner = web.AppRunner(channel.application(), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, whatsapp.listen, whatsapp.port)
        await site.start()
        print(
            f"Serving tourists on WhatsApp at http://{whatsapp.listen}:{whatsapp.port}{PATH}",
            flush=True,
        )
        await channel.resume()
        if ready is not None:
            ready.set()
        await stop.wait()
    finally:
        await runner.cleanup()
        await channel.finish()
