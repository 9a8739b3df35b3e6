"""Command line of the assistant: ``python -m bot {run,chat,ask,train,wechat-menu}``.

- ``run``: what ``make run`` does: every channel whose settings are present
  (Telegram, WeChat, WhatsApp, the web chat), side by side on one assistant,
  else the terminal chat; and the staff review app on http://127.0.0.1:8000
  (REVIEW_PORT).
- ``chat``: the terminal chat.
- ``ask --user ID``: for scripts and tests (``bot/channels/ask.py``).
- ``train``: trains the model when the training data or config changed.
- ``wechat-menu``: creates the WeChat Official Account's menu through WeChat's
  API, from the content's phrases in Chinese (``bot/channels/wechat_menu.py``).

Each starts Rasa and the action server unless RASA_URL points at a running
Rasa, and stops them when it ends. Settings: ``settings/__init__.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import signal
import sys
import time
from collections.abc import AsyncIterator

import settings as settings_module
from bot import services
from bot.core import delivery_store, log_redaction
from bot.core.assistant import Assistant
from bot.core.conversation_log import ConversationLog
from bot.core.delivery_store import DeliveryStore
from bot.core.handoff_relay import Relay
from bot.core.outbox import AddressBook, Outbox
from bot.core.pseudonym import load_key
from bot.core.rasa_client import RasaClient
from bot.core.user_memory import UserMemory
from curated.live import LiveContent
from handoff.store import HandoffStore
from rasa_extensions import command as rasa_command
from settings import SettingError, Settings

logger = logging.getLogger(__name__)


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "run", help="serve tourists on every configured channel (else the terminal chat)"
    )
    commands.add_parser("chat", help="chat in the terminal")
    ask = commands.add_parser("ask", help="answer standard input, one JSON reply per line")
    ask.add_argument("--user", default="cli-user", help="who is speaking (default: cli-user)")
    commands.add_parser("train", help="train the model if the training data or config changed")
    commands.add_parser(
        "wechat-menu", help="create the WeChat Official Account's menu (WECHAT_* settings)"
    )
    args = parser.parse_args(argv)

    try:
        settings = settings_module.from_environment()
    except SettingError as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level or "WARNING", stream=sys.stderr)
    log_redaction.install(_secrets(settings))  # every record, every level and handler
    try:
        if args.command == "train":
            return _train(settings)
        if args.command == "wechat-menu":
            return asyncio.run(_wechat_menu(settings))
        if args.command == "ask":
            return asyncio.run(_ask(settings, args.user))
        review = services.start_review_app(settings) if args.command == "run" else None
        try:
            if args.command == "run" and settings.channels:
                return asyncio.run(_serve_channels(settings))
            if args.command == "run":
                print(
                    "No channel configured (TELEGRAM_BOT_TOKEN, WECHAT_TOKEN, WHATSAPP_ACCESS_TOKEN, "
                    "WEBCHAT_PORT): opening the terminal chat.",
                    file=sys.stderr,
                )
            return asyncio.run(_chat(settings))
        finally:
            services.stop_process(review)
    except services.ServiceError as error:
        print(f"Could not start the assistant: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _secrets(settings: Settings) -> list:
    """What the logs must never show."""
    telegram, wechat, whatsapp = settings.telegram, settings.wechat, settings.whatsapp
    return [
        settings.pseudonym_key,
        settings.redis_url,
        settings.tracker_store_url,  # may hold the database's password
        telegram and telegram.token,
        telegram and telegram.webhook_secret,
        wechat and wechat.token,
        wechat and wechat.app_secret,
        wechat and wechat.encoding_aes_key,
        whatsapp and whatsapp.access_token,
        whatsapp and whatsapp.app_secret,
        whatsapp and whatsapp.verify_token,
    ]


def _train(settings: Settings) -> int:
    """``make train``: Rasa's own progress on the terminal (its libraries' warnings only
    in var/log/train.log); quick when nothing changed."""
    before = rasa_command.latest_model(settings.models_dir)
    print(
        "Training the model if its data changed (a few minutes on a fresh clone; Rasa's progress follows)...",
        file=sys.stderr,
        flush=True,
    )
    started = time.monotonic()
    model = services.train(settings, quiet=False)
    verb = "unchanged" if model == before else "trained"
    print(
        f"Model {verb}: {model} ({time.monotonic() - started:.0f} s; "
        f"all that Rasa printed: {settings.log_dir / 'train.log'}).",
        file=sys.stderr,
    )
    return 0


@contextlib.asynccontextmanager
async def running_assistant(settings: Settings) -> AsyncIterator[Assistant]:
    """An Assistant wired to Rasa: the one at RASA_URL, or one started here."""
    stack = contextlib.ExitStack()
    urls = list(settings.rasa_urls) or ([settings.rasa_url] if settings.rasa_url else [])
    if not urls:
        model = rasa_command.latest_model(settings.models_dir)
        if model is None:
            print("No trained model yet: training one (a few minutes)...", file=sys.stderr)
            model = await asyncio.to_thread(services.train, settings)
        print("Starting Rasa and the action server (about half a minute)...", file=sys.stderr)
        started = await asyncio.to_thread(services.Services(settings, model).start)
        stack.callback(started.stop)
        urls = started.rasa_urls
    rasa = RasaClient(urls, timeout=settings.rasa_timeout)
    memory = UserMemory(settings.var_dir / "bot.db")
    log = ConversationLog(settings.var_dir / "conversations.db")
    key = load_key(settings.var_dir, settings.pseudonym_key)
    addresses = AddressBook(settings.var_dir / "addresses.db")
    outbox = Outbox(key, addresses)
    holds = HandoffStore(settings.tracker_store, settings.handoff_quiet_minutes * 60)
    try:
        yield Assistant(rasa, memory, key, LiveContent(settings.content_dir), log, outbox, holds)
    finally:
        await rasa.close()
        memory.close()
        log.close()
        addresses.close()
        holds.close()
        stack.close()


async def _serve_channels(settings: Settings) -> int:
    """Every configured channel on one assistant, until Ctrl-C or SIGTERM stops them all."""
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(settings.log_dir / "channels.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(settings.log_level or "INFO")
    # httpx logs every request URL, and Telegram's URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    deliveries = delivery_store.open_store(settings.var_dir, settings.redis_url)
    try:
        async with running_assistant(settings) as assistant:
            servers = [
                asyncio.create_task(_serve_one(name, settings, assistant, deliveries, stop))
                for name in settings.channels
            ]
            if assistant.holds is not None:  # staff replies out, quiet hand-offs back
                servers.append(asyncio.create_task(Relay(assistant, assistant.holds).run(stop)))
            done, _pending = await asyncio.wait(servers, return_when=asyncio.FIRST_EXCEPTION)
            stop.set()  # one channel failed to start: stop the others cleanly
            await asyncio.gather(*servers, return_exceptions=True)
            for task in done:
                if task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
    finally:
        deliveries.close()
    return 0


async def _serve_one(
    name: str,
    settings: Settings,
    assistant: Assistant,
    deliveries: DeliveryStore,
    stop: asyncio.Event,
) -> None:
    """One channel: ``bot/channels/<name>.py``'s ``serve``, with its settings."""
    module = importlib.import_module(f"bot.channels.{name}")
    await module.serve(assistant, getattr(settings, name), deliveries, stop)


