"""Saving one entry edited in the browser: version check, the checks of ``make validate``,
then the file written round-trip and atomically.

Under one lock per process: the file is read again, the entry's version is
compared with the one the form was opened with (another editor's save, or a
hand edit on the server since, makes a ``conflict``: nothing is written and the
editor keeps their text), the change is applied to the YAML, checked, and
written. The live reload of the action servers picks the file up (it looks
every second).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap

from actions import answers
from actions.why import Why
from curated.problems import Problem
from curated.schema import PHRASES
from language import LANGUAGES
from review import content_checks, content_preview, content_yaml
from review.content_entries import LIST_KEYS, Address, Plain, apply, node_of, plain, version

if TYPE_CHECKING:
    from curated.content import Content

_lock = threading.Lock()


@dataclass
class Outcome:
    status: str  # saved | unchanged | refused | conflict | missing | by_hand
    before: Plain | None = None  # the entry as it was on disk
    after: Plain | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Part:
    """The part of a file read to change one entry: its own lines when they can be found
    (reading 40 lines instead of 1,300 keeps saving fast), else the whole file."""

    text: str  # what was read: "faq:\n" and the entry's lines, or the whole file
    document: Any
    node: Any
    lines: tuple[int, int] | None  # where the entry's lines are in the file

    def file_text(self, original: str, edited: str) -> str:
        """The file with this part, edited, in its place."""
        if self.lines is None:
            return edited
        header = self.text.split("\n", 1)[0] + "\n"
        if not edited.startswith(header):
            raise content_yaml.NotEditable("the list's key changed")
        all_lines = original.splitlines(keepends=True)
        start, end = self.lines
        return "".join(all_lines[:start]) + edited[len(header) :] + "".join(all_lines[end:])


# What the preview of a phrase, or of an entry left out, says of itself (actions/why.py).
PREVIEW = Why("preview")


def _part(original: str, address: Address) -> _Part | None:
    list_key = LIST_KEYS[address.kind]
    span = content_yaml.entry_lines(original, list_key, address.id)
    if span is not None:
        lines = original.splitlines(keepends=True)
        text = f"{list_key}:\n" + "".join(lines[span[0] : span[1]])
        try:
            document = content_yaml.load(text)
        except ValueError:
            document = None
        node = node_of(document, address)
        if node is not None:
            return _Part(text, document, node, span)
    document = content_yaml.load(original)
    node = node_of(document, address)
    return _Part(original, document, node, None) if node is not None else None


def current(content_dir: Path, file: str, address: Address) -> Plain | None:
    """The entry as its file holds it now, or None."""
    try:
        found = _part((Path(content_dir) / file).read_text(encoding="utf-8"), address)
    except (OSError, ValueError):
        return None
    return plain(found.node, address.kind) if found is not None else None


def preview(
    content_dir: Path, file: str, address: Address, value: Plain
) -> dict[str, content_preview.LanguagePreview] | None:
    """What a tourist would read in each language once ``value`` is saved (nothing written):
    the answer as the actions compose it, facts and the sister destination included, and
    as each channel would show it."""
    path = Path(content_dir) / file
    original = path.read_text(encoding="utf-8")
    part = _part(original, address)
    if part is None:
        return None
    unchanged = content_yaml.dump(part.document)
    apply(part.node, value, address.kind)
    try:
        text = part.file_text(
            original, content_yaml.edited_text(part.text, unchanged, part.document)
        )
    except content_yaml.NotEditable:
        return None
    content = content_checks.trial(Path(content_dir), file, text)
    shown = {}
    for language in LANGUAGES:
        try:
            reply = _answer(content, address, language)
        except (StopIteration, KeyError):
            reply = answers.Reply(
                "", why=PREVIEW
            )  # the entry is left out until its problems are fixed
        shown[language] = content_preview.LanguagePreview(
            reply.text,
            content_preview.channels([reply], partial(content.phrase, language=language)),
        )
    return shown


def _answer(content: Content, address: Address, language: str) -> answers.Reply:
    if address.kind == "phrase":  # as written, {placeholders} unfilled; a title as a button
        text = content.phrases[address.id][language]
        spec = PHRASES.get(address.id)
        if spec is not None and spec.title:
            return answers.Reply("", [{"title": text, "payload": f"/{address.id}"}], why=PREVIEW)
        return answers.Reply(text, why=PREVIEW)
    if address.kind == "faq":
        entry = next(e for e in content.faq if e.id == address.id)
        return answers.faq_answer(content, entry, language)
    if address.kind == "offer":
        offer = next(o for o in content.offers if o.id == address.id)
        return answers.Reply(
            answers.offer_text(content, offer, language), why=Why("offers", entry=offer.id)
        )
    if address.kind == "event":
        event = next(e for e in content.events if e.id == address.id)
        return answers.Reply(
            answers.event_text(content, event, language), why=Why("events", entry=event.id)
        )
    return answers.place_answer(content, address.id, address.topic, language)


def _open(
    path: Path, address: Address, expected_version: str
) -> tuple[Path, int, str, _Part, Plain] | Outcome:
    """The file as it is (its time stamp, text, the entry's part and value), or
    why the entry cannot be changed: gone, or changed since the editor read it."""
    stamp = path.stat().st_mtime_ns
    original = path.read_text(encoding="utf-8")
    part = _part(original, address)
    if part is None:
        return Outcome("missing")
    before = plain(part.node, address.kind)
    if version(before) != expected_version:
        return Outcome("conflict", before=before)
    return path, stamp, original, part, before


def save(
    content_dir: Path, file: str, address: Address, expected_version: str, value: Plain
) -> Outcome:
    with _lock:
        opened = _open(Path(content_dir) / file, address, expected_version)
        if isinstance(opened, Outcome):
            return opened
        path, stamp, original, part, before = opened
        unchanged = content_yaml.dump(part.document)
        apply(part.node, value, address.kind)
        after = plain(part.node, address.kind)
        if after == before:
            return Outcome("unchanged", before=before, after=after)
        try:
            edited = content_yaml.edited_text(part.text, unchanged, part.document)
            text = part.file_text(original, edited)
        except content_yaml.NotEditable:
            return Outcome("by_hand", before=before)
        questions_changed = before.get("questions") != after.get("questions")
        problems = content_checks.new_problems(Path(content_dir), file, text, questions_changed)
        if problems:
            return Outcome("refused", before=before, after=after, problems=problems)
        if path.stat().st_mtime_ns != stamp:  # edited by hand while this was checked
            return Outcome("conflict", before=current(Path(content_dir), file, address))
        content_yaml.write_atomically(path, text)
        content_checks.written(path, text)
        return Outcome("saved", before=before, after=after)


def create(content_dir: Path, file: str, entry_id: str, place: str | None, value: Plain) -> Outcome:
    """A new FAQ entry at the end of ``file``'s ``faq:`` list, through the same checks."""
    path = Path(content_dir) / file
    address = Address("faq", entry_id)
    with _lock:
        stamp = path.stat().st_mtime_ns
        original = path.read_text(encoding="utf-8")
        document = content_yaml.load(original)
        if not isinstance(document, dict) or not isinstance(document.get("faq"), list):
            return Outcome("missing")
        if node_of(document, address) is not None:
            return Outcome("conflict", before=plain(node_of(document, address), "faq"))
        unchanged = content_yaml.dump(document)
        node = CommentedMap([("id", entry_id)])
        if place:
            node["place"] = place
        node["questions"] = CommentedMap()
        node["answer"] = CommentedMap()
        apply(node, value, "faq")
        document["faq"].append(node)
        after = plain(node, "faq")
        try:
            text = content_yaml.edited_text(original, unchanged, document)
        except content_yaml.NotEditable:
            return Outcome("by_hand")
        problems = content_checks.new_problems(Path(content_dir), file, text)
        if problems:
            return Outcome("refused", after=after, problems=problems)
        if path.stat().st_mtime_ns != stamp:
            return Outcome("conflict")
        content_yaml.write_atomically(path, text)
        content_checks.written(path, text)
        return Outcome("saved", before={}, after=after)


def delete(content_dir: Path, file: str, address: Address, expected_version: str) -> Outcome:
    """An FAQ entry taken out of ``file``: its own lines only, through the same checks.

    The outcome's ``before`` is the entry with its ``place``, what restoring it needs."""
    with _lock:
        opened = _open(Path(content_dir) / file, address, expected_version)
        if isinstance(opened, Outcome):
            return opened
        path, stamp, original, part, before = opened
        kept = {**before, "place": part.node.get("place") or ""}
        if part.lines is None:  # not written as "- id: ..." lines: by hand only
            return Outcome("by_hand", before=kept)
        text = _without(original, *part.lines)
        problems = content_checks.new_problems(Path(content_dir), file, text)
        if problems:
            return Outcome("refused", before=kept, problems=problems)
        if path.stat().st_mtime_ns != stamp:
            return Outcome("conflict", before=current(Path(content_dir), file, address))
        content_yaml.write_atomically(path, text)
        content_checks.written(path, text)
        return Outcome("saved", before=kept, after={})


def _without(text: str, start: int, end: int) -> str:
    """``text`` without the entry's lines [start, end) and the comment right above them
    (its "Pages read"), keeping the comments that end them (the next entry's, or a
    section's heading) and dropping the blank lines between entries."""
    lines = text.splitlines(keepends=True)
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    while start > 0 and lines[start - 1].startswith(indent + "#"):
        start -= 1
    first_kept = end
    while first_kept > start + 1 and (
        not lines[first_kept - 1].strip() or lines[first_kept - 1].lstrip().startswith("#")
    ):
        first_kept -= 1
    trailing = lines[first_kept:end]
    comments = [i for i, line in enumerate(trailing) if line.strip()]
    kept = trailing[comments[0] :] if comments else []
    return "".join(lines[:start] + kept + lines[end:])
