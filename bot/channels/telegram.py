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
- the same update delivered twice: answered once.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import signal
from typing import Deque, Dict, Optional, Set

from aiolimiter import AsyncLimiter
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.assistant import Answer, Assistant
from settings import TelegramSettings
from bot.channels.telegram_render import keyboard, split

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
LANGUAGE_CHOICES = (("fr", "Français"), ("zh", "中文"), ("en", "English"))
SEND_ATTEMPTS = 4  # network errors: retried with backoff 0.5 s, 1 s, 2 s
PER_CHAT_RATE = 1.0  # messages per second and chat (Telegram's guidance)

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
NOT_TEXT = (
    filters.Sticker.ALL | filters.VOICE | filters.AUDIO | filters.PHOTO | filters.VIDEO
    | filters.VIDEO_NOTE | filters.Document.ALL | filters.LOCATION | filters.VENUE
    | filters.CONTACT | filters.ANIMATION | filters.POLL | filters.Dice.ALL
)


class TelegramChannel:
    """Handlers that connect Telegram updates to the Assistant."""

    def __init__(self, assistant: Assistant, per_chat_rate: float = PER_CHAT_RATE) -> None:
        self.assistant = assistant
        self.per_chat_rate = per_chat_rate
        self._recent: Deque[int] = collections.deque(maxlen=10_000)
        self._recent_set: Set[int] = set()
        self._payloads: Dict[str, str] = {}  # short keys of long button payloads
        self._chat_locks: Dict[int, asyncio.Lock] = collections.defaultdict(asyncio.Lock)
        self._chat_limits: Dict[int, AsyncLimiter] = {}

    def register(self, application: Application) -> None:
        # Group -1 runs first for every update: duplicates stop there.
        application.add_handler(TypeHandler(Update, self.drop_duplicate), group=-1)
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

    # Handlers

    async def drop_duplicate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.update_id in self._recent_set:
            logger.info("Update %s delivered twice: answered once", update.update_id)
            raise ApplicationHandlerStop
        if len(self._recent) == self._recent.maxlen:
            self._recent_set.discard(self._recent[0])
        self._recent.append(update.update_id)
        self._recent_set.add(update.update_id)

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, client = update.effective_chat.id, _client_language(update)
        new_user = self.assistant.known_language(CHANNEL, str(chat)) is None
        await self._converse(context, chat, "/greet", client)
        if new_user and not _is_supported(client):
            # Greeted in English; offer the three languages at once.
            await self._send_menu(context, chat, "en")

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat.id
        language = self.assistant.language_of(CHANNEL, str(chat), _client_language(update))
        await self._send_text(context, chat, self.assistant.phrase("help", language))

    async def language_menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat.id
        await self._send_menu(context, chat, self.assistant.language_of(CHANNEL, str(chat), _client_language(update)))

    async def offers(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._converse(context, update.effective_chat.id, "/ask_offers", _client_language(update))

    async def events(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._converse(context, update.effective_chat.id, "/ask_events", _client_language(update))

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        await self._converse(context, update.effective_chat.id, message.text or "", _client_language(update))

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat.id
        kind = _kind_of(update)
        answer = self.assistant.not_text(CHANNEL, str(chat), kind, _client_language(update))
        await self._send_answer(context, chat, answer)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        try:
            await query.answer()  # stops the spinner on the tourist's button
        except TelegramError as error:
            logger.warning("Could not answer a callback query: %s", error)
        if query.message is None or query.data is None:
            return
        chat = query.message.chat.id
        data = self._payloads.get(query.data, query.data)
        if data.startswith("lang:") and data[5:] in ("fr", "zh", "en"):
            self.assistant.set_language(CHANNEL, str(chat), data[5:], _client_language(update))
            data = "/change_language"
        await self._converse(context, chat, data, _client_language(update))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Log first, with context but without the chat id; then be kind.
        kind = type(update).__name__
        update_id = getattr(update, "update_id", None)
        logger.error("Error while handling %s %s", kind, update_id, exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
            chat = update.effective_chat.id
            language = self.assistant.language_of(CHANNEL, str(chat), _client_language(update))
            try:
                await self._send_text(context, chat, self.assistant.phrase("sorry", language))
            except TelegramError:
                logger.exception("Could not tell the tourist about the error either")

    # Sending

    async def _converse(self, context, chat: int, text: str, client: Optional[str]) -> None:
        # One chat's messages are answered in order; chats run side by side.
        async with self._chat_locks[chat]:
            # "typing..." goes out while Rasa thinks, not before it starts.
            typing = asyncio.ensure_future(self._typing(context, chat))
            answer = await self.assistant.handle(CHANNEL, str(chat), text, client)
            await typing
            await self._send_answer(context, chat, answer)

    async def _typing(self, context, chat: int) -> None:
        try:
            await context.bot.send_chat_action(chat_id=chat, action=ChatAction.TYPING)
        except TelegramError as error:
            logger.debug("No typing indicator: %s", error)

    async def _send_answer(self, context, chat: int, answer: Answer) -> None:
        for reply in answer.replies:
            markup = keyboard(reply.buttons, self._payloads) if reply.buttons else None
            if reply.text:
                await self._send_text(context, chat, reply.text, markup)
            if reply.image:
                await self._send(context.bot.send_photo, chat, photo=reply.image)

    async def _send_text(self, context, chat: int, text: str, markup=None) -> None:
        pieces = split(text)
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            await self._send(
                context.bot.send_message, chat, text=piece, parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None,
            )

    async def _send_menu(self, context, chat: int, language: str) -> None:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(title, callback_data=f"lang:{code}") for code, title in LANGUAGE_CHOICES]]
        )
        await self._send_text(context, chat, self.assistant.phrase("choose_language", language), markup)

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


