"""The Telegram channel, built on python-telegram-bot.

Tourists write to the bot in a private chat; each message goes through the
Assistant (pseudonym, language decision, Rasa) and the replies come back as
HTML-escaped messages with inline keyboards. The Telegram chat id never leaves
this module: the Assistant turns it into a pseudonym first.

What each kind of update gets:
- text in a private chat: the assistant's answer;
- a button press: the spinner stops, then the same as typing its payload;
- /start: the greeting in the client's language (English and a language menu
  when the client's language is not French, Chinese or English); /help,
  /language (menu), /offers, /events; any other command: /help;
- stickers, voice notes, photos, documents, locations, contacts, videos in a
  private chat: a short note, in the user's language, that only text is read;
- edited messages, messages in groups, channel posts: silence (the assistant
  answers people in private chats, and an edit is not a new question);
- the same update delivered twice: answered once, across restarts too.

Exactly once: every update is stored by the channel core's inbox
(``bot/core/inbox.py``, var/deliveries.db) when the Updater or the webhook
hands it over, so before the Updater's next getUpdates, or the webhook's 200,
tells Telegram it was handled; its handlers run in its chat's turn, and it is
marked answered once they ran. An update stored before is dropped, and the
updates a stopped or killed process had received but not answered are
answered at the next start. Staff replies (hand-off) go out through
``send_texts``, in the same chat's order.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal

from aiolimiter import AsyncLimiter
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.telegram_render import keyboard, split
from bot.core.assistant import LANGUAGE_CHOICES, Answer, Assistant
from bot.core.dedup import DedupStore
from bot.core.delivery_store import DeliveryStore
from bot.core.inbox import Delivery, Inbox
from bot.core.ordering import PerUserOrder
from bot.core.outbox import Sent
from settings import TelegramSettings

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
SEND_ATTEMPTS = 4  # network errors: retried with backoff 0.5 s, 1 s, 2 s
PER_CHAT_RATE = 1.0  # messages per second and chat (Telegram's guidance)

# The command menu, in this order, each described in the tourist's language (phrases command_*).
MENU_COMMANDS = ("language", "offers", "events", "help")
MENU_LANGUAGES = ("fr", "zh", "en")  # Telegram's language_code of the clients each menu is for

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
NOT_TEXT = (
    filters.Sticker.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.PHOTO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.Document.ALL
    | filters.LOCATION
    | filters.VENUE
    | filters.CONTACT
    | filters.ANIMATION
    | filters.POLL
    | filters.Dice.ALL
)


class TelegramChannel:
    """Handlers that connect Telegram updates to the Assistant."""

    def __init__(self, assistant: Assistant, per_chat_rate: float = PER_CHAT_RATE) -> None:
        self.assistant = assistant
        self.per_chat_rate = per_chat_rate
        self._payloads: dict[str, str] = {}  # short keys of long button payloads
        self._chat_limits: dict[int, AsyncLimiter] = {}

    def register(self, application: Application) -> None:
        # Duplicates never get here: the update queue drops them (DurableUpdateQueue),
        # and hands each update to its chat's turn (the channel core's Inbox).
        # Group 0, first match wins: commands, then text, then everything else.
        application.add_handler(CommandHandler("start", self.start, filters=PRIVATE))
        application.add_handler(CommandHandler("help", self.help, filters=PRIVATE))
        application.add_handler(CommandHandler("language", self.language_menu, filters=PRIVATE))
        application.add_handler(CommandHandler("offers", self.offers, filters=PRIVATE))
        application.add_handler(CommandHandler("events", self.events, filters=PRIVATE))
        application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, self.help))
        application.add_handler(MessageHandler(PRIVATE & filters.TEXT, self.text))
        application.add_handler(MessageHandler(PRIVATE & NOT_TEXT, self.not_text))
        application.add_handler(CallbackQueryHandler(self.button))
        application.add_error_handler(self.on_error)
        if isinstance(application.update_queue, DurableUpdateQueue):
            application.update_queue.application = application
        self.application = application
        self.assistant.outbox.register(CHANNEL, self)

    # Handlers

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, client = _chat(update), _client_language(update)
        new_user = self.assistant.known_language(CHANNEL, str(chat)) is None
        await self._converse(context, chat, "/greet", client)
        if new_user and not _is_supported(client):
            # Greeted in English; offer the three languages at once.
            await self._send_menu(context.bot, chat, "en")

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = _chat(update)
        language = self.assistant.language_of(CHANNEL, str(chat), _client_language(update))
        await self._send_text(context.bot, chat, self.assistant.phrase("help", language))

    async def language_menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = _chat(update)
        await self._send_menu(
            context.bot,
            chat,
            self.assistant.language_of(CHANNEL, str(chat), _client_language(update)),
        )

    async def offers(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._converse(context, _chat(update), "/ask_offers", _client_language(update))

    async def events(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._converse(context, _chat(update), "/ask_events", _client_language(update))

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        text = message.text if message is not None else ""
        await self._converse(context, _chat(update), text or "", _client_language(update))

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = _chat(update)
        kind = _kind_of(update)
        answer = self.assistant.not_text(CHANNEL, str(chat), kind, _client_language(update))
        await self._send_answer(context.bot, chat, answer)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()  # stops the spinner on the tourist's button
        except TelegramError as error:
            logger.warning("Could not answer a callback query: %s", error)
        if query.message is None or query.data is None:
            return
        chat = query.message.chat.id
        data = self._payloads.get(query.data, query.data)  # "lang:fr": the core sets it
        await self._converse(context, chat, data, _client_language(update))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Log first, with context but without the chat id; then be kind.
        kind = type(update).__name__
        update_id = getattr(update, "update_id", None)
        logger.error("Error while handling %s %s", kind, update_id, exc_info=context.error)
        if (
            isinstance(update, Update)
            and update.effective_chat
            and update.effective_chat.type == "private"
        ):
            chat = _chat(update)
            language = self.assistant.language_of(CHANNEL, str(chat), _client_language(update))
            try:
                await self._send_text(context.bot, chat, self.assistant.phrase("sorry", language))
            except TelegramError:
                logger.exception("Could not tell the tourist about the error either")

    # Sending

    async def _converse(self, context, chat: int, text: str, client: str | None) -> None:
        # One chat's updates come here in order (the Inbox), chats side by side.
        self.assistant.outbox.remember(CHANNEL, str(chat))
        # "typing..." goes out while Rasa thinks, not before it starts.
        typing = asyncio.ensure_future(self._typing(context, chat))
        answer = await self.assistant.handle(CHANNEL, str(chat), text, client)
        await typing
        await self._send_answer(context.bot, chat, answer)

    async def _typing(self, context, chat: int) -> None:
        try:
            await context.bot.send_chat_action(chat_id=chat, action=ChatAction.TYPING)
        except TelegramError as error:
            logger.debug("No typing indicator: %s", error)

    async def send_texts(self, channel_user: str, address: str, texts: list[str]) -> Sent:
        """A staff member's texts to this chat (``bot/core/outbox.py``): Telegram has no window."""
        for text in texts:
            try:
                await self._send_text(self.application.bot, int(address), text)
            except TelegramError as error:
                logger.warning("A staff reply was not sent: %s", error)
                return Sent(False, why="not_sent")
        return Sent(True)

    async def _send_answer(self, bot, chat: int, answer: Answer) -> None:
        for reply in answer.replies:
            markup = keyboard(reply.buttons, self._payloads) if reply.buttons else None
            if reply.text:
                await self._send_text(bot, chat, reply.text, markup)
                if reply.location:
                    latitude, longitude = reply.location
                    await self._send(
                        bot.send_location, chat, latitude=latitude, longitude=longitude
                    )
            if reply.image:
                await self._send(bot.send_photo, chat, photo=reply.image)

    async def _send_text(self, bot, chat: int, text: str, markup=None) -> None:
        pieces = split(text)
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            await self._send(
                bot.send_message,
                chat,
                text=piece,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None,
            )

    async def _send_menu(self, bot, chat: int, language: str) -> None:
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(title, callback_data=f"lang:{code}")
                    for code, title in LANGUAGE_CHOICES
                ]
            ]
        )
        await self._send_text(bot, chat, self.assistant.phrase("choose_language", language), markup)

    async def _send(self, method, chat: int, **kwargs) -> None:
        """At most PER_CHAT_RATE messages a second per chat; network errors retried."""
        limiter = self._chat_limits.setdefault(chat, AsyncLimiter(1, 1 / self.per_chat_rate))
        delay = 0.5
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                async with limiter:
                    await method(chat_id=chat, **kwargs)
                return
            except RetryAfter:
                raise  # the rate limiter already waited and retried as Telegram asked
            except (NetworkError, TimedOut) as error:
                if attempt == SEND_ATTEMPTS:
                    raise
                logger.warning("Sending failed (%s), retrying in %.1f s", error, delay)
                await asyncio.sleep(delay)
                delay *= 2


