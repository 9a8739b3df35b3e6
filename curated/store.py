"""Reads the curated content in content/ into plain objects for the actions.

Tourism offices edit those YAML files by hand. A mistake in one file must not
take the assistant down: ``load`` keeps every entry that passes the schema
(``content_schema.py``) and returns every problem it met, each with file,
line, field, what is wrong and how to fix it, in plain words.

Reading is done file by file (``read_file``), then the files are put
together (``combine``), which checks what spans files: duplicate ids and
references to places that do not exist. ``live_content`` uses the two steps
to refuse a broken edit of one file and keep the others.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from curated import faq_duplicates
from curated.field_types import Entry, Reference, Report, Where
from curated.problems import Problem
from curated.schema import (  # noqa: F401  (re-exported for answers and tests)
    CURRENCIES,
    FILE,
    LANGUAGES,
    SEASONS,
    TIMEZONES,
    TOPICS,
)

logger = logging.getLogger(__name__)

Texts = dict[str, str]  # language -> text


@dataclass(frozen=True)
class Origin:
    """Where an entry is written: file, line and field path (for editors' reports)."""

    file: str
    line: int
    field: str


@dataclass(frozen=True)
class Fact:
    """A figure that can change, with where it comes from and when it was checked."""

    text: Texts
    source: str
    checked: dt.date
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Topic:
    text: Texts
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class Contact:
    name: Texts
    url: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Location:
    """Where a place is on a map, with the page the coordinates come from."""

    lat: float
    lon: float
    source: str
    checked: dt.date


@dataclass(frozen=True)
class Place:
    id: str
    name: Texts
    parent: str | None = None
    sister: str | None = None
    suggestion: Texts | None = None
    contact: Contact | None = None
    location: Location | None = None
    known_for: tuple[str, ...] = ()
    topics: dict[str, Topic] = field(default_factory=dict)
    origin: Origin | None = field(default=None, compare=False)


def season_of(day: dt.date) -> str:
    """winter (December to February), spring, summer or autumn."""
    return SEASONS[(day.month % 12) // 3]


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
    includes: dict[str, tuple[str, ...]]
    booking: Texts
    url: str | None = None
    seasons: tuple[str, ...] = ()  # empty: every season
    origin: Origin | None = field(default=None, compare=False)

    def today(self, now: dt.datetime) -> dt.date:
        """The date it is now in the offer's own time zone."""
        return now.astimezone(ZoneInfo(self.timezone)).date()

    def is_valid_on(self, now: dt.datetime) -> bool:
        """True while the offer runs, judged by the date in its own time zone."""
        today = self.today(now)
        in_season = not self.seasons or season_of(today) in self.seasons
        return self.valid_from <= today <= self.valid_until and in_season


@dataclass(frozen=True)
class Event:
    """A race, festival or fair at a place, with where its dates were read."""

    id: str
    place: str
    title: Texts
    description: Texts
    starts: dt.date
    ends: dt.date
    timezone: str
    source: str
    checked: dt.date
    when: Texts | None = None  # the dates in words, when not yet published
    url: str | None = None
    origin: Origin | None = field(default=None, compare=False)

    def today(self, now: dt.datetime) -> dt.date:
        """The date it is now where the event takes place."""
        return now.astimezone(ZoneInfo(self.timezone)).date()

    def is_over(self, now: dt.datetime) -> bool:
        return self.ends < self.today(now)


@dataclass(frozen=True)
class FaqEntry:
    """A question (asked in several ways per language) and its answer."""

    id: str
    questions: dict[str, tuple[str, ...]]  # language -> ways of asking (counts may differ)
    answer: Texts
    place: str | None = None
    facts: tuple[Fact, ...] = ()
    origin: Origin | None = field(default=None, compare=False)
    # language -> the line of each way of asking, for editors' reports
    question_lines: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Choices:
    """The offices' editorial choices (content/assistant.yml)."""

    main_destinations: tuple[str, ...] = ()  # offered as buttons when no place is named
    main_offices: tuple[str, ...] = ()  # whose contact answers questions about no place


@dataclass
class Content:
    choices: Choices = field(default_factory=Choices)
    places: dict[str, Place] = field(default_factory=dict)
    offers: list[Offer] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    faq: list[FaqEntry] = field(default_factory=list)
    phrases: dict[str, Texts] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def place(self, place_id: str) -> Place | None:
        return self.places.get(place_id)

    def lineage(self, place_id: str) -> list[Place]:
        """The place, then its parent, grandparent... (no loops)."""
        chain: list[Place] = []
        current = self.places.get(place_id)
        while current is not None and current not in chain:
            chain.append(current)
            current = self.places.get(current.parent) if current.parent else None
        return chain

    def topic(self, place_id: str, topic: str) -> tuple[Place, Topic] | None:
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
        """The phrase in ``language`` with its placeholders filled in.

        A phrase missing from content/phrases.yml is logged and taken from the
        shipped text, never left empty.
        """
        texts = self.phrases.get(key)
        if not texts:
            logger.error("content/phrases.yml has no phrase %r: using the shipped text", key)
            texts = shipped_phrases().get(key, {})
        template = texts.get(language) or texts.get("en", "")
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            logger.error("Phrase %r (%s) has a placeholder that is not known", key, language)
            return template


FALLBACK_PHRASES = Path(__file__).with_name("fallback_phrases.yml")


@functools.lru_cache(maxsize=1)
def shipped_phrases() -> dict[str, Texts]:
    """The phrases as shipped (curated/fallback_phrases.yml)."""
    return read_file(FALLBACK_PHRASES).phrases


@dataclass
class FileContent:
    """What one content file holds, and what is wrong in it."""

    name: str
    choices: Choices | None = None
    choices_line: int = 1
    places: list[Place] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    faq: list[FaqEntry] = field(default_factory=list)
    phrases: dict[str, Texts] = field(default_factory=dict)
    phrase_lines: dict[str, int] = field(default_factory=dict)
    place_ids: set[str] = field(
        default_factory=set
    )  # every place id written, even in a broken entry
    references: list[Reference] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# ---------------------------------------------------------------- reading


def content_files(directory: Path) -> list[Path]:
    return sorted(Path(directory).glob("*.yml"))


def load(directory: Path) -> Content:
    """Every content file in ``directory``; problems are collected, not raised."""
    content = combine(read_file(path) for path in content_files(directory))
    for problem in content.problems:
        logger.error("Content problem: %s", problem)
    return content


def read_file(path: Path) -> FileContent:
    """One content file, checked against the schema; what passes is kept."""
    name = Path(path).name
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as error:
        return FileContent(name, problems=[_syntax_problem(name, error)])
    except (OSError, UnicodeDecodeError):
        return FileContent(name, problems=[Problem.of("file_unreadable", name, 1, "(file)")])
    if not isinstance(data, dict) or not data:
        return FileContent(name, problems=[Problem.of("file_empty", name, 1, "(file)")])
    report = Report(name)
    entry = FILE.check(data, Where(report, 1, ""))
    phrases = entry["phrases"] or Entry()
    choices = entry["assistant"]
    return FileContent(
        name=name,
        choices=Choices(tuple(choices["main_destinations"]), tuple(choices["main_offices"]))
        if choices
        else None,
        choices_line=getattr(data, "key_lines", {}).get("assistant", 1),
        places=[_place(e, name) for e in entry["places"]],
        offers=[_offer(e, name) for e in entry["offers"]],
        events=[_event(e, name) for e in entry["events"]],
        faq=[_faq(e, name) for e in entry["faq"]],
        phrases=dict(phrases),
        phrase_lines=dict(getattr(phrases, "key_lines", {})),
        place_ids=_ids_written(data.get("places")),
        references=report.references,
        problems=report.problems,
    )


def combine(files: Iterable[FileContent]) -> Content:
    """The files put together; the first entry with an id wins, later ones are reported."""
    files = list(files)
    content = Content()
    first: dict[tuple[str, str], tuple[str, int]] = {}

    def is_new(kind: str, key: str, file: str, line: int, field_name: str) -> bool:
        if (kind, key) not in first:
            first[(kind, key)] = (file, line)
            return True
        other_file, other_line = first[(kind, key)]
        content.problems.append(
            Problem.of(
                "duplicate_id",
                file,
                line,
                field_name,
                id=key,
                other_file=other_file,
                other_line=other_line,
            )
        )
        return False

    for part in files:
        content.problems.extend(part.problems)
        if part.choices and is_new(
            "assistant", "assistant", part.name, part.choices_line, "assistant"
        ):
            content.choices = part.choices
        for place in part.places:
            if is_new("place", place.id, *_id_at(place, part.name, "places")):
                content.places[place.id] = place
        for offer in part.offers:
            if is_new("offer", offer.id, *_id_at(offer, part.name, "offers")):
                content.offers.append(offer)
        for event in part.events:
            if is_new("event", event.id, *_id_at(event, part.name, "events")):
                content.events.append(event)
        for faq in part.faq:
            if is_new("faq", faq.id, *_id_at(faq, part.name, "faq")):
                content.faq.append(faq)
        for name, texts in part.phrases.items():
            if is_new("phrase", name, part.name, part.phrase_lines.get(name, 1), f"phrases.{name}"):
                content.phrases[name] = texts
    content.problems.extend(_unknown_references(files, content))
    content.problems.extend(_parent_loops(files, content))
    content.problems.extend(faq_duplicates.problems(content.faq))
    return content


def _id_at(entry: Place | Offer | Event | FaqEntry, file: str, kind: str) -> tuple[str, int, str]:
    """(file, line, field of its id) of an entry read from ``file``."""
    origin = entry.origin or Origin(file, 1, kind)
    return file, origin.line, f"{origin.field}.id"


def _unknown_references(files: list[FileContent], content: Content) -> Iterator[Problem]:
    """References to place ids nobody wrote (a broken place is reported on its own)."""
    written = set().union(*(part.place_ids for part in files)) if files else set()
    for part in files:
        for ref in part.references:
            if ref.kind != "place" or ref.target in content.places or ref.target in written:
                continue
            close = difflib.get_close_matches(ref.target, sorted(content.places), n=1, cutoff=0.6)
            code = "unknown_reference_close" if close else "unknown_reference"
            yield Problem.of(
                code,
                ref.file,
                ref.line,
                ref.field,
                target=ref.target,
                closest=close[0] if close else "",
            )


def _parent_loops(files: list[FileContent], content: Content) -> Iterator[Problem]:
    """Places that are, through their parents, their own parent (reported once per loop)."""
    parent_of = {
        ref.field: ref for part in files for ref in part.references if ref.field.endswith(".parent")
    }
    reported: list[set[str]] = []
    for place in content.places.values():
        chain, current = [place.id], place.parent
        while current in content.places and current not in chain:
            chain.append(current)
            current = content.places[current].parent
        ref = parent_of.get(f"{place.origin.field}.parent") if place.origin else None
        if current == place.id and len(chain) > 1 and set(chain) not in reported and ref:
            reported.append(set(chain))
            yield Problem.of(
                "parent_loop", ref.file, ref.line, ref.field, chain=" → ".join(chain + [place.id])
            )


def _ids_written(entries: Any) -> set[str]:
    if not isinstance(entries, list):
        return set()
    return {e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)}


# ---------------------------------------------------------------- building objects


def _origin(entry: Entry, file: str, key: str = "id") -> Origin:
    return Origin(file, entry.key_lines.get(key, entry.line), entry.field)


def _place(entry: Entry, file: str) -> Place:
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


def _faq(entry: Entry, file: str) -> FaqEntry:
    return FaqEntry(
        id=entry["id"],
        questions=dict(entry["questions"]),
        answer=entry["answer"],
        place=entry["place"],
        facts=_facts(entry["facts"], file),
        origin=_origin(entry, file),
        question_lines=dict(getattr(entry["questions"], "lines", {})),
    )


def _offer(entry: Entry, file: str) -> Offer:
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


def _event(entry: Entry, file: str) -> Event:
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


# ---------------------------------------------------------------- YAML with line numbers


class _Node(dict):
    """A YAML mapping that remembers its line, the line of each key, and repeated keys."""

    line: int = 0
    key_lines: dict[str, int]
    duplicates: list[tuple[str, int]]


class _Seq(list):
    """A YAML list that remembers the line of each item."""

    lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """Safe YAML, plus lines; keys are always text; an impossible date stays text."""


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Node:
    mapping = _Node()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines, mapping.duplicates = {}, []
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
        line = key_node.start_mark.line + 1
        if key in mapping:
            mapping.duplicates.append((key, line))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


def _sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Seq:
    sequence = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    sequence.lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


def _timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:  # 2027-02-30: reported as "not a date", not a crash
        return node.value


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

# Words of PyYAML's error -> the kind of mistake, told in the editor's words.
_YAML_MISTAKES = (
    ("flow mapping", "yaml_unclosed_bracket"),
    ("flow sequence", "yaml_unclosed_bracket"),
    ("quoted scalar", "yaml_unclosed_quote"),
    ("'\\t'", "yaml_tab"),
    ("mapping values are not allowed", "yaml_colon"),
    ("expected <block end>", "yaml_indentation"),
)


def _syntax_problem(file: str, error: yaml.YAMLError) -> Problem:
    said = f"{getattr(error, 'context', '') or ''} {getattr(error, 'problem', '') or ''}"
    code = next((code for words, code in _YAML_MISTAKES if words in said), "yaml_syntax")
    opened_at = getattr(error, "context_mark", None)  # where the unclosed bracket or quote starts
    mark = (
        opened_at
        if code in ("yaml_unclosed_bracket", "yaml_unclosed_quote") and opened_at
        else None
    )
    mark = mark or getattr(error, "problem_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem.of(code, file, line, "(file)", column=column)
