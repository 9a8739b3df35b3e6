"""Evidence of the question kind (actions/grounding.py): marker words in the
singular, and for a follow-up about the conversation's place, a meaning near
the intent's own training examples."""

from __future__ import annotations

import datetime as dt

import pytest

from actions import decision, grounding
from actions.turn import Turn
from testkit.actions import nearest_example, question_turn

NOW = dt.datetime(2027, 1, 10, 12, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("prices", "price"), ("horaires", "horaire"), ("tarifs", "tarif"), ("access", "access"),
     ("bus", "bus"), ("hours", "hour")],
)  # fmt: skip
def test_a_plural_holds_the_marker_its_singular_taught(plural, singular):
    assert grounding.singular(plural) == singular


@pytest.mark.parametrize(
    ("text", "intent"),
    [("and the prices?", "ask_prices"), ("et les tarifs ?", "ask_prices"),
     ("what are the opening hours?", "ask_hours")],
)  # fmt: skip
def test_a_question_in_the_plural_carries_evidence_of_its_kind(text, intent):
    assert grounding.has_evidence(intent, text)


def follow_up(text: str, language: str, place: str | None, similarity: float) -> Turn:
    """A follow-up asking the way, without a place or a marker word; Rasa's nearest
    training example is a directions question ``similarity`` close."""
    nearest = nearest_example("ask_directions", similarity)
    return question_turn(text, language, "ask_directions", place, nearest)


@pytest.mark.parametrize(
    ("text", "language", "place"),
    [("comment on y va ?", "fr", "mont_blanc"), ("那怎么去？", "zh", "badaling"),
     ("how to go there?", "en", "mutianyu")],
)  # fmt: skip
def test_a_follow_up_near_its_kind_is_answered_about_the_conversations_place(
    content, text, language, place
):
    assert not grounding.has_evidence("ask_directions", text)  # no marker word: meaning decides
    near = decision.decide(follow_up(text, language, place, 0.9), content, NOW)
    assert [(w.rule, w.place, w.topic) for w in near.why] == [("place", place, "getting_there")]
    _, route = content.topic(place, "getting_there")
    assert route.text[language] in near.replies[0].text
    # Less close than SAME_KIND_FLOOR: still refused, as before.
    loose = decision.decide(follow_up(text, language, place, 0.8), content, NOW)
    assert [w.rule for w in loose.why] == ["out_of_scope"]
    # No place in the conversation: nothing to follow up on.
    alone = decision.decide(follow_up(text, language, None, 0.9), content, NOW)
    assert [w.rule for w in alone.why] == ["out_of_scope"]