async def _chat(settings: Settings) -> int:
    from bot.channels.terminal import chat

    async with running_assistant(settings) as assistant:
        await chat(assistant)
    return 0


async def _ask(settings: Settings, default_user: str) -> int:
    from bot.channels.ask import answer_lines

    async with running_assistant(settings) as assistant:
        await answer_lines(assistant, default_user, sys.stdin.buffer, sys.stdout)
    return 0


async def _wechat_menu(settings: Settings) -> int:
    from bot.channels.wechat import build_api
    from bot.channels.wechat_api import WeChatError
    from bot.channels.wechat_menu import MenuError, menu

    if settings.wechat is None:
        print("WECHAT_TOKEN, WECHAT_APP_ID and WECHAT_APP_SECRET are needed.", file=sys.stderr)
        return 2
    phrases = LiveContent(settings.content_dir).get()
    try:
        definition = menu(lambda key: phrases.phrase(key, "zh"))
    except MenuError as error:
        print(error, file=sys.stderr)
        return 2
    api = build_api(settings.wechat)
    try:
        await api.create_menu(definition)
    except WeChatError as error:
        print(f"WeChat refused the menu: {error}", file=sys.stderr)
        return 1
    finally:
        await api.close()
    names = [button["name"] for button in definition["button"]]
    print(f"WeChat menu created: {' | '.join(names)}.")
    return 0
