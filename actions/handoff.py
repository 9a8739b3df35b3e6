"""The actions of the hand-off to a person of the tourism office.

- ``action_offer_person`` (after the contacts, when a tourist asks for a person:
  dialogue/rules.yml): a person can answer here, the office's hours in words,
  and a button to ask for one (payload ``/request_person``);
- ``action_request_person`` (that button, or "oui, une personne"): the tourist
  is told someone is coming, or, outside the office's hours, from when; the
  reply carries ``{"handoff": {"place", "office"}}``, from which the channel core
  puts the conversation in the review app's inbox (bot/core/assistant.py);
- ``offer_after_refusals`` (called by the actions' refusals, actions/actions.py):
  the same offer when the assistant refused this turn and the turn before.

rasa-sdk registers every module of the ``actions`` package: nothing to import
elsewhere. Sentences come from content/phrases.yml, offices and their chat hours
from content/offices.yml (``curated/offices.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import settings
from actions.answers import is_refusal
from curated import live as live_content
from curated.content import Content
from curated.offices import Office, office_for, read

LANGUAGES = ("fr", "zh", "en")
REQUEST_PAYLOAD = "/request_person"
# The ``why`` of every offer of a person (in the bot message's metadata).
OFFERED = "handoff offered"
# Intents whose rule offers a person anyway (dialogue/rules.yml: action_contact,
# then action_offer_person): a refusal of theirs adds no second offer.
OFFERING_INTENTS = ("contact_human", "request_person")


def _language(tracker: Tracker) -> str:
    language = tracker.get_slot("language")
    if language not in LANGUAGES:
        language = (tracker.latest_message.get("metadata") or {}).get("language")
    return language if language in LANGUAGES else "en"


def _office(tracker: Tracker, language: str) -> Office | None:
    """The office answering for the conversation's place (and the places it lies within)."""
    content = live_content.current()
    place = tracker.get_slot("place")
    within = [p.id for p in content.lineage(place)] if place in content.places else []
    return office_for(read(settings.from_environment().content_dir), within, language)


def offer(content: Content, office: Office | None, language: str) -> tuple[str, dict[str, str]]:
    """The offer of a person: its text and its button."""
    button = {"title": content.phrase("handoff_button", language), "payload": REQUEST_PAYLOAD}
    if office is None or office.chat is None:
        return content.phrase("handoff_waiting", language, office="office"), button
    text = content.phrase(
        "handoff_offer",
        language,
        office=office.chat.name[language],
        hours=office.chat.hours[language],
    )
    return text, button


def request(content: Content, office: Office | None, language: str, now: dt.datetime) -> str:
    """What the tourist who asked for a person reads: someone is coming, or from when."""
    if office is None or office.chat is None or office.is_open(now):
        name = office.chat.name[language] if office and office.chat else ""
        return content.phrase("handoff_waiting", language, office=name)
    opening = office.next_opening(now)
    date = content.phrase("date", language, day=opening.day, month=opening.month, year=opening.year)
    return content.phrase(
        "handoff_later",
        language,
        office=office.chat.name[language],
        date=date,
        time=opening.strftime("%H:%M"),
        hours=office.chat.hours[language],
    )


def previous_replies(events: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The bot messages that answered the tourist's message before the latest one,
    from the tracker's events; None when the latest message is the first of the
    conversation's session."""
    users = 0
    replies: list[dict[str, Any]] = []
    for event in reversed(events):
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            return None
        if kind == "user":
            users += 1
            if users == 2:
                return list(reversed(replies))
        elif kind == "bot" and users == 1:
            replies.append(event)
    return None


def refused_before(events: list[dict[str, Any]]) -> bool:
    """The assistant refused the message before the latest one and offered no person then."""
    replies = previous_replies(events)
    if not replies:
        return False
    whys = [str((reply.get("metadata") or {}).get("why") or "") for reply in replies]
    return any(is_refusal(why) for why in whys) and not any(w.startswith(OFFERED) for w in whys)


def offer_after_refusals(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Called by an action that has just refused: when it refused the turn before
    too, the offer of a person follows the refusal. An answered turn in between
    resets the count, and so does an offer (the third refusal in a row adds none,
    the fourth does)."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent in OFFERING_INTENTS or not refused_before(tracker.events):
        return
    language = _language(tracker)
    text, button = offer(live_content.current(), _office(tracker, language), language)
    dispatcher.utter_message(text=text, buttons=[button], why=f"{OFFERED}: refused twice")


class ActionOfferPerson(Action):
    def name(self) -> str:
        return "action_offer_person"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = _language(tracker)
        text, button = offer(live_content.current(), _office(tracker, language), language)
        dispatcher.utter_message(text=text, buttons=[button], why=OFFERED)
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
