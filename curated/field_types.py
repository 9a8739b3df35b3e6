"""The kinds of field content/ is made of, and how each one is checked.

``schema.py`` declares every kind of entry as a table of these
(``Record({"id": Id(required=True), ...})``). Each kind checks one value,
reports what is wrong through ``Where`` (every problem, not just the first)
and returns the value to use, or ``INVALID`` when there is none: a record
missing a required field is dropped, a wrong optional field is left out.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from curated.problems import Problem
from language import LANGUAGES

TEXT_LIMIT = 1000  # a text must stay under this many characters (a Telegram message holds 4096)
TITLE_LIMIT = 64  # a button title must stay under this many characters


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()  # "no usable value here"; the problem was reported


def line_of(node: Any, key: Any, default: int) -> int:
    """The line of ``key`` in a mapping read by ``numbered_yaml.LineLoader``."""
    return getattr(node, "key_lines", {}).get(key, default)


@dataclass(frozen=True)
class Reference:
    """A field that names an entry by its id (``sister: badaling``)."""

    kind: str
    target: str
    file: str
    line: int
    field: str


@dataclass
class Report:
    """What reading one file found wrong, and the ids it refers to."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


@dataclass(frozen=True)
class Where:
    """The place of a value: file (through the report), line and field path."""

    report: Report
    line: int
    field: str

    def at(self, name: Any, line: int | None = None) -> Where:
        path = f"{self.field}.{name}" if self.field else str(name)
        return Where(self.report, line or self.line, path)

    def item(self, label: str, line: int) -> Where:
        return Where(self.report, line, self.field + label)

    def problem(self, code: str, **values: Any) -> None:
        self.report.problems.append(
            Problem.of(code, self.report.file, self.line, self.field, **values)
        )


class Entry(dict):
    """A checked record: its values, and the line and field path it came from."""

    line: int = 0
    field: str = ""
    key_lines: dict[str, int]


# ---------------------------------------------------------------- base


class Kind:
    """One kind of value. ``example`` is shown in the fix of a missing field."""

    example = "..."

    def __init__(self, required: bool = False, default: Any = None) -> None:
        self.required = required
        self.default = default

    def check(self, value: Any, where: Where) -> Any:
        raise NotImplementedError


def check_keys(node: Any, known: Sequence[str], where: Where) -> dict[str, str]:
    """Reports keys written twice and keys not in ``known`` (with the likely one).

    Returns {intended key: key as written} for the likely typos.
    """
    for key, line in getattr(node, "duplicates", ()):
        where.at(key, line).problem("duplicate_key", key=key)
    typos = {}
    for key in node:
        if key in known:
            continue
        here = where.at(key, line_of(node, key, where.line))
        close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
        if close:
            typos[close[0]] = key
            here.problem("unknown_key_close", key=key, closest=close[0])
        else:
            here.problem("unknown_key", key=key, known=list(known))
    return typos


