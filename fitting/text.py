"""Texts made to fit a limit, the same way for every channel.

Each messaging app has its own limits (``fitting/telegram.py``, ``wechat.py``,
``whatsapp.py``): Telegram 4,096 characters a message, WhatsApp 4,096, a WeChat
passive reply 2,048 bytes of UTF-8 in one text, and not every app has buttons.
With these helpers a long answer is cut the same way everywhere: at a blank
line if one is near enough, else at a line break, else at a space, and only a
single over-long word (or a run of Chinese without spaces) between two
characters.

Buttons become a numbered list on a channel without buttons (WeChat): the
tourist answers with the digit, and :meth:`bot.core.assistant.Assistant.offer`
remembers which payload each digit stands for.

Nothing here sends or imports a channel: the channels (``bot/channels``) and the
review app's preview (``review/content_preview.py``) both use it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Protocol

Measure = Callable[[str], int]
ELLIPSIS = "…"


class HasReply(Protocol):
    text: str
    buttons: list[dict[str, str]]


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def numbered(replies: Sequence[HasReply], hint: str = "") -> tuple[str, list[str]]:
    """Every reply in one text, buttons as "1. title" lines, then ``hint``.

    Returns the text and the payloads in the order of their numbers.
    """
    parts: list[str] = []
    payloads: list[str] = []
    for reply in replies:
        if reply.text.strip():
            parts.append(reply.text.strip())
        lines = []
        for button in reply.buttons:
            payloads.append(button["payload"])
            lines.append(f"{len(payloads)}. {button['title']}")
        if lines:
            parts.append("\n".join(lines))
    if payloads and hint:
        parts.append(hint)
    return "\n\n".join(parts), payloads


def split(text: str, limit: int, measure: Measure = len) -> list[str]:
    """Pieces of ``text``, each measuring at most ``limit``, cut at the best boundary."""
    pieces: list[str] = []
    rest = text.strip()
    while rest and measure(rest) > limit:
        window = _fitting_prefix(rest, limit, measure)
        if not window:  # not even one character fits: nothing sensible to send
            break
        cut_at = _last_boundary(window)
        pieces.append(rest[:cut_at].rstrip())
        rest = rest[cut_at:].lstrip()
    if rest and measure(rest) <= limit:
        pieces.append(rest)
    return pieces


def cut(text: str, limit: int, measure: Measure = len, ellipsis: str = ELLIPSIS) -> str:
    """``text`` if it fits, else its first piece and ``ellipsis``, together within ``limit``."""
    text = text.strip()
    if measure(text) <= limit:
        return text
    room = limit - measure(ellipsis)
    pieces = split(text, room, measure)
    return (pieces[0] if pieces else "") + ellipsis


def short_payload(payload: str, store: dict[str, str], max_bytes: int) -> str:
    """A button's payload as the platform carries it back: the payload itself when it
    fits ``max_bytes`` of UTF-8 (Telegram's callback data 64, WhatsApp's reply ids 200),
    else a short key remembered in ``store``, which the channel looks up when pressed."""
    if len(payload.encode("utf-8")) <= max_bytes:
        return payload
    key = "k:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]
    store[key] = payload
    return key


def _fitting_prefix(text: str, limit: int, measure: Measure) -> str:
    """The longest prefix (in whole characters) that measures at most ``limit``."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def _last_boundary(window: str) -> int:
    for separator in ("\n\n", "\n", "。", ". ", " "):
        position = window.rfind(separator)
        if position > len(window) // 3:
            return position + len(separator)
    return len(window)  # one very long word: cut between two characters
