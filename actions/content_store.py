"""Reads the curated content in content/ into plain objects for the actions.

Tourism offices edit those YAML files by hand. A mistake in one file must not
take the assistant down: ``load`` keeps every entry it can read and returns
the problems it met, each with file, line, field, what is wrong and how to fix
it, in plain words.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

logger = logging.getLogger(__name__)

LANGUAGES = ("fr", "zh", "en")
TOPICS = ("overview", "getting_there", "prices", "hours", "best_time", "activities")
CURRENCIES = ("EUR", "CNY", "CHF", "USD")
DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "content"

Texts = Dict[str, str]  # language -> text


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a content file, worded for its editor."""

    file: str
    line: int
    field: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message} {self.fix}"


@dataclass(frozen=True)
class Fact:
    """A figure that can change, with where it comes from and when it was checked."""

    text: Texts
    source: str
    checked: dt.date


@dataclass(frozen=True)
class Topic:
    text: Texts
    facts: Tuple[Fact, ...] = ()


@dataclass(frozen=True)
class Contact:
    name: Texts
    url: Optional[str] = None
    phone: Optional[str] = None
    email: Optional[str] = None


@dataclass(frozen=True)
class Place:
    id: str
    name: Texts
    parent: Optional[str] = None
    sister: Optional[str] = None
    suggestion: Optional[Texts] = None
    contact: Optional[Contact] = None
    known_for: Tuple[str, ...] = ()
    topics: Dict[str, Topic] = field(default_factory=dict)


@dataclass(frozen=True)
class Offer:
    id: str
    sample: bool
    place: str
    title: Texts
    description: Texts
    amount: float
    currency: str
    valid_from: dt.date
    valid_until: dt.date
    timezone: str
    includes: Dict[str, Tuple[str, ...]]
    booking: Texts
    url: Optional[str] = None

    def is_valid_on(self, now: dt.datetime) -> bool:
        """True while the offer runs, judged by the date in its own time zone."""
        today = now.astimezone(ZoneInfo(self.timezone)).date()
        return self.valid_from <= today <= self.valid_until


@dataclass
class Content:
    places: Dict[str, Place] = field(default_factory=dict)
    offers: List[Offer] = field(default_factory=list)
    phrases: Dict[str, Texts] = field(default_factory=dict)
    problems: List[Problem] = field(default_factory=list)

    def place(self, place_id: str) -> Optional[Place]:
        return self.places.get(place_id)

    def lineage(self, place_id: str) -> List[Place]:
        """The place, then its parent, grandparent... (no loops)."""
        chain: List[Place] = []
        current = self.places.get(place_id)
        while current is not None and current not in chain:
            chain.append(current)
            current = self.places.get(current.parent) if current.parent else None
        return chain

    def topic(self, place_id: str, topic: str) -> Optional[Tuple[Place, Topic]]:
        """The topic for the place, or for the nearest larger place that has it."""
        for place in self.lineage(place_id):
            if topic in place.topics:
                return place, place.topics[topic]
        return None

    def inherited(self, place_id: str, attribute: str) -> Any:
        for place in self.lineage(place_id):
            value = getattr(place, attribute)
            if value:
                return value
        return None

    def phrase(self, key: str, language: str, **values: Any) -> str:
        texts = self.phrases.get(key)
        if not texts:
            logger.error("content/phrases.yml has no phrase %r", key)
            return ""
        template = texts.get(language) or texts.get("en", "")
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            logger.error("Phrase %r (%s) has a placeholder that is not known", key, language)
            return template


# ---------------------------------------------------------------- loading


