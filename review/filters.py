"""The filters of the list, the exports, the dashboard and the unanswered
questions, read from a query string and checked.

Every value is validated against what it can be (a day from 2000 to 2099,
one of the three languages, a number between 0 and 1...) and then only ever
used as a bound parameter. A value that is not what it should be is never
passed on: its field is listed in ``problems``, the app answers 400 with
``explain``'s words, and nothing is searched.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from urllib.parse import urlencode

from language import LANGUAGES
from review import timeutil

_NAME = re.compile(r"^[\w.\-]{1,80}$", re.UNICODE)
TAG = re.compile(r"^[\w\- ]{1,40}$", re.UNICODE)
MAX_SEARCH = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
YES_NO = {"yes": True, "no": False}
MAX_DAYS = 3660
_DAYS = re.compile(r"^[0-9]{1,4}$")  # ASCII digits: "²".isdigit() is True, int("²") fails


@dataclass
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    language: str = ""
    channel: str = ""
    intent: str = ""
    below: float | None = None  # some user turn's confidence is below this
    fallback: bool | None = None
    handoff: bool | None = None
    refused: bool | None = None  # some reply was a refusal (review/why.py)
    flagged: bool | None = None
    reviewed: bool | None = None
    tag: str = ""
    q: str = ""
    problems: list[str] = field(default_factory=list, compare=False, repr=False)

    def params(self) -> list[tuple[str, str]]:
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


def _text(query: Mapping[str, str], name: str) -> str:
    value = query.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _day(query: Mapping[str, str], name: str, problems: list[str]) -> dt.date | None:
    value = _text(query, name)
    day = timeutil.parse_day(value) if value else None
    if value and day is None:
        problems.append(name)
    return day


def _fraction(query: Mapping[str, str], name: str, problems: list[str]) -> float | None:
    """A number from 0 to 1 (``nan``, ``inf`` and ``1e999`` are not)."""
    value = _text(query, name)
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0.0 <= number <= 1.0:
        problems.append(name)
        return None
    return number


def from_query(query: Mapping[str, str]) -> Filters:
    filters = Filters()
    problems = filters.problems
    filters.date_from = _day(query, "date_from", problems)
    filters.date_to = _day(query, "date_to", problems)
    language = _text(query, "language")
    if language in LANGUAGES:
        filters.language = language
    elif language:
        problems.append("language")
    for name in ("channel", "intent"):
        value = _text(query, name)
        if value and _NAME.match(value):
            setattr(filters, name, value)
        elif value:
            problems.append(name)
    filters.below = _fraction(query, "below", problems)
    for name in ("fallback", "handoff", "refused", "flagged", "reviewed"):
        value = _text(query, name)
        if value in YES_NO:
            setattr(filters, name, YES_NO[value])
        elif value:
            problems.append(name)
    tag = _text(query, "tag")
    if tag and TAG.match(tag):
        filters.tag = tag
    elif tag:
        problems.append("tag")
    q = _text(query, "q")
    if len(q) > MAX_SEARCH or _CONTROL.search(q):
        problems.append("q")  # a NUL would also be refused by PostgreSQL
    else:
        filters.q = q
    return filters


def cursors(
    query: Mapping[str, str], problems: list[str]
) -> tuple[tuple[float, int] | None, tuple[float, int] | None]:
    """The ``after`` and ``before`` page cursors; a malformed one is a problem."""
    found = []
    for name in ("after", "before"):
        value = _text(query, name)
        parsed = parse_cursor(value) if value else None
        if value and parsed is None:
            problems.append(name)
        found.append(parsed)
    return found[0], found[1]


@dataclass
class Period:
    """The days of the dashboard or of the unanswered questions."""

    date_from: dt.date
    date_to: dt.date
    problems: list[str] = field(default_factory=list)


def period(query: Mapping[str, str], today: dt.date, default_days: int = 30) -> Period:
    """``date_from``..``date_to``, else the ``days`` (1 to 3,660) up to ``date_to`` or today.

    Days given in the wrong order are swapped; a longer period keeps its last 3,660 days.
    """
    problems: list[str] = []
    date_to = _day(query, "date_to", problems) or today
    date_from = _day(query, "date_from", problems)
    days = _text(query, "days")
    if days and not (_DAYS.match(days) and 0 < int(days) <= MAX_DAYS):
        problems.append("days")
        days = ""
    if date_from is None:
        date_from = date_to - dt.timedelta(days=(int(days) if days else default_days) - 1)
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    if (date_to - date_from).days >= MAX_DAYS:
        date_from = date_to - dt.timedelta(days=MAX_DAYS - 1)
    return Period(date_from, date_to, problems)


def threshold(query: Mapping[str, str], default: float, problems: list[str]) -> float:
    found = _fraction(query, "threshold", problems)
    return default if found is None else found


def language(query: Mapping[str, str], default: str, problems: list[str]) -> str:
    value = _text(query, "language")
    if value and value not in LANGUAGES:
        problems.append("language")
    return value if value in LANGUAGES else default


# What each field takes, as labels of review/labels.yml, and the word naming it.
_EXPECTED = {
    "date_from": "expect_date",
    "date_to": "expect_date",
    "days": "expect_days",
    "language": "expect_language",
    "channel": "expect_name",
    "intent": "expect_name",
    "below": "expect_fraction",
    "threshold": "expect_fraction",
    "fallback": "expect_yes_no",
    "handoff": "expect_yes_no",
    "refused": "expect_yes_no",
    "flagged": "expect_yes_no",
    "reviewed": "expect_yes_no",
    "tag": "expect_tag",
    "q": "expect_search",
    "after": "expect_cursor",
    "before": "expect_cursor",
}
_LABELS = {"q": "search", "after": "page_cursor", "before": "page_cursor"}


def explain(problems: list[str], t: Callable[[str], str]) -> list[str]:
    """One line per invalid field, in the words of translator ``t``: its name, what it takes."""
    values = {
        "first": timeutil.FIRST_DAY.isoformat(),
        "last": timeutil.LAST_DAY.isoformat(),
        "max_days": MAX_DAYS,
        "max_search": MAX_SEARCH,
    }
    return [
        t("field_problem").format(
            field=t(_LABELS.get(name, name)), hint=t(_EXPECTED[name]).format(**values)
        )
        for name in dict.fromkeys(problems)
    ]


def parse_cursor(value: str) -> tuple[float, int] | None:
    """``"1795981292.36_42"`` (start time, id) of the row a page continues from."""
    match = re.match(r"^(\d{1,12}(?:\.\d{1,9})?)_(\d{1,12})$", value or "")
    if not match:
        return None
    return float(match.group(1)), int(match.group(2))


def cursor(started_at: float, conversation_id: int) -> str:
    return f"{started_at!r}_{conversation_id}"