def _client_language(update: Update) -> Optional[str]:
    user = update.effective_user
    return user.language_code if user else None


def _is_supported(code: Optional[str]) -> bool:
    return bool(code) and code.split("-")[0].lower() in ("fr", "zh", "en")


def _kind_of(update: Update) -> str:
    message = update.effective_message
    for kind in ("sticker", "voice", "audio", "photo", "video", "video_note", "document",
                 "location", "venue", "contact", "animation", "poll", "dice"):
        if message is not None and getattr(message, kind, None):
            return kind
    return "other"


def build_application(
    token: str,
    assistant: Assistant,
    base_url: Optional[str] = None,
    per_chat_rate: float = PER_CHAT_RATE,
    rate_limited: bool = True,
) -> Application:
    """The python-telegram-bot Application with the channel's handlers.

    ``rate_limited=False`` (and a high ``per_chat_rate``) is for benchmarks
    against a local Bot API only: Telegram itself enforces its limits.
    """
    builder = (
        Application.builder()
        .token(token)
        .concurrent_updates(True)  # chats run side by side; each chat stays in order
    )
    if rate_limited:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # 30/s overall; honours RetryAfter
    if base_url:
        root = base_url.rstrip("/")
        builder = builder.base_url(root).base_file_url(root.replace("/bot", "/file/bot", 1))
    application = builder.build()
    TelegramChannel(assistant, per_chat_rate).register(application)
    return application


async def serve(assistant: Assistant, telegram: TelegramSettings) -> None:
    """Long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set; stops on Ctrl-C or SIGTERM."""
    # httpx logs every request URL, and Telegram's URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    application = build_application(telegram.token, assistant, telegram.api_base_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with application:
        await application.start()
        if telegram.webhook_url:
            await application.updater.start_webhook(
                listen=telegram.webhook_listen,
                port=telegram.webhook_port,
                url_path="telegram",
                webhook_url=telegram.webhook_url,
                secret_token=telegram.webhook_secret,  # requests without this header are refused
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        print("Serving tourists on Telegram. Ctrl-C to stop.", flush=True)
        await stop.wait()
        await application.updater.stop()
        await application.stop()
