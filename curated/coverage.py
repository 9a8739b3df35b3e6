"""What the content lacks, for the editors planning their work.

    python -m curated.coverage [--lang fr|en|zh] [--today YYYY-MM-DD] [--days 30] [DIR]

Prints the texts missing a language, the places with no answer for a topic,
the offers ending in the next 30 days (and those already ended), the events
that are over or whose dates are not published yet, and the facts (and
events' dates) checked more than a year ago, each as ``file:line: field: detail``.
Always exits 0: it is a to-do list, not a check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import NamedTuple

import settings
from curated import store as content_store
from curated.problems import MESSAGE_LANGUAGES, label
from curated.store import TOPICS, Content
from curated.validate import shown

FACT_MAX_AGE = dt.timedelta(days=365)


class Item(NamedTuple):
    file: str
    line: int
    field: str
    detail: str = ""


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
            items.append(
                Item(place.origin.file, place.origin.line, place.origin.field, ", ".join(missing))
            )
    return items


def offers_ending(content: Content, now: dt.datetime, days: int, language: str) -> list[Item]:
    return [
        Item(
            o.origin.file,
            o.origin.line,
            o.origin.field,
            label("ends", language, date=o.valid_until.isoformat()),
        )
        for o in content.offers
        if 0 <= (o.valid_until - o.today(now)).days <= days
    ]


def offers_ended(content: Content, now: dt.datetime, language: str) -> list[Item]:
    return [
        Item(
            o.origin.file,
            o.origin.line,
            o.origin.field,
            label("ended", language, date=o.valid_until.isoformat()),
        )
        for o in content.offers
        if o.valid_until < o.today(now)
    ]


def events_ended(content: Content, now: dt.datetime, language: str) -> list[Item]:
    return [
        Item(
            e.origin.file,
            e.origin.line,
            e.origin.field,
            label("ended", language, date=e.ends.isoformat()),
        )
        for e in content.events
        if e.is_over(now)
    ]


def events_undated(content: Content, now: dt.datetime, language: str) -> list[Item]:
    """Coming events shown with `when` words instead of dates."""
    return [
        Item(
            e.origin.file,
            e.origin.line,
            f"{e.origin.field}.when",
            label("checked", language, date=e.checked.isoformat()),
        )
        for e in content.events
        if e.when and not e.is_over(now)
    ]


def old_facts(content: Content, today: dt.date, language: str) -> list[Item]:
    """Facts, and events' dates, last checked more than a year ago."""
    facts = [f for p in content.places.values() for t in p.topics.values() for f in t.facts]
    facts += [f for entry in content.faq for f in entry.facts]
    return [
        Item(
            f.origin.file,
            f.origin.line,
            f.origin.field,
            label("checked", language, date=f.checked.isoformat()),
        )
        for f in [*facts, *content.events]
        if f.checked < today - FACT_MAX_AGE
    ]


def report(
    content: Content, now: dt.datetime, days: int = 30, language: str = "en", folder: str = ""
) -> str:
    """The lists under their headings; ``folder`` is put before file names."""
    sections = [
        (label("missing_languages", language), missing_languages(content)),
        (label("missing_topics", language), missing_topics(content)),
        (label("offers_ending", language, days=days), offers_ending(content, now, days, language)),
        (label("offers_ended", language), offers_ended(content, now, language)),
        (label("events_ended", language), events_ended(content, now, language)),
        (label("events_undated", language), events_undated(content, now, language)),
        (label("old_facts", language), old_facts(content, now.date(), language)),
    ]
    lines = []
    for heading, items in sections:
        lines.append(heading)
        for item in sorted(items, key=lambda i: (i.file, i.line)):
            detail = f": {item.detail}" if item.detail else ""
            lines.append(f"  {folder}{item.file}:{item.line}: {item.field}{detail}")
        if not items:
            lines.append(label("none", language))
    return "\n".join(lines)


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
        "directory",
        nargs="?",
        help="content folder (default: CONTENT_DIR or content/)",
        default=None,
    )
    args = parser.parse_args(argv)
    directory = Path(args.directory or settings.from_environment().content_dir)
    content = content_store.combine(
        content_store.read_file(p) for p in content_store.content_files(directory)
    )
    # Noon UTC is the same date in Paris and in Beijing.
    now = (
        dt.datetime.combine(args.today, dt.time(12), dt.timezone.utc)
        if args.today
        else dt.datetime.now(dt.timezone.utc)
    )
    print(report(content, now, args.days, args.lang, folder=shown(directory) + os.sep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
