"""What the content lacks, for the editors planning their work.

    python -m curated.coverage [--lang fr|en|zh] [--today YYYY-MM-DD] [--days 30]
                               [--min-questions 5] [DIR]

Prints, as to-do lists of ``file:line: field: detail``: the texts missing a
language, the places with no answer for a topic, the offers ending in the
next 30 days (and those already ended), the events that are over or whose
dates are not published yet, the facts (and events' dates) checked more than
a year ago, the places without coordinates, and the FAQ entries with fewer
than 5 ways of asking in a language. Then what there is: a table of the
topics each place has a text for, per language, place by place under its
destination, how many FAQ entries each destination has, and which of the
subjects tourists ask about (``SUBJECTS``) each destination's FAQ answers.
Always exits 0: it is a to-do list, not a check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple, Protocol

import settings
from curated.content import Content, combine
from curated.entries import Origin, Place
from curated.problems import MESSAGE_LANGUAGES, label
from curated.reading import content_files, read_file
from curated.schema import TOPICS
from curated.validate import shown
from language import LANGUAGES

FACT_MAX_AGE = dt.timedelta(days=365)
# An FAQ entry with fewer ways of asking than this in a language is listed.
# Five is the floor the offices set for the FAQ (issue 13); below it the
# model does not learn to route the entry's questions to the FAQ: with about
# 4 ways of asking per language, 36 of 81 held-out ways of asking reached
# the FAQ in cross-validation, with 8, 107 of 168 (docs/faq.md).
MIN_WAYS_OF_ASKING = 5


class Item(NamedTuple):
    file: str
    line: int
    field: str
    detail: str = ""


class _Located(Protocol):
    @property
    def origin(self) -> Origin | None: ...


def _item(entry: _Located, detail: str = "", suffix: str = "") -> Item:
    """The to-do line of an entry, at the place it is written."""
    origin = entry.origin or Origin("?", 1, "?")
    return Item(origin.file, origin.line, origin.field + suffix, detail)


def missing_languages(content: Content) -> list[Item]:
    return [
        Item(p.file, p.line, p.field)
        for p in content.problems
        if p.code in ("language_missing", "language_empty")
    ]


def missing_topics(content: Content) -> list[Item]:
    """Places where a topic gets "I don't have that information" (not even from a larger place)."""
    items = []
    for place in content.places.values():
        missing = [topic for topic in TOPICS if content.topic(place.id, topic) is None]
        if missing:
            items.append(_item(place, ", ".join(missing)))
    return items


def offers_ending(content: Content, now: dt.datetime, days: int, language: str) -> list[Item]:
    return [
        _item(o, label("ends", language, date=o.valid_until.isoformat()))
        for o in content.offers
        if 0 <= (o.valid_until - o.today(now)).days <= days
    ]


def offers_ended(content: Content, now: dt.datetime, language: str) -> list[Item]:
    return [
        _item(o, label("ended", language, date=o.valid_until.isoformat()))
        for o in content.offers
        if o.valid_until < o.today(now)
    ]


def events_ended(content: Content, now: dt.datetime, language: str) -> list[Item]:
    return [
        _item(e, label("ended", language, date=e.ends.isoformat()))
        for e in content.events
        if e.is_over(now)
    ]


def events_undated(content: Content, now: dt.datetime, language: str) -> list[Item]:
    """Coming events shown with `when` words instead of dates."""
    return [
        _item(e, label("checked", language, date=e.checked.isoformat()), suffix=".when")
        for e in content.events
        if e.when and not e.is_over(now)
    ]


def old_facts(content: Content, today: dt.date, language: str) -> list[Item]:
    """Facts, and events' dates, last checked more than a year ago."""
    facts = [f for p in content.places.values() for t in p.topics.values() for f in t.facts]
    facts += [f for entry in content.faq for f in entry.facts]
    dated: list[tuple[_Located, dt.date]] = [(f, f.checked) for f in facts]
    dated += [(e, e.checked) for e in content.events]
    return [
        _item(entry, label("checked", language, date=checked.isoformat()))
        for entry, checked in dated
        if checked < today - FACT_MAX_AGE
    ]


def places_without_location(content: Content) -> list[Item]:
    """Places that cannot answer "where is it?" with a map (no ``location``)."""
    return [_item(place) for place in content.places.values() if place.location is None]


