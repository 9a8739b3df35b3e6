"""One decision, pure and typed (actions/decision.py): what the assistant
answers is a function of the turn, the content, the time and the offices, with
no tracker, no file and no clock; the rasa-sdk actions only read the turn and
send what it decided; each reply says why, as a record the review app reads."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from rasa_sdk.events import SlotSet

from actions import decision
from actions.actions import ActionAnswerPlace, ActionListOffers, ActionOutOfScope
from actions.turn import Entity, Turn
from actions.why import INTENT, NO_WORDS, Scored, Why, is_refusal
from curated import live
from curated.offices import read
from testkit.actions import nearest_example, question_turn, run, tracker

ROOT = Path(__file__).resolve().parent.parent
UTC = dt.timezone.utc
WINTER = dt.datetime(2027, 1, 10, 12, tzinfo=UTC)
SUMMER = dt.datetime(2027, 7, 10, 12, tzinfo=UTC)


def place_turn(text: str, language: str, typed: str, place: str = "badaling", **kw) -> Turn:
    return Turn(
        action="action_answer_place",
        text=text,
        language=language,
        intent=kw.pop("intent", "ask_prices"),
        confidence=0.9,
        entities=(Entity("place", place, typed, text.find(typed), text.find(typed) + len(typed)),),
        **kw,
    )


@pytest.mark.parametrize(
    ("text", "language", "typed"),
    [
        ("Combien coûte l'entrée à Badaling ?", "fr", "Badaling"),
        ("八达岭门票多少钱", "zh", "八达岭"),
        ("How much is a ticket for Badaling?", "en", "Badaling"),
    ],
)
def test_a_place_question_is_decided_from_the_turn_alone(content, text, language, typed):
    decided = decision.decide(place_turn(text, language, typed), content, WINTER)
    assert decided.why[0] == Why("place", place="badaling", topic="prices")
    _, prices = content.topic("badaling", "prices")
    assert prices.text[language] in decided.replies[0].text
    assert SlotSet("place", "badaling") in decided.events


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Quelles offres en ce moment dans les Bauges ?", "fr"),
        ("博日山区现在有什么优惠", "zh"),
        ("Any current offers in the Bauges?", "en"),
    ],
)
def test_the_time_is_given_not_read_so_an_offer_ends_when_the_decision_is_told(
    content, text, language
):
    turn = Turn(
        action="action_list_offers",
        text=text,
        language=language,
        intent="ask_offers",
        entities=(Entity("place", "bauges", "Bauges"),),
    )
    in_season = decision.decide(turn, content, WINTER)
    out_of_season = decision.decide(turn, content, SUMMER)
    offer = next(o for o in content.offers if o.id == "winter-nordic-bauges-2027")
    assert any(offer.title[language] in r.text for r in in_season.replies)
    assert not any(offer.title[language] in r.text for r in out_of_season.replies)


def test_a_second_refusal_offers_a_person_of_the_office_the_decision_is_given(content):
    offices = read(ROOT / "content")
    turn = Turn(
        action="action_out_of_scope",
        text="quel est le cours du bitcoin",
        language="fr",
        intent="out_of_scope",
        refused_before=True,
    )
    decided = decision.decide(turn, content, WINTER, offices)
    assert [w.rule for w in decided.why] == ["out_of_scope", "handoff_offered"]
    assert decided.why[0] == Why("out_of_scope", reason=INTENT, intent="out_of_scope")
    assert "Chamonix-Mont-Blanc" in decided.replies[1].text
    # Without the offices, a person is still offered, by the generic sentence.
    assert [w.rule for w in decision.decide(turn, content, WINTER).why][-1] == "handoff_offered"


def test_an_action_nobody_wrote_a_decision_for_is_an_error_not_a_silent_refusal(content):
    with pytest.raises(ValueError, match="action_answer_weather"):
        decision.decide(
            Turn(action="action_answer_weather", text="x", language="en"), content, WINTER
        )


@pytest.mark.parametrize(
    ("text", "language", "intent", "entities"),
    [
        ("Et le prix à Badaling ?", "fr", "ask_prices", [("place", "badaling", "Badaling")]),
        ("霞慕尼怎么去", "zh", "ask_directions", [("place", "mont_blanc", "霞慕尼")]),
        ("what can we do at Chongli?", "en", "ask_activities", [("place", "chongli", "Chongli")]),
        ("what's the price of bitcoin", "en", "ask_prices", []),
    ],
)
def test_the_action_sends_exactly_what_was_decided(
    monkeypatch, content, text, language, intent, entities
):
    monkeypatch.setattr(live, "current", lambda: content)
    said = tracker(text, intent, entities, language=language)
    messages, events = run(ActionAnswerPlace(), said)
    decided = decision.decide(
        Turn.from_tracker(said, "action_answer_place"), content, dt.datetime.now(UTC)
    )
    assert [m["text"] for m in messages] == [r.text for r in decided.replies]
    assert [m["why"] for m in messages] == decided.why
    assert events == decided.events


def test_the_turn_is_read_once_from_the_tracker_with_what_the_tourist_typed():
    said = tracker(
        "ba da ling c'est cher ?",
        "ask_prices",
        [("place", "badaling", "ba da ling")],
        language="zh",  # the slot wins over the message's metadata
        place="mutianyu",
        metadata={"language": "fr"},
        ranking=["faq"],
    )
    turn = Turn.from_tracker(said, "action_answer_place")
    assert (turn.language, turn.intent, turn.place) == ("zh", "ask_prices", "mutianyu")
    assert turn.ranking == ("ask_prices", "faq")
    (entity,) = turn.entities
    assert (entity.value, entity.typed, entity.start) == ("badaling", "ba da ling", 0)
    said.slots["language"] = None
    assert Turn.from_tracker(said, "action_answer_place").language == "fr"


def test_the_reason_travels_as_data_and_reads_back_the_same():
    record = Why(
        "faq",
        entry="bauges_rental",
        ranked=(Scored("faq bauges_rental", 2.1, 1.2, 0.8),),
        over=None,
        place="bauges",
    )
    stored = json.loads(json.dumps(record.as_dict()))
    assert Why.from_dict(stored) == record
    assert stored == {
        "rule": "faq",
        "place": "bauges",
        "entry": "bauges_rental",
        "ranked": [{"passage": "faq bauges_rental", "score": 2.1, "words": 1.2, "meaning": 0.8}],
    }
    assert not is_refusal(stored)
    assert is_refusal(Why("out_of_scope", reason=NO_WORDS, words="prices").as_dict())


def test_a_rule_or_reason_nobody_declared_is_refused_when_the_record_is_made():
    with pytest.raises(ValueError, match="unknown rule"):
        Why("plac")
    with pytest.raises(ValueError, match="unknown reason"):
        Why("out_of_scope", reason="no place or prices words")


def test_a_refusal_of_the_action_carries_its_reason_to_the_review_app(monkeypatch, content):
    monkeypatch.setattr(live, "current", lambda: content)
    messages, _ = run(
        ActionListOffers(), tracker("cancel all my reminders", "ask_offers", language="en")
    )
    assert messages[0]["why"] == Why("out_of_scope", reason=NO_WORDS, words="offer")
    messages, _ = run(ActionOutOfScope(), tracker("who will win the world cup", "out_of_scope"))
    assert messages[0]["why"].refused


@pytest.mark.parametrize(
    ("text", "language"),
    [("和北京远吗", "zh"), ("c'est loin de Pékin ?", "fr"), ("how far is it from Beijing?", "en")],
)
def test_a_detail_asked_of_the_conversations_place_is_answered_by_its_own_passages(
    content, text, language
):
    # After Jinshanling, "is it far from Beijing?" crosses the cells (its route
    # says nothing of distance): the ranking answers, from Jinshanling's own
    # passages or the Great Wall's, never the France-China time difference,
    # country-wide, whatever words ("北京时间", hours) it shares.
    from actions import ranking

    nearest = nearest_example("ask_directions", 0.7, text)
    turn = question_turn(text, language, "ask_directions", "jinshanling", nearest)
    decided = decision.decide(turn, content, WINTER)
    for why in decided.why:
        given = [s.passage for s in why.ranked] or [f"{why.rule} {why.entry or why.place}"]
        assert "faq time_difference_france_china" not in given
        assert why.place in ranking.lineage(content, "jinshanling") or why.entry in {
            e.id for e in content.faq if e.place in ranking.lineage(content, "jinshanling")
        }
