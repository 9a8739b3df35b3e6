"""`python -m bot ask` reads whatever comes in: every line gets an answer or an
error record, and the lines after a bad one are still answered."""

from __future__ import annotations

import asyncio
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.ask import Unreadable, answer_lines, parse


class _Answer:
    def __init__(self, text):
        self.language = "en"
        self.replies = [type("R", (), {"text": f"echo {text}", "buttons": []})()]


class _Assistant:
    def __init__(self):
        self.heard = []

    async def handle(self, channel, user, text):
        self.heard.append((user, text))
        return _Answer(text)


def run_lines(raw: bytes):
    assistant, out = _Assistant(), io.StringIO()
    asyncio.run(answer_lines(assistant, "me", io.BytesIO(raw), out))
    return assistant.heard, [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_lone_surrogate_in_the_user_is_an_error_line_and_the_rest_goes_on():
    heard, records = run_lines(b'{"user": "\\ud800", "text": "hi"}\nbonjour\n')
    assert records[0] == {"in": 0, "error": '"user" holds a character that is not valid Unicode'}
    assert heard == [("me", "bonjour")]
    assert records[1]["in"] == 1


def test_json_nested_a_thousand_deep_is_an_error_line():
    heard, records = run_lines(
        b"[" * 1000 + b"\n" + b'{"text": ' * 1000 + b'"x"' + b"}" * 1000 + b"\nok\n"
    )
    assert [r.get("error") for r in records[:-1]] == [None, "the JSON object is nested too deep"]
    assert heard[-1] == ("me", "ok")


def test_invalid_utf8_is_an_error_line_whatever_the_locale():
    heard, records = run_lines(b"caf\xe9\nmerci\n")
    assert records[0] == {"in": 0, "error": "the line is not UTF-8 text (byte 3)"}
    assert heard == [("me", "merci")]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_a_message_or_a_clear_error(raw):
    try:
        user, text = parse(raw, "me")
    except Unreadable as error:
        assert str(error)
    else:
        assert isinstance(user, str) and isinstance(text, str)
