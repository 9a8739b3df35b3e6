"""The entries of content/ as plain objects: places, offers, events, FAQ entries.

``builders`` makes them from what passed the schema (``schema``); each keeps
its ``Origin`` (file, line, field) so a problem found later names where to fix it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from curated.schema import SEASONS

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
