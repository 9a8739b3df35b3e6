"""Turns the assistant's replies into what Telegram accepts.

Texts are sent in Telegram's HTML parse mode with everything escaped, so a
"<" in an answer or a tourist's quoted text can never break a message. Long
answers are cut under Telegram's 4096-character limit at paragraph, then line,
then word boundaries. Buttons become inline keyboards whose callback data
carries the button's payload (at most 64 bytes; longer payloads get a short
key).
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

MAX_MESSAGE = 4096
MAX_CALLBACK_BYTES = 64


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def split(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Pieces of ``text``, each at most ``limit`` characters once escaped.

    Cut at a blank line if one is near enough, else at a line break, else at
    a space; a single word longer than the limit is the only thing ever cut.
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(escape(rest)) > limit:
        window = _fitting_prefix(rest, limit)
        cut = _last_boundary(window)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return [escape(p) for p in pieces]


def _fitting_prefix(text: str, limit: int) -> str:
    """The longest prefix whose escaped form fits in ``limit`` characters."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if len(escape(text[:middle])) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def _last_boundary(window: str) -> int:
    for separator in ("\n\n", "\n", " "):
        position = window.rfind(separator)
        if position > len(window) // 3:
            return position + len(separator)
    return len(window)  # one very long word: nothing better to do


def callback_data(payload: str, store: dict[str, str]) -> str:
    """The payload itself, or a short key remembered in ``store``."""
    if len(payload.encode("utf-8")) <= MAX_CALLBACK_BYTES:
        return payload
    key = "k:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]
    store[key] = payload
    return key


def keyboard(buttons: Sequence[dict[str, str]], store: dict[str, str]) -> InlineKeyboardMarkup:
    """One button per row: titles in three scripts are too long to pair."""
    rows = [
        [InlineKeyboardButton(b["title"][:64], callback_data=callback_data(b["payload"], store))]
        for b in buttons
    ]
    return InlineKeyboardMarkup(rows)
