"""``python -m bot ask``: the scripted channel, one message per input line.

Each line is a message of ``default_user``, or a JSON object
``{"user": ID, "text": ...}`` speaking as another user. Each reply is printed
as one JSON object ``{"in": N, "lang": ..., "text": ..., "buttons": [...]}``,
N counting input lines from 0. A line that cannot be read (not UTF-8, a user
id that is not text, JSON nested too deep) gets ``{"in": N, "error": ...}``
and the lines after it are answered as usual: nothing stops the run.
"""

from __future__ import annotations

import json
from typing import BinaryIO, TextIO

from bot.core.assistant import Assistant

CHANNEL = "cli"


class Unreadable(ValueError):
    """A line that is not a message; the text says why, for the error record."""


def parse(raw: bytes, default_user: str) -> tuple[str, str]:
    """(user, text) of one input line."""
    try:
        line = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise Unreadable(f"the line is not UTF-8 text (byte {error.start})") from None
    user, text = default_user, line
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            message = json.loads(stripped)
        except json.JSONDecodeError:
            message = None  # not JSON after all: an ordinary message
        except RecursionError:
            raise Unreadable("the JSON object is nested too deep") from None
        if isinstance(message, dict) and "text" in message:
            user = _text(message.get("user"), "user") or default_user
            text = _text(message["text"], "text") or ""
    return user, text


def _text(value: object, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise Unreadable(f'"{name}" should be text')
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Unreadable(f'"{name}" holds a character that is not valid Unicode') from None
    return text


async def answer_lines(
    assistant: Assistant, default_user: str, lines: BinaryIO, out: TextIO
) -> None:
    for number, raw in enumerate(lines):
        try:
            user, text = parse(raw, default_user)
        except Unreadable as error:
            _write(out, {"in": number, "error": str(error)})
            continue
        answer = await assistant.handle(CHANNEL, user, text)
        for reply in answer.replies:
            _write(
                out,
                {
                    "in": number,
                    "lang": answer.language,
                    "text": reply.text,
                    "buttons": reply.buttons,
                },
            )


def _write(out: TextIO, record: dict) -> None:
    out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
