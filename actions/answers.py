"""The answers the actions send, composed from content/ in one language.

Plain functions of the content and the question, so they are tested without
Rasa. Every sentence comes from content/ (places, offers, phrases.yml); this
module only chooses and assembles them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from actions.passages import Passage
from actions.why import Why
from curated.content import Content
from curated.entries import Contact, Event, FaqEntry, Offer
from curated.schema import TOPICS
from language.names import synonyms
from language.text import HAN_RUN, fold

# The topic of content/ that answers each intent.
TOPIC_OF_INTENT = {
    "ask_overview": "overview",
    "ask_directions": "getting_there",
    "ask_prices": "prices",
    "ask_hours": "hours",
    "ask_best_time": "best_time",
    "ask_activities": "activities",
}

# At most this many events are listed, soonest first.
EVENTS_SHOWN = 5


@dataclass
class Reply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    # Which rule answered, for staff reviewing the conversation (actions/why.py).
    why: Why = field(kw_only=True)
    about: str | None = None  # the place whose sister destination may follow
    pin: tuple[float, float] | None = None  # (latitude, longitude) to show on a map
    response: str | None = None  # a response of domain.yml to send instead of ``text``
    # A payload for the channel core, sent after the text ({"handoff": ...}).
    signal: Mapping[str, object] | None = None


@dataclass(frozen=True)
class Target:
    """The place a question is about, or the name of one the assistant does not cover."""

    place_id: str | None = None
    uncovered_name: str | None = None


def choose_place(
    content: Content,
    mentioned: Sequence[dict[str, str]],
    activities: Sequence[str],
    conversation_place: str | None,
    intent: str,
) -> Target:
    """Which place a question is about.

    ``mentioned`` holds the place entities of the message, as
    ``{"value": id, "text": what the tourist typed}``. A covered place named in
    the message wins; then a place known for the activity asked about; then
    the place of the conversation so far ("and the price?"). A destination we
    do not cover is said so, except in a directions question, where another
    city is usually where the trip starts ("from Geneva").
    """
    covered = most_precise(content, [m["value"] for m in mentioned if m["value"] in content.places])
    if covered:
        return Target(covered)
    uncovered = [m for m in mentioned if m["value"] not in content.places]
    if uncovered and not (intent == "ask_directions" and conversation_place):
        return Target(uncovered_name=uncovered[0]["text"])
    # "can we take the cable car?" after Badaling is about Badaling: the place
    # of the conversation holds until the tourist names another one.
    if activities and conversation_place in content.places:
        return Target(conversation_place)
    for activity in activities:
        for place in content.places.values():
            if activity in place.known_for:
                return Target(place.id)
    if conversation_place in content.places:
        return Target(conversation_place)
    return Target()


def most_precise(content: Content, place_ids: Sequence[str]) -> str | None:
    """The first place named that no other place named lies within."""
    for place_id in place_ids:
        inside = [
            p for p in place_ids if p != place_id and place_id in {x.id for x in content.lineage(p)}
        ]
        if not inside:
            return place_id
    return None


def offers_activity(content: Content, place_id: str, activity: str) -> bool:
    """The place (or a larger place it is within) is known for the activity,
    or one of the texts a tourist would read about it names the activity in
    any of its written forms ("téléphérique", "缆车", "cable car")."""
    if any(activity in place.known_for for place in content.lineage(place_id)):
        return True
    forms = _forms(activity)
    for topic in TOPICS:
        found = content.topic(place_id, topic)
        if found is None:
            continue
        for text in found[1].text.values():
            folded = fold(text)
            if any(form in folded for form in forms):
                return True
    return False


@functools.lru_cache(maxsize=16)
def _forms(activity: str) -> tuple[str, ...]:
    """Every written form of an activity in nlu/entities.yml, folded."""
    return tuple(fold(form) for form, value in synonyms().items() if value == activity)


def activity_missing(content: Content, place_id: str, activity_typed: str, language: str) -> Reply:
    """The place's content never mentions the activity asked about: said so, with whom to ask."""
    text = content.phrase(
        "activity_missing",
        language,
        activity=activity_typed,
        place=content.places[place_id].name[language],
        contact=contact_details(content, place_id, language),
    )
    return Reply(text, why=Why("activity_missing", place=place_id, name=activity_typed))


