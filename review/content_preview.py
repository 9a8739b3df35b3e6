"""What a tourist would read on each channel: the content editor's preview.

The answer an edit makes (``content_saving.preview``) goes through the very functions
the channels send with (``fitting/``): Telegram's messages of 4,096 characters,
WeChat's one text of 2,048 bytes (cut with "…" when answered at once, in several
messages when answered later through the customer-service API), WhatsApp's texts,
reply buttons or list, and the web chat's replies as they are. Nothing is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fitting import telegram, wechat, whatsapp
from fitting.text import HasReply, utf8_bytes

CHANNELS = ("telegram", "wechat", "whatsapp", "webchat")


@dataclass
class Shown:
    """One message as a channel shows it, and its size as that channel measures it."""

    text: str
    size: int
    limit: int | None = None
    buttons: list[str] = field(default_factory=list)
    menu: str = ""  # the button that opens a WhatsApp list


@dataclass
class ChannelPreview:
    channel: str
    unit: str  # "characters" or "bytes", how ``size`` and ``limit`` count
    messages: list[Shown]
    cut: bool = False  # WeChat at once: the end of the text is not sent
    later: list[Shown] = field(default_factory=list)  # WeChat through the API
    numbered: bool = False  # WeChat: buttons became a numbered list


@dataclass
class LanguagePreview:
    """One language's answer as composed, and as each channel shows it."""

    text: str
    channels: list[ChannelPreview]


def channels(replies: Sequence[HasReply], phrase: Callable[[str], str]) -> list[ChannelPreview]:
    """Each channel's rendering of one answer's ``replies``; ``phrase(key)`` is a phrase
    of content/phrases.yml in the answer's language (the channels' own words)."""
    return [_telegram(replies), _wechat(replies, phrase), _whatsapp(replies, phrase), _web(replies)]


def _telegram(replies: Sequence[HasReply]) -> ChannelPreview:
    shown: list[Shown] = []
    for reply in replies:
        pieces = telegram.pieces(reply.text) if reply.text.strip() else []
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            titles = [telegram.button_title(b["title"]) for b in reply.buttons] if last else []
            size = len(telegram.escape(piece))
            shown.append(Shown(piece, size, telegram.MAX_MESSAGE, titles))
    return ChannelPreview("telegram", "characters", shown)


def _wechat(replies: Sequence[HasReply], phrase: Callable[[str], str]) -> ChannelPreview:
    whole, payloads = wechat.one_text(replies, phrase(wechat.HINT_PHRASE))
    at_once = wechat.passive_reply(whole)
    later = [Shown(m, utf8_bytes(m), wechat.SENT_LIMIT) for m in wechat.sent_messages(whole)]
    return ChannelPreview(
        "wechat",
        "bytes",
        [Shown(at_once, utf8_bytes(at_once), wechat.PASSIVE_LIMIT)] if at_once else [],
        cut=at_once != whole.strip(),
        later=later,
        numbered=bool(payloads),
    )


def _whatsapp(replies: Sequence[HasReply], phrase: Callable[[str], str]) -> ChannelPreview:
    labels = whatsapp.Labels.from_phrases(phrase)
    shown: list[Shown] = []
    for reply in replies:
        for message in whatsapp.messages_for(reply.text, reply.buttons, {}, labels):
            if message["type"] == "text":
                body = message["text"]["body"]
                shown.append(Shown(body, len(body), whatsapp.MAX_TEXT))
                continue
            interactive = message["interactive"]
            body = interactive["body"]["text"]
            action = interactive["action"]
            if interactive["type"] == "button":
                titles = [b["reply"]["title"] for b in action["buttons"]]
                shown.append(Shown(body, len(body), whatsapp.MAX_BODY, titles))
            else:
                rows = [row for section in action["sections"] for row in section["rows"]]
                titles = [
                    r["title"] + (f" — {r['description']}" if "description" in r else "")
                    for r in rows
                ]
                shown.append(Shown(body, len(body), whatsapp.MAX_BODY, titles, action["button"]))
    return ChannelPreview("whatsapp", "characters", shown)


def _web(replies: Sequence[HasReply]) -> ChannelPreview:
    """The web chat shows each reply whole, with its buttons (no limit of its own)."""
    shown = [
        Shown(reply.text, len(reply.text), None, [b["title"] for b in reply.buttons])
        for reply in replies
        if reply.text.strip() or reply.buttons
    ]
    return ChannelPreview("webchat", "characters", shown)