# ---------------------------------------------------------------- texts

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>|&(#\d+|[A-Za-z]+);")


def check_plain_text(text: str, where: Where, limit: int, title: bool) -> None:
    """Length under the limit, and no markup a messaging app would trip on."""
    if len(text) >= limit:
        where.problem("title_too_long" if title else "text_too_long", length=len(text), limit=limit)
    tag = _TAG.search(text)
    if tag:
        where.problem("html_tag", tag=tag.group(0))
    elif "<" in text or ">" in text:
        where.problem("angle_bracket")


class Texts(Kind):
    """One text per language (fr, zh, en), each non-empty, plain, not too long."""

    example = '{fr: "...", zh: "...", en: "..."}'

    def __init__(
        self,
        required: bool = False,
        limit: int = TEXT_LIMIT,
        title: bool = False,
        keep_spaces: bool = False,
    ) -> None:
        super().__init__(required)
        self.limit, self.title, self.keep_spaces = limit, title, keep_spaces

    def check(self, value: Any, where: Where) -> Any:
        if not isinstance(value, dict):
            where.problem("not_texts")
            return INVALID
        check_keys(value, LANGUAGES, where)
        texts = {}
        for language in LANGUAGES:
            here = where.at(language, line_of(value, language, where.line))
            text = value.get(language)
            if language not in value:
                here.problem("language_missing", language=language)
            elif text is None or (isinstance(text, str) and not text.strip()):
                here.problem("language_empty", language=language)
            elif not isinstance(text, str):
                here.problem("not_text")
            else:
                text = text if self.keep_spaces else text.strip()
                check_plain_text(text, here, self.limit, self.title)
                texts[language] = text
        return texts if len(texts) == len(LANGUAGES) else INVALID


class TextLists(Kind):
    """A list of short texts per language, the same number in each.

    With ``same_count=False`` (the ways of asking an FAQ question) each
    language may have its own number of items, but at least one.
    """

    example = '{fr: ["..."], zh: ["..."], en: ["..."]}'

    def __init__(self, required: bool = False, same_count: bool = True) -> None:
        super().__init__(required)
        self.same_count = same_count

    def check(self, value: Any, where: Where) -> Any:
        if not isinstance(value, dict):
            where.problem("not_texts")
            return INVALID
        check_keys(value, LANGUAGES, where)
        lists = ListsWithLines()
        for language in LANGUAGES:
            here = where.at(language, line_of(value, language, where.line))
            items = value.get(language)
            if items is None:
                here.problem("language_missing", language=language)
            elif not isinstance(items, list):
                here.problem("not_list")
            else:
                kept = list(_list_texts(items, here))
                lists[language] = tuple(text for text, _ in kept)
                lists.lines[language] = tuple(line for _, line in kept)
                if not self.same_count and not lists[language]:
                    here.problem("language_empty", language=language)
                    del lists[language]
        if len(lists) < len(LANGUAGES):
            return INVALID
        if not self.same_count:
            return lists
        for language in (lang for lang in LANGUAGES if lang != "en"):
            if len(lists[language]) != len(lists["en"]):
                where.at(language, line_of(value, language, where.line)).problem(
                    "list_lengths_differ",
                    language=language,
                    count=len(lists[language]),
                    en_count=len(lists["en"]),
                )
        return lists


class ListsWithLines(dict):
    """Texts per language (language -> tuple of texts), and the line of each
    text kept (``lines``: language -> tuple of lines), for reports that point
    at one item ("this way of asking is also in ...")."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, tuple[int, ...]] = {}


def _list_texts(items: list[Any], where: Where) -> Iterable[tuple[str, int]]:
    """(text, line) of each text of ``items`` (a YAML list read with its lines)."""
    lines = getattr(items, "lines", None) or [where.line] * len(items)
    for item, line in zip(items, lines, strict=True):
        if isinstance(item, str) and item.strip():
            check_plain_text(item.strip(), where, TEXT_LIMIT, title=False)
            yield item.strip(), line
        else:
            where.problem("not_text")


# ---------------------------------------------------------------- single values

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class Id(Kind):
    """An id used by the software: lower-case letters, digits, _ and -."""

    example = "lac_du_bourget"

    def check(self, value: Any, where: Where) -> Any:
        if isinstance(value, str) and ID_PATTERN.match(value):
            return value
        where.problem("bad_id", value=value)
        return INVALID


class Ref(Id):
    """The id of another entry (checked once every file is read)."""

    example = "mont_blanc"

    def __init__(self, kind: str, required: bool = False) -> None:
        super().__init__(required)
        self.kind = kind

    def check(self, value: Any, where: Where) -> Any:
        target = super().check(value, where)
        if target is not INVALID:
            where.report.references.append(
                Reference(self.kind, target, where.report.file, where.line, where.field)
            )
        return target


class Choice(Kind):
    """One of a fixed set of values; a near miss gets the likely one suggested."""

    def __init__(self, values: Sequence[str], required: bool = False) -> None:
        super().__init__(required)
        self.values = tuple(values)
        self.example = self.values[0]

    def check(self, value: Any, where: Where) -> Any:
        if value in self.values:
            return value
        lower = {v.lower(): v for v in self.values}
        close = difflib.get_close_matches(str(value).lower(), list(lower), n=1, cutoff=0.6)
        if close:
            where.problem(
                "not_allowed_close", value=value, closest=lower[close[0]], allowed=self.values
            )
        else:
            where.problem("not_allowed", value=value, allowed=self.values)
        return INVALID


class Date(Kind):
    """A calendar date, YYYY-MM-DD; a check date cannot be in the future."""

    example = "2027-03-31"

    def __init__(self, required: bool = False, not_in_future: bool = False) -> None:
        super().__init__(required)
        self.not_in_future = not_in_future

    def check(self, value: Any, where: Where) -> Any:
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            where.problem("not_date", value=value)
            return INVALID
        # A day of margin: an editor in Beijing is already "tomorrow" for the server.
        if self.not_in_future and value > dt.date.today() + dt.timedelta(days=1):
            where.problem("checked_in_future", value=value)
            return INVALID
        return value


class PositiveNumber(Kind):
    example = "390"

    def check(self, value: Any, where: Where) -> Any:
        if (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
            and value > 0
        ):
            return value
        where.problem("not_positive_number", value=value)
        return INVALID


class Degrees(Kind):
    """A latitude or longitude in decimal degrees, within its range."""

    def __init__(self, low: float, high: float, example: str, required: bool = False) -> None:
        super().__init__(required)
        self.low, self.high, self.example = low, high, example

    def check(self, value: Any, where: Where) -> Any:
        if (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
            and self.low <= value <= self.high
        ):
            return float(value)
        where.problem(
            "not_degrees", value=value, low=self.low, high=self.high, example=self.example
        )
        return INVALID


class Flag(Kind):
    example = "false"

    def check(self, value: Any, where: Where) -> Any:
        if isinstance(value, bool):
            return value
        where.problem("not_yes_no", value=value)
        return INVALID


class Https(Kind):
    example = "https://www.example.com"

    def check(self, value: Any, where: Where) -> Any:
        address = urlparse(value) if isinstance(value, str) else None
        if address and address.scheme == "https" and address.netloc and not re.search(r"\s", value):
            return value
        where.problem("not_https", value=value)
        return INVALID


class Email(Kind):
    example = "info@example.com"

    def check(self, value: Any, where: Where) -> Any:
        if isinstance(value, str) and re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
            return value
        where.problem("not_email", value=value)
        return INVALID


class Phone(Kind):
    example = '"+33 4 50 53 00 24"'

    def check(self, value: Any, where: Where) -> Any:
        if not isinstance(value, str):  # 0450530024 unquoted is read as a number
            where.problem("not_text")
            return INVALID
        if re.match(r"^\+?[0-9][0-9 ().-]{5,}$", value):
            return value
        where.problem("not_phone", value=value)
        return INVALID


# ---------------------------------------------------------------- groups


class ListOf(Kind):
    """A list of values of one kind; a wrong item is left out."""

    example = "[...]"

    def __init__(self, item: Kind, named_by: str | None = None, required: bool = False) -> None:
        super().__init__(required, default=())
        self.item, self.named_by = item, named_by

    def check(self, value: Any, where: Where) -> Any:
        if not isinstance(value, list):
            where.problem("not_list")
            return INVALID
        lines = getattr(value, "lines", [where.line] * len(value))
        good = []
        for number, (item, line) in enumerate(zip(value, lines, strict=True), start=1):
            checked = self.item.check(item, where.item(self._label(item, number), line))
            if checked is not INVALID:
                good.append(checked)
        return tuple(good)

    def _label(self, item: Any, number: int) -> str:
        name = item.get(self.named_by) if self.named_by and isinstance(item, dict) else None
        return f".{name}" if isinstance(name, str) and ID_PATTERN.match(name) else f"[{number}]"


class MapOf(Kind):
    """Named values of one kind (``topics``); names outside ``keys`` are refused."""

    example = "..."

    def __init__(self, keys: Sequence[str], value: Kind, required: bool = False) -> None:
        super().__init__(required, default={})
        self.keys, self.value = tuple(keys), value

    def check(self, value: Any, where: Where) -> Any:
        if not isinstance(value, dict):
            where.problem("not_fields")
            return INVALID
        check_keys(value, self.keys, where)
        good = {}
        for key in self.keys:
            if key in value:
                checked = self.value.check(
                    value[key], where.at(key, line_of(value, key, where.line))
                )
                if checked is not INVALID:
                    good[key] = checked
        return good


Check = Callable[[Entry, Any, Where], bool]


class Record(Kind):
    """A group of named fields: the schema of one kind of entry.

    ``checks`` look at several fields together (an offer ends after it
    starts); each reports its problem and returns False to drop the entry.
    """

    def __init__(
        self,
        fields: dict[str, Kind],
        checks: Sequence[Check] = (),
        required: bool = False,
        example: str = "...",
    ) -> None:
        super().__init__(required)
        self.fields, self.checks, self.example = fields, tuple(checks), example

    def check(self, value: Any, where: Where) -> Any:
        if not isinstance(value, dict):
            where.problem("not_fields")
            return INVALID
        typos = check_keys(value, tuple(self.fields), where)
        entry = Entry()
        entry.line, entry.field = where.line, where.field
        entry.key_lines = dict(getattr(value, "key_lines", {}))
        usable = True
        for name, kind in self.fields.items():
            raw = value.get(name)
            if raw is None or raw == "":
                if kind.required:
                    usable = False
                    if name not in typos:  # the typo was reported with the right name
                        where.at(name).problem("missing", key=name, example=kind.example)
                entry[name] = kind.default
                continue
            checked = kind.check(raw, where.at(name, line_of(value, name, where.line)))
            if checked is INVALID:
                usable = usable and not kind.required
                checked = kind.default
            entry[name] = checked
        for check in self.checks:
            usable = check(entry, value, where) and usable
        return entry if usable else INVALID


@dataclass(frozen=True)
class Phrase:
    """A sentence of phrases.yml: the {placeholders} the assistant fills in."""

    placeholders: Sequence[str] = ()
    title: bool = False  # shown as a button title


class Phrases(Kind):
    """phrases.yml: the declared phrases, each with exactly its placeholders.

    Phrases not declared (added for a new channel) need the same placeholders
    in the three languages.
    """

    def __init__(self, declared: dict[str, Phrase]) -> None:
        super().__init__()
        self.declared = declared

    def check(self, value: Any, where: Where) -> Any:
        if not isinstance(value, dict):
            where.problem("not_fields")
            return INVALID
        undeclared = [name for name in value if name not in self.declared]
        check_keys(value, tuple(self.declared) + tuple(undeclared), where)  # only duplicates
        phrases = Entry()
        phrases.key_lines = dict(getattr(value, "key_lines", {}))
        for name in self.declared:
            if name not in value:
                close = difflib.get_close_matches(name, undeclared, n=1, cutoff=0.8)
                if close:
                    where.at(close[0], line_of(value, close[0], where.line)).problem(
                        "unknown_key_close", key=close[0], closest=name
                    )
                else:
                    where.at(name).problem("missing", key=name, example=Texts.example)
        for name, raw in value.items():
            spec = self.declared.get(name)
            here = where.at(name, line_of(value, name, where.line))
            kind = Texts(
                limit=TITLE_LIMIT if spec and spec.title else TEXT_LIMIT,
                title=bool(spec and spec.title),
                keep_spaces=True,
            )
            texts = kind.check(raw, here)
            if texts is not INVALID and _placeholders_fit(texts, spec, raw, here):
                phrases[name] = texts
        return phrases


def _placeholders_fit(texts: dict[str, str], spec: Phrase | None, raw: Any, where: Where) -> bool:
    """Each language uses exactly the placeholders of the phrase (or of its en text)."""
    found = {language: _placeholders(text) for language, text in texts.items()}
    if spec is not None:
        expected = set(spec.placeholders)
    elif found["en"] is None:
        expected = set()
    else:
        expected = found["en"]
    fits = True
    for language in LANGUAGES:
        here = where.at(language, line_of(raw, language, where.line))
        names = found[language]
        if names is None:
            here.problem("broken_braces")
            fits = False
            continue
        missing = sorted(expected - names)
        for name in sorted(names - expected):
            close = difflib.get_close_matches(name, missing, n=1, cutoff=0.6)
            if close:  # {contat} for {contact}: one mistake, one problem
                missing.remove(close[0])
                here.problem("placeholder_typo", name=name, closest=close[0])
            elif expected:
                here.problem(
                    "unknown_placeholder", name=name, known=[f"{{{n}}}" for n in sorted(expected)]
                )
            else:
                here.problem("no_placeholder", name=name)
            fits = False
        for name in missing:
            here.problem("missing_placeholder", name=name)
    return fits


def _placeholders(template: str) -> set | None:
    """The {names} of a sentence, or None when its braces do not pair up."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        return None
    return None if "" in names else names