def place_answer(
    content: Content, place_id: str, topic: str, language: str, suggest: bool = True
) -> Reply:
    """The topic's text, its facts with source and date, then (``suggest``) the sister destination."""
    place = content.places[place_id]
    found = content.topic(place_id, topic)
    if found is None:
        text = content.phrase(
            "topic_missing",
            language,
            place=place.name[language],
            contact=contact_details(content, place_id, language),
        )
        tail = suggestion(content, place_id, language) if suggest else ""
        return Reply(_join(text, tail), why=Why("place", place=place_id, topic=topic, missing=True))
    _, topic_content = found
    parts = [place.name[language], topic_content.text[language]]
    parts.extend(_fact_lines(content, topic_content.facts, language))
    if suggest:
        parts.append(suggestion(content, place_id, language))
    return Reply(_join(*parts), why=Why("place", place=place_id, topic=topic))


def faq_answer(content: Content, entry: FaqEntry, language: str, suggest: bool = True) -> Reply:
    """An FAQ entry's answer, its facts with source and date, then (``suggest``) the sister destination."""
    parts = [entry.answer[language]]
    parts.extend(_fact_lines(content, entry.facts, language))
    if suggest and entry.place in content.places:
        parts.append(suggestion(content, entry.place, language))
    return Reply(_join(*parts), why=Why("faq", entry=entry.id))


def _fact_lines(content: Content, facts, language: str) -> list[str]:
    return [
        content.phrase(
            "fact",
            language,
            text=fact.text[language],
            source=fact.source,
            checked=format_date(content, fact.checked, language),
        )
        for fact in facts
    ]


def suggestion(content: Content, place_id: str, language: str, times: int = 0) -> str:
    """One cross-tourism suggestion: the sister destination's invitation.

    ``times``: how often it was suggested before; every other time the sister
    destination is introduced by its own overview instead, so a tourist back
    the next day does not read the same paragraph again.
    """
    sister_id = content.inherited(place_id, "sister")
    sister = content.places.get(sister_id) if sister_id else None
    found = content.topic(sister_id, "overview") if sister else None
    if times % 2 == 1 and sister and found:
        first = _first_sentence(found[1].text[language])
        return content.phrase("sister_overview", language, name=sister.name[language], text=first)
    text = content.inherited(place_id, "suggestion")
    return content.phrase("suggestion", language, text=text[language]) if text else ""


def suggestion_key(content: Content, place_id: str | None) -> str | None:
    """The destination a suggestion after ``place_id`` invites to (its sister)."""
    if not place_id or place_id not in content.places:
        return None
    return content.inherited(place_id, "sister")


_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


def _first_sentence(text: str) -> str:
    return next((s for s in _SENTENCE_END.split(text.strip()) if s), text)


def which_place(content: Content, intent: str, language: str) -> Reply:
    buttons = destination_buttons(content, intent, language)
    return Reply(
        content.phrase("which_place", language), buttons, why=Why("which_place", intent=intent)
    )


def destination_buttons(content: Content, intent: str, language: str) -> list[dict[str, str]]:
    """One button per main destination, asking ``intent`` about it when pressed."""
    return [
        {"title": content.places[p].name[language], "payload": f'/{intent}{{"place": "{p}"}}'}
        for p in content.choices.main_destinations
        if p in content.places
    ]


def not_covered(
    content: Content, name: str, language: str, conversation_place: str | None = None
) -> Reply:
    contact = contact_details(content, conversation_place, language)
    return Reply(
        content.phrase("not_covered", language, name=name, contact=contact),
        why=Why("not_covered", name=name),
    )