class _Node(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: Dict[str, int]


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        mapping = _Node(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {
            str(key.value): key.start_mark.line + 1 for key, _ in node.value
        }
        return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    lambda loader, node: loader.construct_mapping(node),
)


def load(directory: Path = DEFAULT_DIRECTORY) -> Content:
    """Every content file in ``directory``; problems are collected, not raised."""
    content = Content()
    for path in sorted(Path(directory).glob("*.yml")):
        reader = _Reader(path.name, content)
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            column = f", column {mark.column + 1}" if mark else ""
            reader.problem(
                line,
                "(file)",
                f"the file is not valid YAML{column}: {getattr(error, 'problem', error)}.",
                "Check the indentation and that every text with a colon is in quotes.",
            )
            continue
        except (OSError, UnicodeDecodeError) as error:
            reader.problem(1, "(file)", f"the file cannot be read ({error}).", "Save it as UTF-8 text.")
            continue
        if not isinstance(data, dict):
            reader.problem(1, "(file)", "the file is empty or not a list of entries.", "Start it with places:, offers: or phrases:.")
            continue
        reader.read(data)
    _check_references(content)
    for problem in content.problems:
        logger.error("Content problem: %s", problem)
    return content


class _Reader:
    def __init__(self, file: str, content: Content) -> None:
        self.file = file
        self.content = content

    def problem(self, line: int, field_name: str, message: str, fix: str) -> None:
        self.content.problems.append(Problem(self.file, line, field_name, message, fix))

    def read(self, data: _Node) -> None:
        for key in data:
            if key == "places":
                for entry in self._list(data, key):
                    place = self._place(entry)
                    if place:
                        self.content.places[place.id] = place
            elif key == "offers":
                for entry in self._list(data, key):
                    offer = self._offer(entry)
                    if offer:
                        self.content.offers.append(offer)
            elif key == "phrases":
                phrases = data[key]
                if isinstance(phrases, dict):
                    for name in phrases:
                        texts = self._texts(phrases, name)
                        if texts:
                            self.content.phrases[name] = texts
            else:
                self.problem(
                    _line(data, key), key, "is not a kind of content this assistant knows.",
                    "Use places:, offers: or phrases:.",
                )

    def _list(self, data: _Node, key: str) -> List[_Node]:
        entries = data[key]
        if not isinstance(entries, list):
            self.problem(_line(data, key), key, "should be a list of entries.", "Start each entry with '- '.")
            return []
        good = []
        for entry in entries:
            if isinstance(entry, dict):
                good.append(entry)
            else:
                self.problem(_line(data, key), key, "has an entry that is not a set of fields.", "Give each entry fields such as id: and name:.")
        return good

    # Fields

    def _required(self, node: _Node, key: str, where: str) -> Any:
        if node.get(key) in (None, ""):
            self.problem(node.line, f"{where}.{key}", "is missing.", f"Add {key}: to this entry.")
            return None
        return node[key]

    def _texts(self, node: _Node, key: str, where: str = "", required: bool = True) -> Optional[Texts]:
        label = f"{where}.{key}" if where else key
        value = node.get(key)
        if value is None:
            if required:
                self.problem(node.line, label, "is missing.", "Add it with a text for fr, zh and en.")
            return None
        if not isinstance(value, dict):
            self.problem(_line(node, key), label, "should have one text per language.", "Write it as fr: ..., zh: ..., en: ... on three lines.")
            return None
        texts: Texts = {}
        for language in LANGUAGES:
            text = value.get(language)
            if not isinstance(text, str) or not text.strip():
                self.problem(_line(node, key), f"{label}.{language}", "the text in this language is missing or empty.", f"Add a {language}: line with the text.")
            else:
                texts[language] = text.strip()
        return texts if len(texts) == len(LANGUAGES) else None

    def _date(self, node: _Node, key: str, where: str) -> Optional[dt.date]:
        value = node.get(key)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        self.problem(_line(node, key), f"{where}.{key}", "is not a date.", "Write the date as YYYY-MM-DD, for example 2027-03-31.")
        return None

    def _https(self, node: _Node, key: str, where: str, required: bool = False) -> Optional[str]:
        value = node.get(key)
        if value is None:
            if required:
                self.problem(node.line, f"{where}.{key}", "is missing.", "Add the https:// address of the page.")
            return None
        if not isinstance(value, str) or not value.startswith("https://"):
            self.problem(_line(node, key), f"{where}.{key}", "is not an https:// address.", "Copy the full address from the browser, starting with https://.")
            return None
        return value

    # Entries

    def _place(self, node: _Node) -> Optional[Place]:
        place_id = self._required(node, "id", "place")
        if not isinstance(place_id, str):
            return None
        where = f"places.{place_id}"
        name = self._texts(node, "name", where)
        topics: Dict[str, Topic] = {}
        raw_topics = node.get("topics") or {}
        if isinstance(raw_topics, dict):
            for topic_name, raw in raw_topics.items():
                if topic_name not in TOPICS:
                    self.problem(_line(raw_topics, topic_name), f"{where}.topics.{topic_name}", "is not a topic the assistant answers.", f"Use one of: {', '.join(TOPICS)}.")
                    continue
                topic = self._topic(raw, f"{where}.topics.{topic_name}", _line(raw_topics, topic_name))
                if topic:
                    topics[topic_name] = topic
        contact = None
        if isinstance(node.get("contact"), dict):
            raw = node["contact"]
            contact_name = self._texts(raw, "name", f"{where}.contact")
            if contact_name:
                contact = Contact(
                    name=contact_name,
                    url=self._https(raw, "url", f"{where}.contact"),
                    phone=str(raw["phone"]) if raw.get("phone") else None,
                    email=str(raw["email"]) if raw.get("email") else None,
                )
        known_for = node.get("known_for") or ()
        if name is None:
            return None
        return Place(
            id=place_id,
            name=name,
            parent=node.get("parent"),
            sister=node.get("sister"),
            suggestion=self._texts(node, "suggestion", where, required=False),
            contact=contact,
            known_for=tuple(str(a) for a in known_for) if isinstance(known_for, list) else (),
            topics=topics,
        )

    def _topic(self, raw: Any, where: str, line: int) -> Optional[Topic]:
        if not isinstance(raw, dict):
            self.problem(line, where, "should have a text: (and may have facts:).", "Indent text: under the topic name.")
            return None
        text = self._texts(raw, "text", where)
        facts = []
        for item in raw.get("facts") or []:
            if not isinstance(item, dict):
                self.problem(raw.line, f"{where}.facts", "has an entry that is not a fact.", "Give each fact text:, source: and checked:.")
                continue
            fact_text = self._texts(item, "text", f"{where}.facts")
            source = self._https(item, "source", f"{where}.facts", required=True)
            checked = self._date(item, "checked", f"{where}.facts")
            if fact_text and source and checked:
                facts.append(Fact(fact_text, source, checked))
        return Topic(text, tuple(facts)) if text else None

    def _offer(self, node: _Node) -> Optional[Offer]:
        offer_id = self._required(node, "id", "offer")
        if not isinstance(offer_id, str):
            return None
        where = f"offers.{offer_id}"
        title = self._texts(node, "title", where)
        description = self._texts(node, "description", where)
        booking = self._texts(node, "booking", where)
        valid_from = self._date(node, "valid_from", where)
        valid_until = self._date(node, "valid_until", where)
        if valid_from and valid_until and valid_until < valid_from:
            self.problem(_line(node, "valid_until"), f"{where}.valid_until", "is before valid_from.", "Check the two dates: the offer must end after it starts.")
            valid_until = None
        timezone = node.get("timezone")
        try:
            ZoneInfo(str(timezone))
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(_line(node, "timezone"), f"{where}.timezone", "is not a known time zone.", "Use Europe/Paris or Asia/Shanghai.")
            timezone = None
        price = node.get("price") if isinstance(node.get("price"), dict) else {}
        amount = price.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount <= 0:
            self.problem(_line(node, "price"), f"{where}.price.amount", "is not a positive number.", "Write the price as a number, for example 390.")
            amount = None
        currency = price.get("currency")
        if currency not in CURRENCIES:
            self.problem(_line(node, "price"), f"{where}.price.currency", f"{currency!s} is not a currency this assistant shows.", f"Use one of {', '.join(CURRENCIES)}.")
            currency = None
        includes: Dict[str, Tuple[str, ...]] = {}
        raw_includes = node.get("includes") or {}
        if isinstance(raw_includes, dict):
            for language in LANGUAGES:
                items = raw_includes.get(language) or []
                includes[language] = tuple(str(i) for i in items) if isinstance(items, list) else ()
        if not all([title, description, booking, valid_from, valid_until, timezone, amount, currency]):
            return None
        return Offer(
            id=offer_id,
            sample=bool(node.get("sample", False)),
            place=str(node.get("place", "")),
            title=title,
            description=description,
            amount=float(amount),
            currency=currency,
            valid_from=valid_from,
            valid_until=valid_until,
            timezone=str(timezone),
            includes=includes,
            booking=booking,
            url=self._https(node, "url", where),
        )


def _line(node: Any, key: str) -> int:
    lines = getattr(node, "key_lines", {})
    return lines.get(key, getattr(node, "line", 1))


def _check_references(content: Content) -> None:
    """Sisters, parents and offers must point at places that exist."""
    for place in content.places.values():
        for attribute in ("parent", "sister"):
            target = getattr(place, attribute)
            if target and target not in content.places:
                content.problems.append(
                    Problem("(places)", 1, f"places.{place.id}.{attribute}", f"points to '{target}', which is not a place id.", "Use the id: of a place in content/.")
                )
    for offer in content.offers:
        if offer.place not in content.places:
            content.problems.append(
                Problem("offers.yml", 1, f"offers.{offer.id}.place", f"points to '{offer.place}', which is not a place id.", "Use the id: of a place in content/.")
            )
