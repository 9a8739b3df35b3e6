"""The entries that passed the schema (``schema``) made into the objects of ``entries``."""

from __future__ import annotations

from typing import Any

from curated.entries import Contact, Event, Fact, FaqEntry, Location, Offer, Origin, Place, Topic
from curated.field_types import Entry


def _origin(entry: Entry, file: str, key: str = "id") -> Origin:
    return Origin(file, entry.key_lines.get(key, entry.line), entry.field)


def place(entry: Entry, file: str) -> Place:
    contact = entry["contact"]
    return Place(
        id=entry["id"],
        name=entry["name"],
        parent=entry["parent"],
        sister=entry["sister"],
        suggestion=entry["suggestion"],
        contact=Contact(contact["name"], contact["url"], contact["phone"], contact["email"])
        if contact
        else None,
        location=Location(**entry["location"]) if entry["location"] else None,
        known_for=tuple(entry["known_for"]),
        topics={name: _topic(topic, file) for name, topic in entry["topics"].items()},
        origin=_origin(entry, file),
    )


def _facts(entries: Any, file: str) -> tuple[Fact, ...]:
    return tuple(
        Fact(fact["text"], fact["source"], fact["checked"], origin=_origin(fact, file, "checked"))
        for fact in entries
    )


def _topic(entry: Entry, file: str) -> Topic:
    return Topic(entry["text"], _facts(entry["facts"], file))


def faq(entry: Entry, file: str) -> FaqEntry:
    return FaqEntry(
        id=entry["id"],
        questions=dict(entry["questions"]),
        answer=entry["answer"],
        place=entry["place"],
        facts=_facts(entry["facts"], file),
        origin=_origin(entry, file),
        question_lines=dict(getattr(entry["questions"], "lines", {})),
    )


def offer(entry: Entry, file: str) -> Offer:
    return Offer(
        id=entry["id"],
        sample=entry["sample"],
        place=entry["place"],
        title=entry["title"],
        description=entry["description"],
        amount=float(entry["price"]["amount"]),
        currency=entry["price"]["currency"],
        valid_from=entry["valid_from"],
        valid_until=entry["valid_until"],
        timezone=entry["timezone"],
        includes=dict(entry["includes"] or {}),
        booking=entry["booking"],
        url=entry["url"],
        seasons=tuple(entry["seasons"]),
        origin=_origin(entry, file),
    )


def event(entry: Entry, file: str) -> Event:
    return Event(
        id=entry["id"],
        place=entry["place"],
        title=entry["title"],
        description=entry["description"],
        starts=entry["starts"],
        ends=entry["ends"],
        timezone=entry["timezone"],
        source=entry["source"],
        checked=entry["checked"],
        when=entry["when"],
        url=entry["url"],
        origin=_origin(entry, file),
    )
