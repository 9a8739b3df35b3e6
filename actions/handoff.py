"""The actions of the hand-off to a person of the tourism office.

- ``action_offer_person`` (after the contacts, when a tourist asks for a person:
  dialogue/rules.yml): a person can answer here, the office's hours in words,
  and a button to ask for one (payload ``/request_person``);
- ``action_request_person`` (that button, or "oui, une personne"): the tourist
  is told someone is coming, or, outside the office's hours, from when; the
  reply carries ``{"handoff": {"place", "office"}}``, from which the channel core
  puts the conversation in the review app's inbox (bot/core/assistant.py).

rasa-sdk registers every module of the ``actions`` package: nothing to import
elsewhere. Sentences come from content/phrases.yml, offices and hours from
content/office_hours.yml (``handoff/office_hours.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import settings
from curated import live as live_content
from curated.content import Content
from handoff.office_hours import Office, load, office_for

LANGUAGES = ("fr", "zh", "en")
REQUEST_PAYLOAD = "/request_person"


def _language(tracker: Tracker) -> str:
    language = tracker.get_slot("language")
    if language not in LANGUAGES:
        language = (tracker.latest_message.get("metadata") or {}).get("language")
    return language if language in LANGUAGES else "en"


def _office(tracker: Tracker, language: str) -> Office | None:
    offices = load(settings.from_environment().content_dir)
    return office_for(offices, tracker.get_slot("place"), language)


def offer(content: Content, office: Office | None, language: str) -> tuple[str, dict[str, str]]:
    """The offer of a person: its text and its button."""
    button = {"title": content.phrase("handoff_button", language), "payload": REQUEST_PAYLOAD}
    if office is None:
        return content.phrase("handoff_waiting", language, office="office"), button
    text = content.phrase(
        "handoff_offer", language, office=office.name[language], hours=office.hours[language]
    )
    return text, button


def request(content: Content, office: Office | None, language: str, now: dt.datetime) -> str:
    """What the tourist who asked for a person reads: someone is coming, or from when."""
    if office is None or office.is_open(now):
        name = office.name[language] if office else ""
        return content.phrase("handoff_waiting", language, office=name)
    opening = office.next_opening(now)
    date = content.phrase("date", language, day=opening.day, month=opening.month, year=opening.year)
    return content.phrase(
        "handoff_later",
        language,
        office=office.name[language],
        date=date,
        time=opening.strftime("%H:%M"),
        hours=office.hours[language],
    )


class ActionOfferPerson(Action):
    def name(self) -> str:
        return "action_offer_person"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = _language(tracker)
        text, button = offer(live_content.current(), _office(tracker, language), language)
        dispatcher.utter_message(text=text, buttons=[button], why="handoff offered")
        return []


class ActionRequestPerson(Action):
    def name(self) -> str:
        return "action_request_person"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = _language(tracker)
        office = _office(tracker, language)
        now = dt.datetime.now(dt.timezone.utc)
        dispatcher.utter_message(
            text=request(live_content.current(), office, language, now), why="handoff requested"
        )
        place = tracker.get_slot("place") or ""
        dispatcher.utter_message(
            json_message={"handoff": {"place": place, "office": office.id if office else ""}}
        )
        return []