def out_of_scope(content: Content, language: str, conversation_place: str | None = None) -> Reply:
    contact = contact_details(content, conversation_place, language)
    return Reply(content.phrase("out_of_scope", language, contact=contact), why=Why("out_of_scope"))


def contacts(content: Content, place_id: str | None, language: str) -> Reply:
    """Who runs the place and its tourism office, or every main office."""
    if place_id in content.places:
        found = [p.contact for p in content.lineage(place_id)]  # the operator, then the office
    else:
        found = [
            content.inherited(p, "contact")
            for p in content.choices.main_offices
            if p in content.places
        ]
    lines = [content.phrase("contact_intro", language)]
    seen: list[Contact] = []
    for contact in found:
        if contact is None or contact in seen:
            continue
        seen.append(contact)
        details = _details(contact)
        line = content.phrase(
            "contact_line", language, name=contact.name[language], details=details
        )
        lines.append(line if details else "• " + contact.name[language])
    return Reply("\n".join(lines), why=Why("contact", place=place_id))


def offers(content: Content, place_id: str | None, language: str, now: dt.datetime) -> list[Reply]:
    """Offers valid today, for the place asked (and the places within it) or
    all, ending soonest first: one message per offer (the first one after the
    introduction), so that many offers never make one over-long message."""
    current = [o for o in content.offers if o.is_valid_on(now)]
    if place_id:
        matching = [o for o in current if o.place in family_of(content, place_id)]
        current = matching or current
    if not current:
        return [
            Reply(
                content.phrase("offers_none", language, contact=main_contact(content, language)),
                why=Why("offers", missing=True),
            )
        ]
    current.sort(key=lambda o: (o.valid_until, o.id))
    texts = [offer_text(content, o, language) for o in current]
    texts[0] = content.phrase("offers_intro", language) + "\n" + texts[0]
    return [Reply(text, why=Why("offers", place=place_id)) for text in texts]


def offer_text(content: Content, offer: Offer, language: str) -> str:
    amount = format_amount(offer.amount, language)
    text = content.phrase(
        "offer",
        language,
        title=offer.title[language],
        price=content.phrase("price", language, amount=amount, currency=offer.currency),
        until=format_date(content, offer.valid_until, language),
        description=offer.description[language],
        includes=content.phrase("list_separator", language).join(offer.includes.get(language, ())),
        booking=offer.booking[language] + (f" {offer.url}" if offer.url else ""),
    )
    if offer.sample:
        text += "\n" + content.phrase("offer_sample", language)
    return text


def family_of(content: Content, place_id: str) -> set:
    """The place, the places within it and the places it is within."""
    family = {
        p.id for p in content.places.values() if place_id in {x.id for x in content.lineage(p.id)}
    }
    return family | {p.id for p in content.lineage(place_id)}


_WORD = re.compile(r"[^\W\d_]{4,}|[A-Za-z]*\d+[A-Za-z]*", re.UNICODE)


def _title_marks(text: str) -> set:
    """Words of 4+ letters, numbers, and pairs of Chinese characters, folded."""
    folded = fold(text)
    marks = set(_WORD.findall(HAN_RUN.sub(" ", folded)))
    for run in HAN_RUN.findall(folded):
        marks.update(run[i : i + 2] for i in range(len(run) - 1))
    return marks


def named_events(events: Sequence[Event], text: str) -> list[Event]:
    """The events the question names ("when is the UTMB", "冰灯节几号"): those
    sharing with it a word of their title (any language) that no other
    event's title has."""
    if not text or text.startswith("/"):
        return []
    marks = {e.id: set().union(*(_title_marks(t) for t in e.title.values())) for e in events}
    asked = _title_marks(text)
    named = []
    for event in events:
        others = set().union(*(m for other, m in marks.items() if other != event.id))
        if asked & (marks[event.id] - others):
            named.append(event)
    return named


