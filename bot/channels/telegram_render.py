"""Turns the assistant's replies into what Telegram accepts.

Texts are sent in Telegram's HTML parse mode with everything escaped, so a
"<" in an answer or a tourist's quoted text can never break a message. Long
answers are cut under Telegram's 4096-character limit at paragraph, then line,
then word boundaries, and buttons' titles and callback data kept within Telegram's
limits, by ``fitting/telegram.py`` (which the content editor's preview shows too).
Buttons become inline keyboards whose callback data carries the button's payload
(at most 64 bytes; longer payloads get a short key).
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from fitting.telegram import MAX_CALLBACK_BYTES, MAX_MESSAGE, button_title, escape, pieces
from fitting.text import short_payload

__all__ = ["MAX_CALLBACK_BYTES", "callback_data", "escape", "keyboard", "split"]


def split(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """The messages of ``text`` as sent: escaped, each at most ``limit`` characters
    (cut as every channel cuts, ``fitting/telegram.py``)."""
    return [escape(piece) for piece in pieces(text, limit)]


def callback_data(payload: str, store: dict[str, str]) -> str:
    """The payload itself, or a short key remembered in ``store`` (``fitting/text.py``)."""
    return short_payload(payload, store, MAX_CALLBACK_BYTES)


def keyboard(buttons: Sequence[dict[str, str]], store: dict[str, str]) -> InlineKeyboardMarkup:
    """One button per row: titles in three scripts are too long to pair."""
    rows = [
        [
            InlineKeyboardButton(
                button_title(b["title"]), callback_data=callback_data(b["payload"], store)
            )
        ]
        for b in buttons
    ]
    return InlineKeyboardMarkup(rows)
