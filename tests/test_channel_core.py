"""What every channel does the same way (bot/core): replies fitted to a channel's
limits, buttons as a numbered list answered with a digit, the language menu,
one user's turns in order while other users run beside them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.assistant import Assistant, Reply
from bot.core.ordering import PerUserOrder
from bot.core.user_memory import UserMemory
from curated.live import LiveContent
from fitting import text as render
from testkit.rasa import RecordingRasa

ROOT = Path(__file__).resolve().parent.parent

CHAMONIX = [
    {
        "text": "Chamonix est au pied du Mont-Blanc.",
        "buttons": [
            {"title": "Tarifs", "payload": '/ask_price{"place": "chamonix"}'},
            {"title": "Accès", "payload": '/ask_access{"place": "chamonix"}'},
        ],
    }
]


@pytest.fixture
def core(tmp_path):
    rasa = RecordingRasa(CHAMONIX)
    memory = UserMemory(tmp_path / "bot.db")
    assistant = Assistant(rasa, memory, b"key", LiveContent(ROOT / "content"))
    yield assistant, rasa
    memory.close()


def say(assistant, text, user="u1", client=None):
    return asyncio.run(assistant.handle("wechat", user, text, client))


# Fitting replies to a channel


def test_buttons_become_a_numbered_list_after_the_text():
    text, payloads = render.numbered(
        [
            Reply(
                "Bonjour",
                [{"title": "Tarifs", "payload": "/a"}, {"title": "Accès", "payload": "/b"}],
            )
        ],
        "Répondez par le numéro.",
    )
    assert text == "Bonjour\n\n1. Tarifs\n2. Accès\n\nRépondez par le numéro."
    assert payloads == ["/a", "/b"]


def test_several_bubbles_are_one_text_and_numbers_run_on():
    text, payloads = render.numbered(
        [
            Reply("A", [{"title": "x", "payload": "/x"}]),
            Reply("B", [{"title": "y", "payload": "/y"}]),
        ]
    )
    assert text == "A\n\n1. x\n\nB\n\n2. y"
    assert payloads == ["/x", "/y"]


def test_a_long_answer_is_cut_at_a_paragraph_within_the_byte_limit():
    paragraphs = ["长城" * 300, "勃朗峰" * 300, "崇礼" * 300]
    pieces = render.split("\n\n".join(paragraphs), 2048, render.utf8_bytes)
    assert pieces[0] == paragraphs[0]
    assert all(render.utf8_bytes(p) <= 2048 for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(paragraphs)


def test_a_cut_text_ends_with_an_ellipsis_and_fits():
    text = "Chamonix. " * 500
    short = render.cut(text, 2048, render.utf8_bytes)
    assert short.endswith("…") and render.utf8_bytes(short) <= 2048
    assert short.startswith("Chamonix.")


@given(st.text(min_size=0, max_size=3000), st.integers(min_value=8, max_value=600))
def test_split_never_loses_a_character_other_than_spaces_and_each_piece_fits(text, limit):
    pieces = render.split(text, limit, render.utf8_bytes)
    assert all(render.utf8_bytes(p) <= limit for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())


# Numbered options and the language menu


def test_a_digit_answers_the_numbered_list_last_shown(core):
    assistant, rasa = core
    say(assistant, "Chamonix")
    assistant.offer("wechat", "u1", ['/ask_price{"place": "chamonix"}', "/ask_access"])
    say(assistant, "1")
    assert rasa.texts[-1].startswith('/ask_price{"place": "chamonix"')
    say(assistant, "２")  # a full-width digit, as Chinese keyboards type it
    assert rasa.texts[-1].startswith("/ask_access")


def test_a_number_beyond_the_list_or_without_a_list_is_read_as_text(core):
    assistant, rasa = core
    assistant.offer("wechat", "u1", ["/ask_price"])
    say(assistant, "7")
    assert rasa.texts[-1] == "7"
    assistant.offer("wechat", "u1", [])
    say(assistant, "1")
    assert rasa.texts[-1] == "1"


def test_another_users_list_is_not_theirs(core):
    assistant, rasa = core
    assistant.offer("wechat", "u1", ["/ask_price"])
    say(assistant, "1", user="u2")
    assert rasa.texts[-1] == "1"


@pytest.mark.parametrize("word", ["langue", "Language", "语言", "語言"])
def test_typing_language_opens_the_menu_without_asking_rasa(core, word):
    assistant, rasa = core
    answer = say(assistant, word)
    assert [b["payload"] for b in answer.replies[0].buttons] == ["lang:fr", "lang:zh", "lang:en"]
    assert rasa.received == []


def test_choosing_chinese_from_the_menu_answers_in_chinese_from_then_on(core):
    assistant, rasa = core
    say(assistant, "Bonjour")
    say(assistant, "lang:zh")
    assert rasa.texts[-1].startswith("/change_language")
    assert rasa.received[-1][2]["language"] == "zh"
    assert assistant.language_of("wechat", "u1") == "zh-Hans"


# Order


def test_one_users_turns_run_in_order_and_other_users_beside_them():
    order = PerUserOrder()
    events = []

    async def turn(user, name, seconds):
        async with order.turn(user):
            events.append(f"{name} start")
            await asyncio.sleep(seconds)
            events.append(f"{name} end")

    async def main():
        await asyncio.gather(turn("a", "a1", 0.05), turn("a", "a2", 0), turn("b", "b1", 0))

    asyncio.run(main())
    assert events.index("a1 end") < events.index("a2 start")
    assert events.index("b1 end") < events.index("a1 end")  # b did not wait for a
    assert len(order) == 0  # nothing kept once every turn ended


# A place's location


def test_the_map_point_an_action_sends_goes_with_the_reply_it_follows(tmp_path):
    rasa = RecordingRasa(
        [
            {"text": "📍 Le Brévent : 45.9342, 6.8378"},
            {"custom": {"location": {"latitude": 45.9342, "longitude": 6.8378}}},
        ]
    )
    memory = UserMemory(tmp_path / "bot.db")
    assistant = Assistant(rasa, memory, b"key", LiveContent(ROOT / "content"))
    answer = say(assistant, "c'est où le Brévent ?")
    memory.close()
    assert [(r.text, r.location) for r in answer.replies] == [
        ("📍 Le Brévent : 45.9342, 6.8378", (45.9342, 6.8378))
    ]


@pytest.mark.parametrize(
    "custom",
    [{"location": {"latitude": 123, "longitude": 6.8}}, {"location": "here"}, {"other": 1}, "x"],
)
def test_a_malformed_map_point_gives_no_pin(tmp_path, custom):
    rasa = RecordingRasa([{"text": "Le Brévent"}, {"custom": custom}])
    memory = UserMemory(tmp_path / "bot.db")
    assistant = Assistant(rasa, memory, b"key", LiveContent(ROOT / "content"))
    answer = say(assistant, "c'est où le Brévent ?")
    memory.close()
    assert [(r.text, r.location) for r in answer.replies] == [("Le Brévent", None)]
