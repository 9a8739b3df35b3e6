"""Reading and annotating conversations in the review database.

The list is paginated by keyset on (start time, id), newest first: each page
is one indexed range read however deep it is. Filters on turns (intent,
language) and on the search text are correlated EXISTS sub-queries, so the
scan stops as soon as a page is full. Search is a case-folded substring match
(LIKE) of the tourist's messages: it works the same for Chinese, which has no
spaces to cut words at.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from review import schema, timeutil
from review.filters import Filters, cursor

PAGE_SIZE = 50
COUNT_LIMIT = 10_000  # beyond this the list says "10,000+" rather than counting on

C = schema.conversations.c
T = schema.turns.c


@dataclass
class Page:
    rows: list[dict]
    total: int
    total_capped: bool
    next_cursor: str | None
    previous_cursor: str | None


def conditions(filters: Filters, zone_name: str) -> list[sa.sql.ClauseElement]:
    where: list[sa.sql.ClauseElement] = []
    if filters.date_from:
        where.append(C.started_at >= timeutil.start_of(filters.date_from, zone_name))
    if filters.date_to:
        next_day = filters.date_to.toordinal() + 1
        import datetime as dt

        where.append(C.started_at < timeutil.start_of(dt.date.fromordinal(next_day), zone_name))
    if filters.channel:
        where.append(C.channel == filters.channel)
    if filters.language:
        where.append(sa.exists().where(T.conversation_id == C.id, T.language == filters.language))
    if filters.intent:
        where.append(sa.exists().where(T.conversation_id == C.id, T.intent == filters.intent))
    if filters.below is not None:
        where.append(C.min_confidence < filters.below)
    if filters.fallback is not None:
        where.append(C.fallback_count > 0 if filters.fallback else C.fallback_count == 0)
    if filters.handoff is not None:
        where.append(C.handoff_count > 0 if filters.handoff else C.handoff_count == 0)
    if filters.refused is not None:
        refusal = sa.exists().where(T.conversation_id == C.id, T.refused)
        where.append(refusal if filters.refused else ~refusal)
    if filters.flagged is not None:
        where.append(C.flagged == filters.flagged)
    if filters.reviewed is not None:
        where.append(C.reviewed == filters.reviewed)
    if filters.tag:
        tags = schema.tags.c
        where.append(sa.exists().where(tags.conversation_id == C.id, tags.tag == filters.tag))
    if filters.q:
        text = schema.conversation_text.c
        where.append(
            sa.exists().where(
                text.conversation_id == C.id,
                text.text.contains(filters.q.casefold(), autoescape=True),
            )
        )
    return where


def list_page(
    engine: Engine,
    filters: Filters,
    zone_name: str,
    after: tuple[float, int] | None = None,
    before: tuple[float, int] | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    where = conditions(filters, zone_name)
    query = sa.select(schema.conversations).where(*where)
    if before is not None:
        query = query.where(
            sa.or_(C.started_at > before[0], sa.and_(C.started_at == before[0], C.id > before[1]))
        )
        query = query.order_by(C.started_at.asc(), C.id.asc())
    else:
        if after is not None:
            query = query.where(
                sa.or_(C.started_at < after[0], sa.and_(C.started_at == after[0], C.id < after[1]))
            )
        query = query.order_by(C.started_at.desc(), C.id.desc())
    with engine.connect() as connection:
        rows = [dict(r) for r in connection.execute(query.limit(size + 1)).mappings()]
        more = len(rows) > size
        rows = rows[:size]
        if before is not None:
            rows.reverse()
        counted = connection.execute(
            sa.select(sa.func.count()).select_from(
                sa.select(C.id).where(*where).limit(COUNT_LIMIT + 1).subquery()
            )
        ).scalar()
        _decorate(connection, rows)
    if before is not None:
        has_next, has_previous = True, more
    else:
        has_next, has_previous = more, after is not None
    return Page(
        rows=rows,
        total=min(counted, COUNT_LIMIT),
        total_capped=counted > COUNT_LIMIT,
        next_cursor=cursor(rows[-1]["started_at"], rows[-1]["id"]) if rows and has_next else None,
        previous_cursor=cursor(rows[0]["started_at"], rows[0]["id"])
        if rows and has_previous
        else None,
    )


def _decorate(connection: Connection, rows: list[dict]) -> None:
    """Adds each conversation's first message and tags."""
    ids = [r["id"] for r in rows]
    if not ids:
        return
    first: dict[int, str] = {}
    for conversation_id, text in connection.execute(
        sa.select(T.conversation_id, T.text_in)
        .where(T.conversation_id.in_(ids))
        .order_by(T.conversation_id, T.time)
    ):
        if conversation_id not in first and text and not text.startswith("/"):
            first[conversation_id] = text
    tags = tags_of(connection, ids)
    for row in rows:
        row["preview"] = first.get(row["id"], "")
        row["tags"] = tags.get(row["id"], [])


