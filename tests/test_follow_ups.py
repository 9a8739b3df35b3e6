"""Follow-ups: a question without a place is about the place of the conversation,
through the channel core, Rasa with the trained model and the actions."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "first, cable_car, language",
    [
        ("comment aller à Badaling ?", "on peut prendre le téléphérique ?", "fr"),
        ("八达岭长城怎么去", "可以坐缆车吗？", "zh"),
        ("how do I get to Badaling?", "can we take the cable car?", "en"),
    ],
)
def test_the_cable_car_after_a_place_is_about_that_place(
    new_chat, content, first, cable_car, language
):
    chat = new_chat()
    chat.say(first)
    answer = chat.text(cable_car)
    badaling = content.places["badaling"]
    assert answer.startswith(badaling.name[language])
    assert badaling.topics["activities"].text[language] in answer


@pytest.mark.parametrize(
    "first, cable_car, language, expected",
    [
        (
            "présente-moi Chambéry",
            "il y a un téléphérique ?",
            "fr",
            "Je ne connais pas de téléphérique à Chambéry.",
        ),
        ("介绍一下尚贝里", "那里有缆车吗", "zh", "我没有尚贝里的缆车信息。"),
        (
            "tell me about Chambéry",
            "is there a cable car?",
            "en",
            "I don't know of any cable car at Chambéry.",
        ),
    ],
)
def test_the_cable_car_at_a_place_without_one_is_said_so(
    new_chat, first, cable_car, language, expected
):
    chat = new_chat()
    chat.say(first)
    assert chat.text(cable_car).startswith(expected)