async def set_command_menu(bot, assistant: Assistant) -> None:
    """The menu of commands Telegram shows beside the message box, in French, Chinese
    and English for clients in those languages, in English for the others
    (setMyCommands with a language_code, as python-telegram-bot's example bots do).
    A refusal is logged: the commands work without the menu."""
    menus = [(code, code) for code in MENU_LANGUAGES] + [(None, "en")]
    for language_code, language in menus:
        commands = [
            BotCommand(name, assistant.phrase(f"command_{name}", language))
            for name in MENU_COMMANDS
        ]
        try:
            await bot.set_my_commands(commands, language_code=language_code)
        except TelegramError as error:
            logger.warning("Telegram did not take the command menu (%s): %s", language, error)


class DurableUpdateQueue(asyncio.Queue):
    """The Application's update queue, which hands each update to the channel core's Inbox.

    The Updater puts the updates of one getUpdates here and confirms them to
    Telegram with its next getUpdates; the webhook answers Telegram once the
    update is here. Either way the update is on disk first (``DeliveryStore``),
    then its handlers run in its chat's turn (``Application.process_update``)
    and it is marked answered.
    """

    def __init__(self, store: DeliveryStore, order: PerUserOrder | None = None) -> None:
        super().__init__()
        self.store = store
        self.application: Application | None = None  # set by TelegramChannel.register
        self.inbox: Inbox[None] = Inbox(CHANNEL, store, self._process, self._reread, order)
        self._bot = None

    async def put(self, item) -> None:
        if isinstance(item, Update):
            payload = json.dumps(item.to_dict(), ensure_ascii=False)
            await self.inbox.receive(Delivery(_delivery_id(item), _order_key(item), payload, item))
            return
        await super().put(item)  # the Application's own signals

    async def _process(self, delivery: Delivery) -> None:
        if self.application is None:
            raise RuntimeError("the update queue is not registered with an Application")
        await self.application.process_update(delivery.item)

    async def resume(self, bot) -> int:
        """Answers the updates received but not answered before a stop or a crash."""
        self._bot = bot
        return await self.inbox.resume()

    def _reread(self, delivery_id: str, payload: str) -> Delivery | None:
        if self._bot is None or not delivery_id.startswith(f"{self._bot.id}:"):
            return None  # updates of this bot only
        update = Update.de_json(json.loads(payload), self._bot)
        return Delivery(delivery_id, _order_key(update), payload, update)

    async def finish(self) -> None:
        """Waits for the updates being answered (those cut short: at the next start)."""
        await self.inbox.finish()


