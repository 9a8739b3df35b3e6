"""The hand-off to a person of the tourism office: what the tourist reads.

- the offer (``offer``; actions/decision.py gives it after the contacts, when a
  tourist asks for a person, and after a second refusal in a row): a person
  can answer here, the office's hours in words, and a button to ask for one
  (payload ``/request_person``);
- the request (``request``; that button, or "oui, une personne"): someone is
  coming, or, outside the office's hours, from when. The decision's reply
  carries ``{"handoff": {"place", "office"}}``, from which the channel core
  puts the conversation in the review app's inbox (bot/core/assistant.py).

Sentences come from content/phrases.yml, offices and their chat hours from
content/offices.yml (``curated/offices.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from curated.content import Content
from curated.offices import Office, office_for

REQUEST_PAYLOAD = "/request_person"
# Intents whose rule offers a person anyway (dialogue/rules.yml: action_contact,
# then action_offer_person): a refusal of theirs adds no second offer.
OFFERING_INTENTS = ("contact_human", "request_person")


def office_of(
    content: Content, offices: Mapping[str, Office], place: str | None, language: str
) -> Office | None:
    """The office answering for the conversation's place (and the places it lies within)."""
    within = [p.id for p in content.lineage(place)] if place in content.places else []
    return office_for(offices, within, language)


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
