"""Retention and erasure, everywhere conversations are kept, and their log.

Both delete from the review database and from the files the review database
is imported from: the bot's conversation log (var/conversations.db), Rasa's
tracker store (var/tracker.db or TRACKER_STORE_URL) and, for erasure, the
bot's memory of the user's language (var/bot.db). Each run is written to the
``audit`` table and to var/log/review-audit.log; an erased pseudonym is
logged as a hash, not in clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from handoff.store import HandoffStore
from review import schema, store
from review.config import Config


def audit(engine: Engine, config: Config, actor: str, action: str, detail: dict) -> None:
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    now = time.time()
    with engine.begin() as connection:
        connection.execute(
            schema.audit.insert().values(time=now, actor=actor, action=action, detail=text)
        )
    config.audit_log_path.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.fromtimestamp(now, dt.timezone.utc).isoformat(timespec="seconds")
    with open(config.audit_log_path, "a", encoding="utf-8") as log:
        log.write(f"{stamp} {actor} {action} {text}\n")


def retention(engine: Engine, config: Config, days: float, actor: str) -> dict[str, float]:
    """Deletes conversations whose last turn is older than ``days`` days; returns
    the days asked and how many rows went from each place."""
    if days < 0:
        raise ValueError("days must be positive")
    cutoff = time.time() - days * 86400
    with engine.begin() as connection:
        conversations = store.delete_conversations(
            connection, schema.conversations.c.ended_at < cutoff
        )
    counts: dict[str, float] = {"days": days, "conversations": conversations}
    counts.update(_delete_from_sources(config, "time < ?", "timestamp < :value", cutoff))
    audit(engine, config, actor, "retention", counts)
    return counts


def erase(engine: Engine, config: Config, pseudonym: str, actor: str) -> dict[str, int]:
    """Deletes everything kept about one pseudonymous user."""
    pseudonym = (pseudonym or "").strip()
    if not pseudonym:
        raise ValueError("no pseudonym")
    with engine.begin() as connection:
        conversations = store.delete_conversations(
            connection, schema.conversations.c.user == pseudonym
        )
    counts = {"conversations": conversations}
    counts.update(_delete_from_sources(config, "user = ?", "sender_id = :value", pseudonym))
    memory = config.var_dir / "bot.db"
    counts["language_memory"] = _sqlite_delete(memory, "user_language", "pseudonym = ?", pseudonym)
    detail = dict(counts, user_sha256=hashlib.sha256(pseudonym.encode()).hexdigest()[:16])
    audit(engine, config, actor, "erase", detail)
    return counts


def _delete_from_sources(
    config: Config, log_where: str, tracker_where: str, value
) -> dict[str, int]:
    counts = {"log_turns": _sqlite_delete(config.conversation_log_path, "turns", log_where, value)}
    counts["tracker_events"] = _tracker_delete(config.tracker_url, tracker_where, value)
    holds = HandoffStore(config.tracker_url)  # hand-off transcripts: the same retention and erasure
    try:
        if log_where.startswith("user"):
            counts["handoff_rows"] = holds.erase(value)
        else:
            counts["handoff_rows"] = holds.forget_before(value)
    finally:
        holds.close()
    return counts


def _sqlite_delete(path: Path, table: str, where: str, value) -> int:
    if not path.exists():
        return 0
    connection = sqlite3.connect(str(path), timeout=30)
    try:
        exists = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        if not exists:
            return 0
        with connection:
            return connection.execute(f"DELETE FROM {table} WHERE {where}", (value,)).rowcount
    finally:
        connection.close()


def _tracker_delete(url: str, where: str, value) -> int:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[-1])
        if not path.exists():
            return 0
    engine = sa.create_engine(url, future=True)
    try:
        with engine.begin() as connection:
            if not sa.inspect(connection).has_table("events"):
                return 0
            return connection.execute(
                sa.text(f"DELETE FROM events WHERE {where}"), {"value": value}
            ).rowcount
    finally:
        engine.dispose()
