"""Command line of the assistant: ``python -m bot {run,chat,ask}``.

- ``run``: what ``make run`` does: the Telegram channel when TELEGRAM_BOT_TOKEN
  is set (TELEGRAM_API_BASE_URL for another Bot API server, TELEGRAM_WEBHOOK_URL
  and TELEGRAM_WEBHOOK_SECRET for a webhook), else the terminal chat; and the
  staff review app on http://127.0.0.1:8000 (REVIEW_PORT).
- ``chat``: the terminal chat.
- ``ask --user ID``: for scripts and tests. Reads messages from standard input,
  one per line, and prints one JSON object per reply:
  ``{"in": N, "lang": ..., "text": ..., "buttons": [...]}``, N counting input
  lines from 0. A line that is a JSON object ``{"user": ID, "text": ...}``
  speaks as that user. Calls with the same --user continue one conversation.

Each starts Rasa and the action server unless RASA_URL points at a running
Rasa, and stops them when it ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
from typing import AsyncIterator, Optional, TextIO

from bot import services, settings as settings_module
from bot.assistant import Assistant, load_phrases
from bot.conversation_log import ConversationLog
from bot.pseudonym import load_key
from bot.rasa_client import RasaClient
from bot.settings import Settings
from bot.user_memory import UserMemory

logger = logging.getLogger(__name__)


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="serve tourists (Telegram if configured, else the terminal chat)")
    commands.add_parser("chat", help="chat in the terminal")
    ask = commands.add_parser("ask", help="answer standard input, one JSON reply per line")
    ask.add_argument("--user", default="cli-user", help="who is speaking (default: cli-user)")
    args = parser.parse_args(argv)

    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"), stream=sys.stderr)
    settings = settings_module.from_environment()
    try:
        if args.command == "ask":
            return asyncio.run(_ask(settings, args.user, sys.stdin, sys.stdout))
        token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
        review = services.start_review_app(settings) if args.command == "run" else None
        try:
            if args.command == "run" and token:
                return asyncio.run(_telegram(settings, token))
            if args.command == "run":
                print("No TELEGRAM_BOT_TOKEN set, so no Telegram: opening the terminal chat.", file=sys.stderr)
            return asyncio.run(_chat(settings))
        finally:
            services.stop_process(review)
    except services.ServiceError as error:
        print(f"Could not start the assistant: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


@contextlib.asynccontextmanager
async def running_assistant(settings: Settings) -> AsyncIterator[Assistant]:
    """An Assistant wired to Rasa: the one at RASA_URL, or one started here."""
    stack = contextlib.ExitStack()
    url = settings.rasa_url
    if not url:
        model = services.latest_model(settings.models_dir)
        if model is None:
            print("No trained model yet: training one (about a minute)...", file=sys.stderr)
            model = await asyncio.to_thread(services.train, settings)
        print("Starting Rasa and the action server...", file=sys.stderr)
        started = await asyncio.to_thread(services.Services(settings, model).start)
        stack.callback(started.stop)
        url = started.rasa_url
    rasa = RasaClient(url, timeout=settings.rasa_timeout)
    memory = UserMemory(settings.var_dir / "bot.db")
    log = ConversationLog(settings.var_dir / "conversations.db")
    try:
        yield Assistant(rasa, memory, load_key(settings.var_dir), load_phrases(settings.content_dir), log)
    finally:
        await rasa.close()
        memory.close()
        log.close()
        stack.close()


async def _telegram(settings: Settings, token: str) -> int:
    from bot.telegram_channel import serve

    settings.log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(settings.log_dir / "telegram.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(os.environ.get("LOG_LEVEL", "INFO"))
    async with running_assistant(settings) as assistant:
        await serve(assistant, token)
    return 0


async def _chat(settings: Settings) -> int:
    from bot.terminal import chat

    async with running_assistant(settings) as assistant:
        await chat(assistant)
    return 0


async def _ask(settings: Settings, default_user: str, lines: TextIO, out: TextIO) -> int:
    async with running_assistant(settings) as assistant:
        for number, line in enumerate(lines):
            user, text = default_user, line.rstrip("\n")
            stripped = text.strip()
            if stripped.startswith("{"):
                try:
                    message = json.loads(stripped)
                    if isinstance(message, dict) and "text" in message:
                        user = str(message.get("user") or default_user)
                        text = str(message["text"])
                except json.JSONDecodeError:
                    pass  # not JSON after all: an ordinary message
            answer = await assistant.handle("cli", user, text)
            for reply in answer.replies:
                record = {"in": number, "lang": answer.language, "text": reply.text, "buttons": reply.buttons}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
    return 0
