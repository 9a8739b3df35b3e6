"""The content the assistant answers from: every content file put together.

Tourism offices edit those YAML files by hand. A mistake in one file must not
take the assistant down: ``load`` keeps every entry that passes the schema
(``schema``) and returns every problem it met, each with file, line, field,
what is wrong and how to fix it, in plain words.

Reading is done file by file (``reading.read_file``), then the files are put
together (``combine``), which checks what spans files: duplicate ids,
references to places that do not exist, loops of parents and FAQ ways of
asking written in two entries. ``live`` uses the two steps to refuse a broken
edit of one file and keep the others.
"""

from __future__ import annotations

import difflib
import functools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curated import faq_duplicates
from curated.entries import Choices, Event, FaqEntry, Offer, Origin, Place, Texts, Topic
from curated.problems import Problem
from curated.reading import FileContent, content_files, read_file

logger = logging.getLogger(__name__)


@dataclass
class Content:
    choices: Choices = field(default_factory=Choices)
    places: dict[str, Place] = field(default_factory=dict)
    offers: list[Offer] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    faq: list[FaqEntry] = field(default_factory=list)
    phrases: dict[str, Texts] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

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


def load(directory: Path) -> Content:
    """Every content file in ``directory``; problems are collected, not raised."""
    content = combine(read_file(path) for path in content_files(directory))
    for problem in content.problems:
        logger.error("Content problem: %s", problem)
    return content


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
