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


@pytest.mark.parametrize(
    "first, follow_up, language, place, topic",
    [
        ("présente-moi Chamonix", "comment on y va ?", "fr", "mont_blanc", "getting_there"),
        ("介绍一下八达岭", "那怎么去？", "zh", "badaling", "getting_there"),
        ("tell me about Mutianyu", "how to go there?", "en", "mutianyu", "getting_there"),
        ("tell me about Badaling", "and the prices?", "en", "badaling", "prices"),
    ],
)
def test_a_follow_up_without_a_word_of_its_kind_is_answered_about_the_place(
    new_chat, content, first, follow_up, language, place, topic
):
    # "那怎么去？" holds no marker word of directions (怎么 and 去 are in many
    # kinds of question): its meaning, near the directions examples, grounds it;
    # "and the prices?" holds "price" once in the singular.
    chat = new_chat()
    chat.say(first)
    answer = chat.text(follow_up)
    assert answer.startswith(content.places[place].name[language])
    assert content.topic(place, topic)[1].text[language] in answer


@pytest.mark.parametrize(
    "follow_up, language",
    [("comment on y va ?", "fr"), ("那怎么去？", "zh"), ("how to go there?", "en")],
)
def test_the_same_words_with_no_place_before_give_no_places_content(
    new_chat, content, follow_up, language
):
    answer = new_chat().text(follow_up)
    for place in content.places.values():
        for text in place.topics.values():
            assert text.text[language] not in answer
