"""Asking for a person of the tourism office: the offer with the office's hours, the
request inside and outside them, in the tourist's language, and the offer after two
refusals in a row (actions/handoff.py, content/offices.yml, curated/offices.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from actions import handoff
from actions.actions import (
    ActionAnswerPlace,
    ActionContact,
    ActionOfferPerson,
    ActionOutOfScope,
    ActionRequestPerson,
)
from actions.why import INTENT, REFUSED_TWICE, Why
from curated.live import LiveContent
from curated.offices import Chat, Office, office_for, read
from testkit.actions import earlier_turn, run, tracker

ROOT = Path(__file__).resolve().parent.parent
PARIS, SHANGHAI = ZoneInfo("Europe/Paris"), ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def offices():
    return read(ROOT / "content")


@pytest.fixture(scope="module")
def content():
    return LiveContent(ROOT / "content").get()


def test_a_place_goes_to_its_office_and_no_place_to_the_tourists_side_of_the_world(offices):
    assert office_for(offices, ["badaling"], "fr").id == "yanqing"
    assert office_for(offices, ["aiguille_du_midi", "mont_blanc"], "zh").id == "chamonix"
    assert office_for(offices, [], "zh").id == "yanqing"
    assert office_for(offices, [], "en").id == "chamonix"


def test_a_place_whose_office_does_not_chat_goes_to_an_office_of_its_time_zone(offices):
    # content/offices.yml: Chambéry-Bauges and Zhangjiakou have no chat hours.
    assert offices["chambery_bauges"].chat is None and offices["zhangjiakou"].chat is None
    assert office_for(offices, ["le_revard", "bauges"], "zh").id == "chamonix"
    assert office_for(offices, ["genting", "chongli", "zhangjiakou"], "fr").id == "yanqing"


def test_no_office_chats_means_no_office_for_the_hand_off():
    silent = {"lac": Office("lac", {"fr": "Lac"}, (), ("lac",), "Europe/Paris")}
    assert office_for(silent, ["lac"], "fr") is None
    chat = Chat({"fr": "office du lac"}, ("mon",), 9, 17, {"fr": "le lundi"})
    assert office_for({"lac": replace(silent["lac"], chat=chat)}, ["lac"], "zh").id == "lac"


def test_the_office_is_open_in_its_own_time_zone(offices):
    chamonix = offices["chamonix"]
    tuesday_10_paris = dt.datetime(2026, 12, 8, 10, 0, tzinfo=PARIS)
    assert chamonix.is_open(tuesday_10_paris)
    assert not chamonix.is_open(dt.datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI))  # 3 am Paris
    sunday = dt.datetime(2026, 12, 6, 11, 0, tzinfo=PARIS)
    assert chamonix.next_opening(sunday) == dt.datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)


def test_the_offer_names_the_office_its_hours_and_has_a_button(content, offices):
    text, button = handoff.offer(content, offices["yanqing"], "zh")
    assert text == "延庆游客服务中心的工作人员可以在这里为您解答：每天北京时间8:30至17:30。"
    assert button == {"title": "联系工作人员", "payload": "/request_person"}


def test_outside_hours_the_tourist_is_told_when_someone_will_answer(content, offices):
    chamonix = offices["chamonix"]
    saturday_night = dt.datetime(2026, 12, 5, 22, 0, tzinfo=PARIS)
    assert handoff.request(content, chamonix, "fr", saturday_night) == (
        "L'office de tourisme de Chamonix-Mont-Blanc est fermé en ce moment : une personne vous "
        "répondra ici à partir du 7/12/2026 à 09:00 (du lundi au samedi, de 9 h à 18 h, heure "
        "de Paris). Vous pouvez déjà lui écrire."
    )
    open_now = dt.datetime(2026, 12, 7, 9, 30, tzinfo=PARIS)
    assert handoff.request(content, chamonix, "en", open_now).startswith(
        "Done: a person from the Chamonix-Mont-Blanc tourist office will answer you here"
    )


def test_the_request_tells_the_channel_core_to_put_the_conversation_in_the_inbox():
    said = tracker("oui une personne svp", "request_person", place="mont_blanc")
    messages, events = run(ActionRequestPerson(), said)
    assert "Chamonix-Mont-Blanc" in messages[0]["text"]  # someone is coming, or from when
    assert messages[1]["custom"] == {"handoff": {"place": "mont_blanc", "office": "chamonix"}}
    assert events == []


def test_the_offer_action_sends_the_button_in_the_tourists_language():
    messages, _ = run(ActionOfferPerson(), tracker("un humain svp", "contact_human"))
    assert messages[0]["buttons"] == [
        {"title": "Parler à une personne", "payload": "/request_person"}
    ]


# Two refusals in a row: the second is followed by the offer of a person.

REFUSED_BEFORE = {
    "fr": earlier_turn(
        "qui va gagner la coupe du monde", Why("out_of_scope", reason=INTENT, intent="out_of_scope")
    ),
    "zh": earlier_turn("帮我写一首诗", Why("out_of_scope", reason=INTENT, intent="out_of_scope")),
    "en": earlier_turn("how do I visit the Eiffel Tower", Why("not_covered", name="Eiffel Tower")),
}


@pytest.mark.parametrize(
    "language, text, offer, button",
    [
        (
            "fr",
            "quel est le cours du bitcoin",
            "Une personne de l'office de tourisme de Chamonix-Mont-Blanc peut vous répondre ici : "
            "du lundi au samedi, de 9 h à 18 h, heure de Paris.",
            "Parler à une personne",
        ),
        (
            "zh",
            "今天比特币多少钱",
            "延庆游客服务中心的工作人员可以在这里为您解答：每天北京时间8:30至17:30。",
            "联系工作人员",
        ),
        (
            "en",
            "what is the price of bitcoin today",
            "A person from the Chamonix-Mont-Blanc tourist office can answer you here: Monday to "
            "Saturday, 9 am to 6 pm Paris time.",
            "Talk to a person",
        ),
    ],
)
def test_a_second_refusal_in_a_row_offers_a_person_in_the_tourists_language(
    language, text, offer, button
):
    said = tracker(text, "out_of_scope", language=language, history=REFUSED_BEFORE[language])
    messages, _ = run(ActionOutOfScope(), said)
    refusal, offered = messages
    assert refusal["why"].rule == "out_of_scope"
    assert offered["text"] == offer
    assert offered["buttons"] == [{"title": button, "payload": "/request_person"}]


def test_a_first_refusal_offers_no_person():
    messages, _ = run(ActionOutOfScope(), tracker("quel est le cours du bitcoin", "out_of_scope"))
    assert [str(m["why"]) for m in messages] == ["out_of_scope: intent out_of_scope"]


def test_an_answered_turn_between_two_refusals_resets_the_count():
    history = [
        *REFUSED_BEFORE["fr"],
        *earlier_turn(
            "comment aller à Chamonix", Why("place", place="mont_blanc", topic="getting_there")
        ),
    ]
    said = tracker("quel est le cours du bitcoin", "out_of_scope", history=history)
    messages, _ = run(ActionOutOfScope(), said)
    assert [str(m["why"]) for m in messages] == ["out_of_scope: intent out_of_scope"]


def test_after_an_offer_the_next_refusal_starts_a_new_count():
    refused_and_offered = earlier_turn(
        "et la météo ?",
        Why("out_of_scope", reason=INTENT, intent="out_of_scope"),
        Why("handoff_offered", reason=REFUSED_TWICE),
    )
    said = tracker(
        "quel est le cours du bitcoin",
        "out_of_scope",
        history=[*REFUSED_BEFORE["fr"], *refused_and_offered],
    )
    messages, _ = run(ActionOutOfScope(), said)
    assert [str(m["why"]) for m in messages] == ["out_of_scope: intent out_of_scope"]


def test_a_place_not_covered_twice_in_a_row_offers_a_person():
    said = tracker(
        "how do I get to the Louvre",
        "ask_directions",
        [("place", "Louvre", "Louvre")],
        language="en",
        history=REFUSED_BEFORE["en"],
    )
    messages, _ = run(ActionAnswerPlace(), said)
    assert messages[0]["text"].startswith("I can't help with Louvre")
    assert messages[-1]["buttons"] == [{"title": "Talk to a person", "payload": "/request_person"}]


def test_asking_for_a_person_after_a_refusal_gets_one_offer_from_its_own_rule():
    # contact_human's rule runs action_offer_person after action_contact: the
    # refusal hook adds no second offer.
    said = tracker("vous pouvez m'aider ?", "contact_human", history=REFUSED_BEFORE["fr"])
    messages, _ = run(ActionContact(), said)
    assert [m["why"].rule for m in messages] == ["out_of_scope"]