def few_ways_of_asking(
    content: Content, language: str, minimum: int = MIN_WAYS_OF_ASKING
) -> list[Item]:
    """FAQ entries with fewer than ``minimum`` ways of asking in a language."""
    items = []
    for entry in content.faq:
        origin = entry.origin or Origin("?", 1, "?")
        for asked in LANGUAGES:
            count = len(entry.questions.get(asked, ()))
            if count < minimum:
                lines = entry.question_lines.get(asked) or (origin.line,)
                field_name = f"{origin.field}.questions.{asked}"
                detail = label("ways_of_asking", language, count=count)
                items.append(Item(origin.file, lines[0], field_name, detail))
    return items


# ---------------------------------------------------------------- what there is


def destination_of(content: Content, place_id: str) -> str:
    """The largest place ``place_id`` lies within (itself when it has no parent)."""
    lineage = content.lineage(place_id)
    return lineage[-1].id if lineage else place_id


def places_by_destination(content: Content) -> list[tuple[Place, int]]:
    """Every place with its depth, each destination followed by the places within it."""
    children: dict[str | None, list[Place]] = {}
    for place in content.places.values():
        parent = place.parent if place.parent in content.places else None
        children.setdefault(parent, []).append(place)
    ordered: list[tuple[Place, int]] = []
    seen: set[str] = set()

    def visit(place: Place, depth: int) -> None:
        if place.id in seen:
            return
        seen.add(place.id)
        ordered.append((place, depth))
        for child in children.get(place.id, []):
            visit(child, depth + 1)

    for root in children.get(None, []):
        visit(root, 0)
    for place in content.places.values():  # places in a loop of parents
        visit(place, 0)
    return ordered


_TOPIC_TEXT = re.compile(r"^places\.([^.]+)\.topics\.([^.]+)\.text\.(\w+)$")


def _half_written(content: Content) -> dict[tuple[str, str], set[str]]:
    """(place, topic) -> the languages its text lacks, for topics left out for that."""
    lacking: dict[tuple[str, str], set[str]] = {}
    for problem in content.problems:
        found = _TOPIC_TEXT.match(problem.field)
        if found and problem.code in ("language_missing", "language_empty"):
            lacking.setdefault((found[1], found[2]), set()).add(found[3])
    return lacking


def topics_table(content: Content, language: str) -> list[str]:
    """One row per place, one column per topic: the languages it has a text in
    (its own text; a place without one answers with its larger place's). A
    topic lacking a language is not used at all, and shows what it lacks."""
    lacking = _half_written(content)
    rows: list[tuple[str, ...]] = [(label("place_column", language), *TOPICS)]
    for place, depth in places_by_destination(content):
        cells = []
        for topic in TOPICS:
            if topic in place.topics:
                written = [lang for lang in LANGUAGES if place.topics[topic].text.get(lang)]
            elif (place.id, topic) in lacking:
                written = [lang for lang in LANGUAGES if lang not in lacking[(place.id, topic)]]
            else:
                written = []
            cell = " ".join(lang if lang in written else "--" for lang in LANGUAGES)
            cells.append(cell if written else "--")
        rows.append(("  " * depth + place.id, *cells))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def faq_per_destination(content: Content, language: str) -> list[str]:
    """How many FAQ entries each destination has (by the entry's place), and with no place."""
    counts = Counter(
        destination_of(content, e.place) if e.place and e.place in content.places else None
        for e in content.faq
    )
    lines = [
        f"  {place.id}: {counts[place.id]}"
        for place, depth in places_by_destination(content)
        if depth == 0
    ]
    lines.append(f"  {label('no_place', language)}: {counts[None]}")
    return lines


# What tourists ask about, beyond the six topics of a place (issue 23), and the
# words of an FAQ entry's id that say an entry answers it: an id is split at
# its underscores, and a subject's word (one or several id words, like
# "getting_around") must appear in it whole. Editors name entries so
# (content/README.md, "The coverage report").
SUBJECTS: dict[str, tuple[str, ...]] = {
    "partnership": ("partnership", "cooperation", "letter_of_intent", "sister"),
    "olympic_venues": ("olympic", "olympics", "venue", "venues"),
    "families": ("children", "child", "family", "families", "kids", "baby", "teenagers"),
    "beginners": ("beginner", "beginners"),
    "accessibility": ("reduced_mobility", "wheelchair", "disabled", "seniors", "accessibility"),
    "besides_skiing": ("besides_skiing", "non_skiers", "winter_activities"),
    "rental_lessons": ("rental", "lessons", "hire"),
    "booking_ahead": ("booking", "reservation", "book_ahead"),
    "trip_length": ("trip_length", "travel_time", "from_geneva", "from_lyon", "from_beijing"),
    "getting_around": ("getting_around", "bus", "buses", "shuttle", "shuttles", "without_car"),
    "comparison": ("or", "compared", "comparison", "which_section"),
    "weather": ("weather", "forecast"),
    "lodging": ("lodging", "where_to_stay", "accommodation"),
}