def tags_of(connection: Connection, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    t = schema.tags.c
    for conversation_id, tag in connection.execute(
        sa.select(t.conversation_id, t.tag).where(t.conversation_id.in_(ids)).order_by(t.tag)
    ):
        found.setdefault(conversation_id, []).append(tag)
    return found


def conversation(engine: Engine, conversation_id: int) -> dict | None:
    with engine.connect() as connection:
        row = (
            connection.execute(sa.select(schema.conversations).where(C.id == conversation_id))
            .mappings()
            .first()
        )
        if row is None:
            return None
        found = dict(row)
        found["turns"] = [
            _loaded(dict(t))
            for t in connection.execute(
                sa.select(schema.turns)
                .where(T.conversation_id == conversation_id)
                .order_by(T.time, T.id)
            ).mappings()
        ]
        found["tags"] = tags_of(connection, [conversation_id]).get(conversation_id, [])
    return found


def _loaded(turn: dict) -> dict:
    for key in ("replies", "entities", "actions", "why"):
        try:
            turn[key] = json.loads(turn[key] or "[]")
        except ValueError:
            turn[key] = []
    return turn


def neighbours(
    engine: Engine, filters: Filters, zone_name: str, row: dict
) -> tuple[int | None, int | None]:
    """The ids of the newer and the older conversation in the filtered list."""
    where = conditions(filters, zone_name)
    with engine.connect() as connection:
        newer = connection.execute(
            sa.select(C.id)
            .where(*where)
            .where(
                sa.or_(
                    C.started_at > row["started_at"],
                    sa.and_(C.started_at == row["started_at"], C.id > row["id"]),
                )
            )
            .order_by(C.started_at.asc(), C.id.asc())
            .limit(1)
        ).scalar()
        older = connection.execute(
            sa.select(C.id)
            .where(*where)
            .where(
                sa.or_(
                    C.started_at < row["started_at"],
                    sa.and_(C.started_at == row["started_at"], C.id < row["id"]),
                )
            )
            .order_by(C.started_at.desc(), C.id.desc())
            .limit(1)
        ).scalar()
    return newer, older


def set_flag(engine: Engine, conversation_id: int, flagged: bool) -> bool:
    return _update(engine, conversation_id, flagged=flagged)


def set_reviewed(engine: Engine, conversation_id: int, reviewed: bool, by: str) -> bool:
    return _update(engine, conversation_id, reviewed=reviewed, reviewed_by=by if reviewed else None)


def set_note(engine: Engine, conversation_id: int, note: str, by: str) -> bool:
    return _update(engine, conversation_id, note=note or None, note_by=by, note_at=time.time())


def _update(engine: Engine, conversation_id: int, **values) -> bool:
    with engine.begin() as connection:
        result = connection.execute(
            schema.conversations.update().where(C.id == conversation_id).values(**values)
        )
    return result.rowcount == 1


def add_tag(engine: Engine, conversation_id: int, tag: str) -> bool:
    t = schema.tags
    with engine.begin() as connection:
        if connection.execute(sa.select(C.id).where(C.id == conversation_id)).first() is None:
            return False
        exists = connection.execute(
            sa.select(t.c.tag).where(t.c.conversation_id == conversation_id, t.c.tag == tag)
        ).first()
        if exists is None:
            connection.execute(t.insert().values(conversation_id=conversation_id, tag=tag))
    return True


def remove_tag(engine: Engine, conversation_id: int, tag: str) -> bool:
    t = schema.tags
    with engine.begin() as connection:
        result = connection.execute(
            t.delete().where(t.c.conversation_id == conversation_id, t.c.tag == tag)
        )
    return result.rowcount == 1


def delete_conversations(connection: Connection, where: sa.sql.ClauseElement) -> int:
    """Deletes the conversations matching ``where`` with all they hold."""
    ids = sa.select(C.id).where(where).scalar_subquery()
    connection.execute(schema.tags.delete().where(schema.tags.c.conversation_id.in_(ids)))
    connection.execute(schema.turns.delete().where(T.conversation_id.in_(ids)))
    connection.execute(
        schema.conversation_text.delete().where(schema.conversation_text.c.conversation_id.in_(ids))
    )
    return connection.execute(schema.conversations.delete().where(where)).rowcount


def distinct_values(engine: Engine) -> dict[str, list[str]]:
    """Channels, intents and tags present, for the filter menus."""
    with engine.connect() as connection:
        return {
            "channels": [
                r[0]
                for r in connection.execute(sa.select(C.channel).distinct().order_by(C.channel))
            ],
            "intents": [
                r[0]
                for r in connection.execute(
                    sa.select(T.intent).where(T.intent.isnot(None)).distinct().order_by(T.intent)
                )
            ],
            "tags": [
                r[0]
                for r in connection.execute(
                    sa.select(schema.tags.c.tag).distinct().order_by(schema.tags.c.tag)
                )
            ],
        }


def export_turns(
    engine: Engine, filters: Filters, zone_name: str, chunk: int = 500
) -> Iterator[dict]:
    """Every turn of the filtered conversations, newest conversation first."""
    after: tuple[float, int] | None = None
    where = conditions(filters, zone_name)
    while True:
        query = sa.select(schema.conversations).where(*where)
        if after is not None:
            query = query.where(
                sa.or_(C.started_at < after[0], sa.and_(C.started_at == after[0], C.id < after[1]))
            )
        with engine.connect() as connection:
            rows = [
                dict(r)
                for r in connection.execute(
                    query.order_by(C.started_at.desc(), C.id.desc()).limit(chunk)
                ).mappings()
            ]
            if not rows:
                return
            ids = [r["id"] for r in rows]
            tags = tags_of(connection, ids)
            turns: dict[int, list[dict]] = {}
            for t in connection.execute(
                sa.select(schema.turns).where(T.conversation_id.in_(ids)).order_by(T.time, T.id)
            ).mappings():
                turns.setdefault(t["conversation_id"], []).append(_loaded(dict(t)))
        for row in rows:
            for turn in turns.get(row["id"], []):
                yield {"conversation": row, "tags": tags.get(row["id"], []), "turn": turn}
        after = (rows[-1]["started_at"], rows[-1]["id"])