def _delivery_id(update: Update) -> str:
    """The platform's id of an update: update ids are per bot, so with the bot's id."""
    try:
        bot_id = update.get_bot().id
    except RuntimeError:  # an update built without a bot (tests)
        bot_id = 0
    return f"{bot_id}:{update.update_id}"


def _order_key(update: Update) -> str:
    """Updates of one chat are answered in order; others (no chat) by themselves."""
    chat = update.effective_chat
    return str(chat.id) if chat is not None else f"update:{update.update_id}"


def _chat(update: Update) -> int:
    """The chat of a message the handlers' filters let through (a private chat: never None)."""
    chat = update.effective_chat
    if chat is None:
        raise ValueError(f"update {update.update_id} has no chat")
    return chat.id


def _client_language(update: Update) -> str | None:
    user = update.effective_user
    return user.language_code if user else None


def _is_supported(code: str | None) -> bool:
    return code is not None and code.split("-")[0].lower() in ("fr", "zh", "en")


def _kind_of(update: Update) -> str:
    message = update.effective_message
    for kind in (
        "sticker",
        "voice",
        "audio",
        "photo",
        "video",
        "video_note",
        "document",
        "location",
        "venue",
        "contact",
        "animation",
        "poll",
        "dice",
    ):
        if message is not None and getattr(message, kind, None):
            return kind
    return "other"


