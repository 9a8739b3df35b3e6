"""Telegram's limits, and an answer cut into the messages Telegram shows.

Texts go out in Telegram's HTML parse mode with everything escaped, so a "<" in an
answer can never break a message; the escaped text counts towards the 4,096
characters of a message. Buttons are inline keyboard buttons, one per row, under the
answer's last message; their callback data holds 64 bytes (``text.short_payload``).
"""

from __future__ import annotations

import html

from fitting import text

MAX_MESSAGE = 4096  # characters of a message, once escaped
MAX_CALLBACK_BYTES = 64  # bytes of UTF-8 in a button's callback data
MAX_BUTTON_TITLE = 64  # characters of a button's title the keyboard keeps


def escape(raw: str) -> str:
    return html.escape(raw, quote=False)


def pieces(raw: str, limit: int = MAX_MESSAGE) -> list[str]:
    """The messages of ``raw`` as the tourist reads them (not escaped), each at most
    ``limit`` characters once escaped."""
    return text.split(raw, limit, lambda t: len(escape(t)))


def button_title(title: str) -> str:
    return title[:MAX_BUTTON_TITLE]
