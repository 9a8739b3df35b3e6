"""One content file read and checked against the schema: what passes is kept,
every problem is collected (file, line, field, what is wrong, how to fix it).

``content`` puts the files together; ``live`` reads again the files an editor
changed, one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from curated import builders, numbered_yaml
from curated.entries import Choices, Event, FaqEntry, Offer, Place, Texts
from curated.field_types import Entry, Reference, Report, Where
from curated.numbered_yaml import syntax_problem
from curated.problems import Problem
from curated.schema import FILE


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


def content_files(directory: Path) -> list[Path]:
    return sorted(Path(directory).glob("*.yml"))


def read_file(path: Path) -> FileContent:
    """One content file, checked against the schema; what passes is kept."""
    name = Path(path).name
    try:
        data = numbered_yaml.load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        return FileContent(name, problems=[syntax_problem(name, error)])
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
        places=[builders.place(e, name) for e in entry["places"]],
        offers=[builders.offer(e, name) for e in entry["offers"]],
        events=[builders.event(e, name) for e in entry["events"]],
        faq=[builders.faq(e, name) for e in entry["faq"]],
        phrases=dict(phrases),
        phrase_lines=dict(getattr(phrases, "key_lines", {})),
        place_ids=_ids_written(data.get("places")),
        references=report.references,
        problems=report.problems,
    )


def _ids_written(entries: Any) -> set[str]:
    if not isinstance(entries, list):
        return set()
    return {e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)}
