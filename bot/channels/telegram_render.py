"""Turns the assistant's replies into what Telegram accepts.

Texts are sent in Telegram's HTML parse mode with everything escaped, so a
"<" in an answer or a tourist's quoted text can never break a message. Long
answers are cut under Telegram's 4096-character limit at paragraph, then line,
then word boundaries (``bot/core/render.py``). Buttons become inline keyboards whose callback data
carries the button's payload (at most 64 bytes; longer payloads get a short
key).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core import render

MAX_MESSAGE = 4096
MAX_CALLBACK_BYTES = 64


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def split(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Pieces of ``text``, each at most ``limit`` characters once escaped
    (cut as every channel cuts, ``bot/core/render.py``)."""
    return [escape(p) for p in render.split(text, limit, lambda t: len(escape(t)))]


def callback_data(payload: str, store: dict[str, str]) -> str:
    """The payload itself, or a short key remembered in ``store`` (``bot/core/render.py``)."""
    return render.short_payload(payload, store, MAX_CALLBACK_BYTES)


def keyboard(buttons: Sequence[dict[str, str]], store: dict[str, str]) -> InlineKeyboardMarkup:
    """One button per row: titles in three scripts are too long to pair."""
    rows = [
        [InlineKeyboardButton(b["title"][:64], callback_data=callback_data(b["payload"], store))]
        for b in buttons
    ]
    return InlineKeyboardMarkup(rows)
