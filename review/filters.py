"""The conversation list's filters, read from a query string and checked.

Every value is validated against what it can be (a date, one of the three
languages, a number between 0 and 1...) and then only ever used as a bound
parameter; anything else is dropped and reported, never passed on.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields
from typing import List, Mapping, Optional, Tuple
from urllib.parse import urlencode

from review import timeutil

LANGUAGES = ("fr", "zh", "en")
_NAME = re.compile(r"^[\w.\-]{1,80}$", re.UNICODE)
TAG = re.compile(r"^[\w\- ]{1,40}$", re.UNICODE)
MAX_SEARCH = 200
YES_NO = {"yes": True, "no": False}


@dataclass
class Filters:
    date_from: Optional[dt.date] = None
    date_to: Optional[dt.date] = None
    language: str = ""
    channel: str = ""
    intent: str = ""
    below: Optional[float] = None  # some user turn's confidence is below this
    fallback: Optional[bool] = None
    handoff: Optional[bool] = None
    flagged: Optional[bool] = None
    reviewed: Optional[bool] = None
    tag: str = ""
    q: str = ""
    problems: List[str] = field(default_factory=list, compare=False, repr=False)

    def params(self) -> List[Tuple[str, str]]:
        """The filters as query-string pairs (empty ones left out)."""
        pairs = []
        for f in fields(self):
            if f.name == "problems":
                continue
            value = getattr(self, f.name)
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                value = "yes" if value else "no"
            pairs.append((f.name, str(value)))
        return pairs

    def query(self, **extra: str) -> str:
        return urlencode(self.params() + [(k, v) for k, v in extra.items() if v])

    def active(self) -> bool:
        return bool(self.params())


def from_query(query: Mapping[str, str]) -> Filters:
    filters = Filters()

    def text(name: str) -> str:
        value = query.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    for name in ("date_from", "date_to"):
        value = text(name)
        if value:
            day = timeutil.parse_day(value)
            if day is None:
                filters.problems.append(name)
            setattr(filters, name, day)
    language = text("language")
    if language in LANGUAGES:
        filters.language = language
    elif language:
        filters.problems.append("language")
    for name in ("channel", "intent"):
        value = text(name)
        if value and _NAME.match(value):
            setattr(filters, name, value)
        elif value:
            filters.problems.append(name)
    below = text("below")
    if below:
        try:
            number = float(below)
            if not 0.0 <= number <= 1.0:
                raise ValueError
            filters.below = number
        except ValueError:
            filters.problems.append("below")
    for name in ("fallback", "handoff", "flagged", "reviewed"):
        value = text(name)
        if value in YES_NO:
            setattr(filters, name, YES_NO[value])
        elif value:
            filters.problems.append(name)
    tag = text("tag")
    if tag and TAG.match(tag):
        filters.tag = tag
    elif tag:
        filters.problems.append("tag")
    q = text("q")
    if q:
        filters.q = q[:MAX_SEARCH]
    return filters


def parse_cursor(value: str) -> Optional[Tuple[float, int]]:
    """``"1795981292.36_42"`` (start time, id) of the row a page continues from."""
    match = re.match(r"^(\d{1,12}(?:\.\d{1,9})?)_(\d{1,12})$", value or "")
    if not match:
        return None
    return float(match.group(1)), int(match.group(2))


def cursor(started_at: float, conversation_id: int) -> str:
    return f"{started_at!r}_{conversation_id}"