def answers_subject(entry_id: str, subject: str) -> bool:
    """Whether an FAQ entry's id names ``subject`` (one of its words, whole)."""
    words = entry_id.split("_")
    for phrase in SUBJECTS[subject]:
        wanted = phrase.split("_")
        if any(words[i : i + len(wanted)] == wanted for i in range(len(words))):
            return True
    return False


def subjects_table(content: Content, language: str) -> list[str]:
    """One row per subject, one column per destination: how many FAQ entries
    about a place of that destination answer the subject (``--``: none)."""
    destinations = [place.id for place, depth in places_by_destination(content) if depth == 0]
    counts: Counter[tuple[str, str]] = Counter()
    for entry in content.faq:
        if not entry.place or entry.place not in content.places:
            continue
        destination = destination_of(content, entry.place)
        for subject in SUBJECTS:
            if answers_subject(entry.id, subject):
                counts[(subject, destination)] += 1
    rows: list[tuple[str, ...]] = [(label("subject_column", language), *destinations)]
    for subject in SUBJECTS:
        cells = [str(counts[(subject, d)]) if counts[(subject, d)] else "--" for d in destinations]
        rows.append((subject, *cells))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def report(
    content: Content,
    now: dt.datetime,
    days: int = 30,
    language: str = "en",
    folder: str = "",
    min_questions: int = MIN_WAYS_OF_ASKING,
) -> str:
    """The lists under their headings, then the tables; ``folder`` is put before file names."""
    sections = [
        (label("missing_languages", language), missing_languages(content)),
        (label("missing_topics", language), missing_topics(content)),
        (label("offers_ending", language, days=days), offers_ending(content, now, days, language)),
        (label("offers_ended", language), offers_ended(content, now, language)),
        (label("events_ended", language), events_ended(content, now, language)),
        (label("events_undated", language), events_undated(content, now, language)),
        (label("old_facts", language), old_facts(content, now.date(), language)),
        (label("places_without_location", language), places_without_location(content)),
        (
            label("few_ways_of_asking", language, minimum=min_questions),
            few_ways_of_asking(content, language, min_questions),
        ),
    ]
    lines = []
    for heading, items in sections:
        lines.append(heading)
        lines.extend(_listed(items, folder, language))
    lines.append(label("topics_table", language))
    lines.extend(topics_table(content, language))
    lines.append(label("faq_per_destination", language))
    lines.extend(faq_per_destination(content, language))
    lines.append(label("subjects_table", language))
    lines.extend(subjects_table(content, language))
    return "\n".join(lines)


def _listed(items: Iterable[Item], folder: str, language: str) -> list[str]:
    lines = []
    for item in sorted(items, key=lambda i: (i.file, i.line)):
        detail = f": {item.detail}" if item.detail else ""
        lines.append(f"  {folder}{item.file}:{item.line}: {item.field}{detail}")
    return lines or [label("none", language)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m curated.coverage", description="What content/ lacks."
    )
    parser.add_argument(
        "--lang", choices=MESSAGE_LANGUAGES, default="en", help="language of the headings"
    )
    parser.add_argument(
        "--today", type=dt.date.fromisoformat, help="judge as on this date (YYYY-MM-DD)"
    )
    parser.add_argument(
        "--days", type=int, default=30, help="list offers ending within this many days"
    )
    parser.add_argument(
        "--min-questions",
        type=int,
        default=MIN_WAYS_OF_ASKING,
        help="list FAQ entries with fewer ways of asking than this in a language",
    )
    parser.add_argument(
        "directory",
        nargs="?",
        help="content folder (default: CONTENT_DIR or content/)",
        default=None,
    )
    args = parser.parse_args(argv)
    directory = Path(args.directory or settings.from_environment().content_dir)
    content = combine(read_file(p) for p in content_files(directory))
    # Noon UTC is the same date in Paris and in Beijing.
    now = (
        dt.datetime.combine(args.today, dt.time(12), dt.timezone.utc)
        if args.today
        else dt.datetime.now(dt.timezone.utc)
    )
    folder = shown(directory) + os.sep
    print(report(content, now, args.days, args.lang, folder, args.min_questions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