def build_application(
    token: str,
    assistant: Assistant,
    base_url: str | None = None,
    per_chat_rate: float = PER_CHAT_RATE,
    rate_limited: bool = True,
    deliveries: DeliveryStore | None = None,
) -> Application:
    """The python-telegram-bot Application with the channel's handlers.

    ``deliveries`` remembers updates across restarts (var/deliveries.db); without
    it they are remembered in memory, for this process only.
    ``rate_limited=False`` (and a high ``per_chat_rate``) is for benchmarks
    against a local Bot API only: Telegram itself enforces its limits.
    """
    builder = (
        Application.builder()
        .token(token)
        .concurrent_updates(True)  # chats run side by side; each chat stays in order
        .update_queue(
            DurableUpdateQueue(deliveries or DedupStore(":memory:"), assistant.outbox.order)
        )
    )
    if rate_limited:
        # 30/s overall; honours RetryAfter. (PTB types the builder by its rate
        # limiter's arguments, so reassigning it to the same variable does not type.)
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    if base_url:
        root = base_url.rstrip("/")
        builder = builder.base_url(root).base_file_url(root.replace("/bot", "/file/bot", 1))
    application = builder.build()
    TelegramChannel(assistant, per_chat_rate).register(application)
    return application


async def serve(
    assistant: Assistant,
    telegram: TelegramSettings,
    deliveries: DeliveryStore,
    stop: asyncio.Event | None = None,
) -> None:
    """Long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set, until ``stop`` is set
    (by default: Ctrl-C or SIGTERM)."""
    # httpx logs every request URL, and Telegram's URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    application = build_application(
        telegram.token, assistant, telegram.api_base_url, deliveries=deliveries
    )
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    updater = application.updater
    if updater is None:  # the builder makes one unless told not to
        raise RuntimeError("the Telegram Application has no Updater")
    async with application:
        await application.start()
        await set_command_menu(application.bot, assistant)
        updates = application.update_queue
        if isinstance(updates, DurableUpdateQueue):
            await updates.resume(application.bot)  # what a stop or a crash left unanswered
        if telegram.webhook_url:
            await updater.start_webhook(
                listen=telegram.webhook_listen,
                port=telegram.webhook_port,
                url_path="telegram",
                webhook_url=telegram.webhook_url,
                secret_token=telegram.webhook_secret,  # requests without this header are refused
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        print("Serving tourists on Telegram. Ctrl-C to stop.", flush=True)
        await stop.wait()
        await updater.stop()
        if isinstance(updates, DurableUpdateQueue):
            await updates.finish()
        await application.stop()
