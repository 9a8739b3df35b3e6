"""What the content editor keeps in the review database: every saved change and the
translation status of each text.

A change records who saved which entry when, the entry before and after, and
the change in words (``describe``). When one or two languages of a text change,
the other languages of that text are "to review" until an editor updates them
or confirms them. Content files hold the content only; all this lives here.
"""

from __future__ import annotations

import difflib
import json
import re
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from language import LANGUAGES
from review import schema
from review.content_entries import Plain, texts_of

H = schema.content_changes.c
T = schema.translation_status.c
EXCERPT = 60


def record(
    engine: Engine,
    actor: str,
    office: str | None,
    file: str,
    entry: str,
    before: Plain,
    after: Plain,
    restored_from: int | None = None,
) -> int:
    """Stores one saved change and updates the translation status; returns the change's id."""
    summary = "\n".join(describe(before, after))
    with engine.begin() as connection:
        change_id = connection.execute(
            schema.content_changes.insert().values(
                time=time.time(),
                actor=actor,
                office=office,
                file=file,
                entry=entry,
                before=json.dumps(before, ensure_ascii=False, sort_keys=True),
                after=json.dumps(after, ensure_ascii=False, sort_keys=True),
                summary=summary,
                restored_from=restored_from,
            )
        ).inserted_primary_key[0]
        _update_translations(connection, entry, office, before, after, change_id)
    return change_id


def _update_translations(
    connection, entry: str, office: str | None, before: Plain, after: Plain, change_id: int
) -> None:
    old, new = texts_of(before), texts_of(after)
    for field, texts in new.items():
        previous = old.get(field, {})
        changed = [lang for lang in LANGUAGES if texts.get(lang) != previous.get(lang)]
        if not changed:
            continue
        where = (T.entry == entry) & (T.field == field)
        awaiting = set(connection.execute(sa.select(T.language).where(where)).scalars())
        connection.execute(
            schema.translation_status.delete().where(where & T.language.in_(changed))
        )
        if len(changed) == len(LANGUAGES) or not previous:
            continue  # every language written anew: nothing waits for a translation
        if set(changed) <= awaiting:
            continue  # translations brought up to date: the others need nothing
        for language in LANGUAGES:
            if language in changed:
                continue
            connection.execute(
                schema.translation_status.delete().where(where & (T.language == language))
            )
            connection.execute(
                schema.translation_status.insert().values(
                    entry=entry,
                    field=field,
                    language=language,
                    changed_language=changed[0],
                    change_id=change_id,
                    office=office,
                    since=time.time(),
                )
            )
    for field in set(old) - set(new):  # a fact removed: nothing to translate any more
        connection.execute(
            schema.translation_status.delete().where((T.entry == entry) & (T.field == field))
        )


def to_review(engine: Engine, entry: str | None = None, office: str | None = None) -> list[dict]:
    """Texts awaiting a translation: of one entry, of one office, or all."""
    query = sa.select(schema.translation_status).order_by(T.entry, T.field, T.language)
    if entry is not None:
        query = query.where(T.entry == entry)
    if office is not None:
        query = query.where(T.office == office)
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(query).mappings()]


def confirm(engine: Engine, entry: str, field: str, language: str) -> bool:
    """The text in ``language`` is right as it is: it no longer awaits review."""
    with engine.begin() as connection:
        return (
            connection.execute(
                schema.translation_status.delete().where(
                    (T.entry == entry) & (T.field == field) & (T.language == language)
                )
            ).rowcount
            > 0
        )


def changes(
    engine: Engine, entry: str | None = None, office: str | None = None, limit: int = 200
) -> list[dict]:
    """Saved changes, newest first: of one entry, of one office, or all."""
    query = sa.select(schema.content_changes).order_by(H.id.desc()).limit(limit)
    if entry is not None:
        query = query.where(H.entry == entry)
    if office is not None:
        query = query.where(H.office == office)
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(query).mappings()]


def change(engine: Engine, change_id: int) -> dict | None:
    with engine.connect() as connection:
        row = (
            connection.execute(sa.select(schema.content_changes).where(H.id == change_id))
            .mappings()
            .first()
        )
    return dict(row) if row else None


# ---------------------------------------------------------------- the change in words


def _flat(value: Any, path: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        found: dict[str, str] = {}
        for key, item in value.items():
            found.update(_flat(item, f"{path}.{key}" if path else str(key)))
        return found
    if isinstance(value, list):
        found = {}
        for index, item in enumerate(value):
            found.update(_flat(item, f"{path}.{index}"))
        return found
    return {path: "" if value is None else str(value)}


_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|\w+|[^\w\s]")


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _words(old: str, new: str) -> str:
    """What changed between two texts, word by word (character by character in Chinese)."""
    a = [(m.start(), m.end()) for m in _TOKEN.finditer(old)]
    b = [(m.start(), m.end()) for m in _TOKEN.finditer(new)]
    matcher = difflib.SequenceMatcher(
        None, [old[s:e] for s, e in a], [new[s:e] for s, e in b], autojunk=False
    )
    parts = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed = old[a[i1][0] : a[i2 - 1][1]] if i2 > i1 else ""
        added = new[b[j1][0] : b[j2 - 1][1]] if j2 > j1 else ""
        if removed and added:
            parts.append(f"«{_excerpt(removed)}» → «{_excerpt(added)}»")
        elif removed:
            parts.append(f"− «{_excerpt(removed)}»")
        else:
            parts.append(f"+ «{_excerpt(added)}»")
    return "; ".join(parts[:6]) + (" …" if len(parts) > 6 else "")


def describe(before: Plain, after: Plain) -> list[str]:
    """One line per field that changed: ``answer.fr: «n'y montent pas» → «ne montent pas»``."""
    old, new = _flat(before), _flat(after)
    lines = []
    for path in sorted(old.keys() | new.keys()):
        if old.get(path) == new.get(path):
            continue
        if path not in old:
            lines.append(f"{path}: + «{_excerpt(new[path])}»")
        elif path not in new:
            lines.append(f"{path}: − «{_excerpt(old[path])}»")
        else:
            lines.append(f"{path}: {_words(old[path], new[path])}")
    return lines
