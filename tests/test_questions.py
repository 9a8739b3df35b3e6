"""A long message cut into its questions (bot/core/questions.py), in fr, zh and en."""

from __future__ import annotations

import pytest

from bot.core.questions import sentences, split


def test_french_forum_message_gives_each_question_and_nothing_else():
    text = (
        "Bonsoir à tous, nous serons à Chamonix avec nos parents âgés fin août. "
        "Comment monter à l'Aiguille du Midi sans trop marcher ? "
        "Faut-il réserver les billets à l'avance ? "
        "Merci beaucoup pour vos réponses !"
    )
    assert split(text) == [
        "Comment monter à l'Aiguille du Midi sans trop marcher ?",
        "Faut-il réserver les billets à l'avance ?",
    ]


def test_french_question_without_a_question_mark_is_a_question():
    text = (
        "Je voudrais savoir les horaires du Montenvers. "
        "Et combien coûte le train pour une famille de quatre ? Bonne journée"
    )
    assert split(text) == [
        "Je voudrais savoir les horaires du Montenvers.",
        "Et combien coûte le train pour une famille de quatre ?",
    ]


def test_chinese_message_is_cut_at_full_width_punctuation():
    text = "您好！我们一家三口春节想去崇礼滑雪。太舞滑雪场适合初学者吗？从北京坐高铁要多久？谢谢您的帮助！"
    assert split(text) == [
        "太舞滑雪场适合初学者吗？",
        "从北京坐高铁要多久？",
    ]


def test_chinese_question_without_a_question_mark_is_a_question():
    text = "请问慕田峪长城几点开门。缆车票多少钱。另外，可以带狗去吗"
    assert split(text) == ["请问慕田峪长城几点开门。", "缆车票多少钱。", "另外，可以带狗去吗"]


def test_english_message_keeps_every_question_in_order():
    text = (
        "Hi there! My wife and I are visiting Beijing next October. "
        "Which part of the Great Wall is less crowded? How do we get to Jinshanling? "
        "Is there a cable car? What does a ticket cost? Thanks in advance, cheers"
    )
    assert split(text) == [
        "Which part of the Great Wall is less crowded?",
        "How do we get to Jinshanling?",
        "Is there a cable car?",
        "What does a ticket cost?",
    ]


def test_a_greeting_before_a_comma_is_not_sent_with_the_question():
    text = "Hello, how do I get to Chambéry from Lyon airport? And is there a bus to La Féclaz?"
    assert split(text) == [
        "how do I get to Chambéry from Lyon airport?",
        "And is there a bus to La Féclaz?",
    ]


def test_a_sentence_that_asks_nothing_is_not_a_question():
    text = (
        "Where can we rent cross-country skis? We are beginners. How much is a day pass? "
        "我是滑雪爱好者，打算元旦去张家口玩几天。"
    )
    assert split(text) == ["Where can we rent cross-country skis?", "How much is a day pass?"]


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, nous venons en février avec les enfants. Peut-on faire de la luge ? Merci !",
        "你好！八达岭长城门票多少钱？谢谢",
        "Hello! I'd love some ideas for a winter weekend in Chongli. Thanks",
        "horaires et prix de l'aiguille du midi ?",
        "ok merci",
    ],
)
def test_a_message_of_one_question_or_none_goes_as_written(text):
    assert split(text) == [text]


def test_abbreviations_and_decimals_do_not_end_a_sentence():
    text = "We stay 2.5 days near Mt. Blanc, e.g. in St. Gervais. Is the tramway open in May?"
    assert sentences(text) == [
        "We stay 2.5 days near Mt. Blanc, e.g. in St. Gervais.",
        "Is the tramway open in May?",
    ]


def test_new_lines_end_sentences():
    text = "Bonjour\nQuels sont les horaires du téléphérique\nEt quel est le prix pour un enfant"
    assert split(text) == [
        "Quels sont les horaires du téléphérique",
        "Et quel est le prix pour un enfant",
    ]


def _places(sentence):
    return [name for name in ("Chamonix", "崇礼", "Badaling") if name in sentence]


def test_the_place_of_a_sentence_that_asks_nothing_goes_with_the_next_question():
    text = (
        "We'll be staying in Chamonix in August. How do we get there from Geneva? "
        "When is the best time to go? And what about Badaling?"
    )
    assert split(text, _places) == [
        "How do we get there from Geneva? (Chamonix)",
        "When is the best time to go?",
        "And what about Badaling?",
    ]


def test_a_question_naming_its_own_place_keeps_it_alone():
    text = "我们春节去崇礼。八达岭怎么去？崇礼门票多少钱？"
    assert split(text, lambda s: [n for n in ("崇礼", "八达岭") if n in s]) == [
        "八达岭怎么去？",
        "崇礼门票多少钱？",
    ]


def test_the_place_carried_to_a_chinese_question_is_in_full_width_brackets():
    text = "你好，我们春节打算去崇礼滑雪。怎么去比较方便？什么时候去最好？"
    assert split(text, _places) == ["怎么去比较方便？（崇礼）", "什么时候去最好？"]
