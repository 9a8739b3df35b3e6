"""WhatsApp's limits, and one reply written as the Graph API messages that show it.

Replies: texts of at most 4,096 characters cut at paragraphs (``fitting/text.py``);
buttons as reply buttons (at most 3, titles at most 20 characters) or, for 4 and
more, a list (at most 10 rows, titles at most 24 characters, the full title in the
row's description when it had to be cut). An interactive message's body holds
1,024 characters: a longer text goes first as plain messages, its end as the body.
The channel (``bot/channels/whatsapp.py``) sends them, with the addressee.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fitting.text import cut, short_payload, split

MAX_TEXT = 4096
MAX_BODY = 1024  # body of an interactive message
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_LIST_BUTTON = 20
MAX_ID = 200  # list row ids hold 200 characters, reply button ids 256: the smaller for both


@dataclass
class Labels:
    """The channel's own words around buttons, in the tourist's language."""

    list_button: str  # "See the choices": opens the list
    choose_option: str  # the body when the reply has buttons and no text

    @classmethod
    def from_phrases(cls, phrase: Callable[[str], str]) -> Labels:
        """The labels from content/phrases.yml, ``phrase(key)`` in the tourist's language."""
        return cls(phrase("list_button"), phrase("choose_option"))


def messages_for(
    text: str, buttons: list[dict[str, str]], store: dict[str, str], labels: Labels
) -> list[dict[str, Any]]:
    """The Graph API messages (without addressee) that show one reply."""
    text = text.strip()
    if not buttons:
        return [_text_message(piece) for piece in split(text, MAX_TEXT)]
    pieces = split(text, MAX_TEXT)
    before, body = pieces[:-1], pieces[-1] if pieces else ""
    if len(body) > MAX_BODY:
        tail = split(body, MAX_BODY)
        before, body = before + tail[:-1], tail[-1]
    body = body or labels.choose_option
    messages = [_text_message(piece) for piece in before]
    if len(buttons) <= MAX_BUTTONS:
        messages.append(_reply_buttons(body, buttons, store))
    else:
        messages.append(_list(body, buttons[:MAX_ROWS], store, labels.list_button))
    return messages


def _text_message(text: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": text, "preview_url": False}}


def _reply_buttons(body: str, buttons: list[dict[str, str]], store: dict[str, str]) -> dict:
    return {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": body},
            "action": {
                "buttons": [
                    {
                        "type": "reply",
                        "reply": {
                            "id": short_payload(b["payload"], store, MAX_ID),
                            "title": cut(b["title"], MAX_BUTTON_TITLE) or "…",
                        },
                    }
                    for b in buttons
                ]
            },
        },
    }


def _list(body: str, buttons: list[dict[str, str]], store: dict[str, str], label: str) -> dict:
    rows = []
    for b in buttons:
        title = cut(b["title"], MAX_ROW_TITLE) or "…"
        row = {"id": short_payload(b["payload"], store, MAX_ID), "title": title}
        if title != b["title"].strip():  # cut: the whole title below it
            row["description"] = cut(b["title"], MAX_ROW_DESCRIPTION)
        rows.append(row)
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": body},
            "action": {
                "button": cut(label, MAX_LIST_BUTTON) or "…",
                "sections": [{"rows": rows}],
            },
        },
    }
