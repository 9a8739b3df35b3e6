"""Figures for the dashboard over a date range, from indexed columns."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from language import LANGUAGES
from review import schema, unanswered

C = schema.conversations.c
T = schema.turns.c


def figures(
    engine: Engine, date_from: dt.date, date_to: dt.date, threshold: float, zone_name: str
) -> dict:
    first, last = date_from.isoformat(), date_to.isoformat()
    days = [
        (date_from + dt.timedelta(days=i)).isoformat()
        for i in range((date_to - date_from).days + 1)
    ]
    with engine.connect() as connection:
        conversations = dict(
            connection.execute(
                sa.select(C.day, sa.func.count())
                .where(C.day >= first, C.day <= last)
                .group_by(C.day)
            ).all()
        )
        per_day = {
            day: (messages, fallbacks or 0)
            for day, messages, fallbacks in connection.execute(
                sa.select(
                    T.day,
                    sa.func.count(),
                    sa.func.sum(sa.case((T.fallback == sa.true(), 1), else_=0)),
                )
                .where(T.day >= first, T.day <= last)
                .group_by(T.day)
            )
        }
        languages = connection.execute(
            sa.select(T.language, sa.func.count())
            .where(T.day >= first, T.day <= last)
            .group_by(T.language)
            .order_by(sa.func.count().desc())
        ).all()
        channels = connection.execute(
            sa.select(C.channel, sa.func.count())
            .where(C.day >= first, C.day <= last)
            .group_by(C.channel)
            .order_by(sa.func.count().desc())
        ).all()
        intents = connection.execute(
            sa.select(T.intent, sa.func.count())
            .where(T.day >= first, T.day <= last, T.intent.isnot(None))
            .group_by(T.intent)
            .order_by(sa.func.count().desc())
            .limit(10)
        ).all()
    messages = [per_day.get(d, (0, 0))[0] for d in days]
    fallbacks = [per_day.get(d, (0, 0))[1] for d in days]
    top_unanswered: list = []
    for language in LANGUAGES:
        for group in unanswered.groups_for(
            engine, language, threshold, date_from, date_to, zone_name
        )[:10]:
            top_unanswered.append((language, group))
    top_unanswered.sort(key=lambda item: -item[1].count)
    return {
        "days": days,
        "conversations": [conversations.get(d, 0) for d in days],
        "messages": messages,
        "fallback_rate": [f / m if m else 0.0 for f, m in zip(fallbacks, messages, strict=True)],
        "languages": [(str(k), v) for k, v in languages],
        "channels": [(str(k), v) for k, v in channels],
        "intents": [(str(k), v) for k, v in intents],
        "unanswered": top_unanswered[:10],
        "total_conversations": sum(conversations.values()),
        "total_messages": sum(messages),
        "total_fallbacks": sum(fallbacks),
    }
