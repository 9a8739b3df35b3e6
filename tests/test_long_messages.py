"""A message of several questions, as tourists write on forums: each question
answered in turn, up to three, in the order asked and in the message's language.

The first tests run the channel core against a stand-in Rasa (what is sent,
what is logged); the e2e ones run whole conversations with the trained model
and assert on the text of content/."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from bot.core.assistant import Assistant
from bot.core.conversation_log import ANSWERED, UNAVAILABLE, ConversationLog
from bot.core.user_memory import UserMemory
from curated.live import LiveContent
from testkit.rasa import RecordingRasa

ROOT = Path(__file__).resolve().parent.parent

FOUR_QUESTIONS = (
    "Hello! We are two couples flying to Beijing in May. "
    "How do we get to Badaling? What are the opening hours? "
    "How much is a ticket? Can we bring a dog? Thanks!"
)


def _echo(text, metadata):
    return [{"text": f"answer: {text}"}]


@pytest.fixture
def core(tmp_path):
    rasa = RecordingRasa(_echo)
    memory = UserMemory(tmp_path / "bot.db")
    log = ConversationLog(tmp_path / "conversations.db")
    assistant = Assistant(rasa, memory, b"key", LiveContent(ROOT / "content"), log=log)
    yield assistant, rasa, log
    log.close()
    memory.close()


def say(assistant, text, user="u1"):
    return asyncio.run(assistant.handle("wechat", user, text))


def logged(log, tmp_path):
    assert log.flush()
    with sqlite3.connect(tmp_path / "conversations.db") as db:
        rows = db.execute("SELECT text_in, replies, outcome FROM turns ORDER BY id").fetchall()
    return [(text, json.loads(replies), outcome) for text, replies, outcome in rows]


def test_each_question_goes_to_rasa_in_turn_and_the_answers_come_back_in_order(core):
    assistant, rasa, _ = core
    answer = say(
        assistant,
        "Bonjour ! Comment aller à la Féclaz depuis Chambéry ? "
        "Et est-ce qu'on peut y louer des skis ? Merci d'avance",
    )
    assert rasa.texts == [
        "Comment aller à la Féclaz depuis Chambéry ?",
        "Et est-ce qu'on peut y louer des skis ?",
    ]
    assert len({user for user, _, _ in rasa.received}) == 1  # one conversation
    assert [metadata["language"] for _, _, metadata in rasa.received] == ["fr", "fr"]
    assert [r.text for r in answer.replies] == [f"answer: {text}" for text in rasa.texts]
    assert answer.language == "fr"


def test_beyond_three_questions_the_rest_are_to_be_sent_separately(core, content):
    assistant, rasa, _ = core
    answer = say(assistant, FOUR_QUESTIONS)
    assert rasa.texts == [
        "How do we get to Badaling?",
        "What are the opening hours?",
        "How much is a ticket?",
    ]
    assert [r.text for r in answer.replies] == [
        *(f"answer: {text}" for text in rasa.texts),
        content.phrase("questions_rest", "en"),
    ]


def test_the_sentence_about_the_rest_is_in_the_messages_language(core, content):
    assistant, _, _ = core
    answer = say(assistant, "你好！八达岭怎么去？几点开门？门票多少钱？可以带狗吗？谢谢")
    assert answer.language == "zh"
    assert answer.replies[-1].text == content.phrase("questions_rest", "zh")


def test_each_question_is_a_turn_of_the_log_beside_its_answer(core, tmp_path, content):
    assistant, _, log = core
    answer = say(assistant, FOUR_QUESTIONS)
    turns = logged(log, tmp_path)
    assert turns == [
        ("How do we get to Badaling?", ["answer: How do we get to Badaling?"], ANSWERED),
        ("What are the opening hours?", ["answer: What are the opening hours?"], ANSWERED),
        ("How much is a ticket?", ["answer: How much is a ticket?"], ANSWERED),
        ("Can we bring a dog?", [content.phrase("questions_rest", "en")], ANSWERED),
    ]
    assert len({answer.turn, *answer.more_turns}) == 4


def test_an_undelivered_answer_marks_every_question_of_the_message(core, tmp_path):
    assistant, _, log = core
    answer = say(assistant, "Where is Mutianyu? Is there a toboggan?")
    assistant.undelivered(answer, "window closed")
    assert [outcome for *_, outcome in logged(log, tmp_path)] == ["undelivered", "undelivered"]


def test_rasa_down_on_a_question_stops_there_with_the_kind_sentence(tmp_path, content):
    rasa = RecordingRasa(_echo, down=True)
    memory = UserMemory(tmp_path / "bot.db")
    log = ConversationLog(tmp_path / "conversations.db")
    assistant = Assistant(rasa, memory, b"key", LiveContent(ROOT / "content"), log=log)
    try:
        answer = say(assistant, "Où est Chamonix ? Quel temps fait-il en hiver ?")
        assert answer.failed
        assert rasa.texts == ["Où est Chamonix ?"]
        assert [r.text for r in answer.replies] == [content.phrase("unavailable", "fr")]
        assert [outcome for *_, outcome in logged(log, tmp_path)] == [UNAVAILABLE]
    finally:
        log.close()
        memory.close()


def test_a_place_named_before_the_questions_goes_with_the_first_and_a_city_does_not(core):
    assistant, rasa, _ = core
    say(
        assistant,
        "Nous arrivons à Pékin lundi et irons à Mutianyu mardi. Comment y aller ? "
        "Quels sont les horaires ? Nous arrivons à Pékin. Comment rejoindre l'aéroport ?",
    )
    assert rasa.texts == [
        "Comment y aller ? (Mutianyu)",
        "Quels sont les horaires ?",
        "Comment rejoindre l'aéroport ?",
    ]


def test_a_message_of_one_question_goes_to_rasa_as_written(core):
    assistant, rasa, _ = core
    text = "Bonjour, nous venons en famille en février. Peut-on faire de la luge à Chamonix ? Merci"
    say(assistant, text)
    assert rasa.texts == [text]


# Whole conversations with the trained model

LONG_MESSAGES = [
    (
        "fr",
        "Bonjour à tous, nous préparons un voyage en Chine pour l'été prochain avec nos deux "
        "ados, qui adorent la randonnée et les vieilles pierres. Quels sont les horaires "
        "d'ouverture de Mutianyu ? Et combien coûtent les billets d'entrée ? "
        "Merci d'avance pour vos conseils !",
        [("mutianyu", "hours"), ("mutianyu", "prices")],
    ),
    (
        "zh",
        "大家好！我和朋友打算明年一月去法国玩，顺便想体验一下阿尔卑斯山的雪景。"
        "请问南针峰怎么上去？门票多少钱？谢谢大家！",
        [("aiguille_du_midi", "getting_there"), ("aiguille_du_midi", "prices")],
    ),
    (
        "en",
        "Hi everyone, my partner and I will spend a week in Savoie in February and we would "
        "love to try something new away from the big resorts. How do we get to La Feclaz "
        "from Chambery? And when is the best time to go? Is there anything to do in Chongli "
        "as well? Thanks a lot in advance!",
        [("bauges", "getting_there"), ("bauges", "best_time"), ("chongli", "activities")],
    ),
]


@pytest.mark.e2e
@pytest.mark.parametrize("language, message, expected", LONG_MESSAGES)
def test_a_long_message_gets_each_of_its_questions_answered_in_order(
    new_chat, content, language, message, expected
):
    answer = new_chat().say(message)
    assert answer.language == language
    texts = [r.text for r in answer.replies]
    found = []
    for place_id, topic in expected:
        _, passage = content.topic(place_id, topic)
        where = [i for i, text in enumerate(texts) if passage.text[language] in text]
        assert where, f"no answer about {place_id} {topic} in {texts}"
        found.append(where[0])
    assert found == sorted(found)  # in the order asked
