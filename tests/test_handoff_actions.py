"""Asking for a person of the tourism office: the offer with the office's hours, the
request inside and outside them, in the tourist's language (actions/handoff.py,
content/office_hours.yml, handoff/office_hours.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from actions import handoff as actions
from curated.live import LiveContent
from handoff.office_hours import load, office_for
from testkit.actions import run, tracker

ROOT = Path(__file__).resolve().parent.parent
PARIS, SHANGHAI = ZoneInfo("Europe/Paris"), ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def offices():
    return load(ROOT / "content")


@pytest.fixture(scope="module")
def content():
    return LiveContent(ROOT / "content").get()


def test_a_place_goes_to_its_office_and_no_place_to_the_tourists_side_of_the_world(offices):
    assert office_for(offices, "badaling", "fr").id == "yanqing"
    assert office_for(offices, "aiguille_du_midi", "zh").id == "chamonix_mont_blanc"
    assert office_for(offices, None, "zh").id == "yanqing"
    assert office_for(offices, None, "en").id == "chamonix_mont_blanc"


def test_the_office_is_open_in_its_own_time_zone(offices):
    chamonix = office_for(offices, "mont_blanc", "fr")
    tuesday_10_paris = dt.datetime(2026, 12, 8, 10, 0, tzinfo=PARIS)
    assert chamonix.is_open(tuesday_10_paris)
    assert not chamonix.is_open(dt.datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI))  # 3 am Paris
    sunday = dt.datetime(2026, 12, 6, 11, 0, tzinfo=PARIS)
    assert chamonix.next_opening(sunday) == dt.datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)


def test_the_offer_names_the_office_its_hours_and_has_a_button(content, offices):
    text, button = actions.offer(content, office_for(offices, "badaling", "zh"), "zh")
    assert text == "延庆游客服务中心的工作人员可以在这里为您解答：每天北京时间8:30至17:30。"
    assert button == {"title": "联系工作人员", "payload": "/request_person"}


def test_outside_hours_the_tourist_is_told_when_someone_will_answer(content, offices):
    chamonix = office_for(offices, "mont_blanc", "fr")
    saturday_night = dt.datetime(2026, 12, 5, 22, 0, tzinfo=PARIS)
    assert actions.request(content, chamonix, "fr", saturday_night) == (
        "L'office de tourisme de Chamonix-Mont-Blanc est fermé en ce moment : une personne vous "
        "répondra ici à partir du 7/12/2026 à 09:00 (du lundi au samedi, de 9 h à 18 h, heure "
        "de Paris). Vous pouvez déjà lui écrire."
    )
    open_now = dt.datetime(2026, 12, 7, 9, 30, tzinfo=PARIS)
    assert actions.request(content, chamonix, "en", open_now).startswith(
        "Done: a person from the Chamonix-Mont-Blanc tourist office will answer you here"
    )


def test_the_request_tells_the_channel_core_to_put_the_conversation_in_the_inbox():
    said = tracker("oui une personne svp", "request_person", place="mont_blanc")
    messages, events = run(actions.ActionRequestPerson(), said)
    assert "Chamonix-Mont-Blanc" in messages[0]["text"]  # someone is coming, or from when
    assert messages[1]["custom"] == {
        "handoff": {"place": "mont_blanc", "office": "chamonix_mont_blanc"}
    }
    assert events == []


def test_the_offer_action_sends_the_button_in_the_tourists_language():
    messages, _ = run(actions.ActionOfferPerson(), tracker("un humain svp", "contact_human"))
    assert messages[0]["buttons"] == [
        {"title": "Parler à une personne", "payload": "/request_person"}
    ]