def events(
    content: Content, place_id: str | None, language: str, now: dt.datetime, text: str = ""
) -> list[Reply]:
    """Events not over yet, soonest first: the ones the question names, else
    those at the place asked (and the places within it), else all; one
    message per event, the first one after the introduction. When the place
    has none, that is said before the others."""
    coming = sorted(
        (e for e in content.events if not e.is_over(now)), key=lambda e: (e.starts, e.id)
    )
    if not coming:
        return [
            Reply(
                content.phrase("events_none", language, contact=main_contact(content, language)),
                why=Why("events", missing=True),
            )
        ]
    intro = content.phrase("events_intro", language)
    named = named_events(coming, text)
    if named:
        coming = named
    elif place_id and place_id in content.places:
        here = [e for e in coming if e.place in family_of(content, place_id)]
        if here:
            coming = here
        else:
            name = content.places[place_id].name[language]
            intro = content.phrase("events_none_here", language, place=name)
    texts = [event_text(content, e, language) for e in coming[:EVENTS_SHOWN]]
    texts[0] = intro + "\n" + texts[0]
    return [Reply(text, why=Why("events", place=place_id)) for text in texts]


def event_text(content: Content, event: Event, language: str) -> str:
    if event.when:
        dates = event.when[language]
    elif event.starts == event.ends:
        dates = format_date(content, event.starts, language)
    else:
        dates = content.phrase(
            "date_range",
            language,
            start=format_date(content, event.starts, language),
            end=format_date(content, event.ends, language),
        )
    text = content.phrase(
        "event",
        language,
        title=event.title[language],
        dates=dates,
        description=event.description[language],
        source=event.source,
        checked=format_date(content, event.checked, language),
    )
    return text + (f"\n{event.url}" if event.url else "")


def format_amount(amount: float, language: str) -> str:
    """2,680 and 12.50 in English and Chinese; 2 680 and 12,50 in French
    (narrow no-break space between thousands, decimal comma)."""
    text = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def format_date(content: Content, date: dt.date, language: str) -> str:
    return content.phrase(
        "date", language, day=f"{date.day:02d}", month=f"{date.month:02d}", year=date.year
    )


def contact_details(content: Content, place_id: str | None, language: str) -> str:
    contact = content.inherited(place_id, "contact") if place_id in content.places else None
    if contact is None:
        return main_contact(content, language)
    return _contact_text(contact, language)


def main_contact(content: Content, language: str) -> str:
    """The first main office with a contact, for "who can help me" answers."""
    for place_id in content.choices.main_offices:
        contact = content.inherited(place_id, "contact") if place_id in content.places else None
        if contact:
            return _contact_text(contact, language)
    return ""


def _contact_text(contact: Contact, language: str) -> str:
    return ", ".join(x for x in (contact.name[language], _details(contact)) if x)


def _details(contact: Contact) -> str:
    return " · ".join(x for x in (contact.url, contact.phone, contact.email) if x)


def _join(*parts: str) -> str:
    # One line break between parts: Rasa's REST channel would cut the reply
    # into several messages at every blank line.
    return "\n".join(p for p in parts if p)


def passage_reply(content: Content, passage: Passage, language: str, now: dt.datetime) -> Reply:
    """A passage of the search (actions/passages.py) as the reply it stands for,
    as written in content/: a place's topic, an FAQ answer, an event, an offer."""
    if passage.kind == "topic" and passage.place and passage.topic:
        reply = place_answer(content, passage.place, passage.topic, language, suggest=False)
    elif passage.kind == "faq":
        entry = next(e for e in content.faq if e.id == passage.entry)
        reply = faq_answer(content, entry, language, suggest=False)
    elif passage.kind == "event":
        event = next(e for e in content.events if e.id == passage.entry)
        reply = Reply(event_text(content, event, language), why=Why("events", entry=passage.entry))
    else:
        offer = next(o for o in content.offers if o.id == passage.entry)
        reply = Reply(offer_text(content, offer, language), why=Why("offers", entry=passage.entry))
    reply.about = passage.place
    return reply
