"""Import new turns into the review database, joined with what Rasa understood.

Two sources, both written while tourists chat:

- ``var/conversations.db`` (bot/conversation_log.py): one row per turn from
  every channel: time, pseudonym, channel, decided language, text in, replies,
  latency, outcome. It is the list of turns: turns Rasa never saw (Rasa down,
  a sticker) are in it and nowhere else.
- Rasa's SQL tracker store (``events``): per pseudonymous sender, the user
  event with ``parse_data`` (intent, confidence, entities) and then the actions
  run, and the bot messages, whose metadata says why each was given
  (``why``, see review/why.py). ``sender_id`` is the same pseudonym.

A turn is matched to the user event of the same sender whose text is the
turn's text (a button payload gets ``{"language": ..}`` appended) and whose
timestamp lies between the moment the channel layer received the message
(turn time minus latency) and the moment it logged the turn; the actions are
the events that follow that user event until the next one. Each import reads
the log rows after the last imported id, so it is incremental and cheap; text
is masked (e-mail, phone) before it is written.

A conversation log that was deleted and created again starts its row ids at
1: progress is therefore kept per file, by the random ``file_id`` each file
carries (table ``log_info``), and each turn is known by its ``uuid`` (or
"<file id>:<row id>"), so a recreated file is imported and no turn twice. A
file from before file ids is followed under the older name ``conversation_log``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from actions.why import Why, is_refusal
from review import schema, timeutil
from review.config import Config
from review.masking import mask

logger = logging.getLogger(__name__)

# What counts as "the assistant could not answer" and "passed to a person"
# in this project (config.yml, dialogue/rules.yml).
FALLBACK_INTENTS = {"nlu_fallback", "out_of_scope"}
FALLBACK_ACTIONS = {"action_default_fallback", "action_out_of_scope", "action_two_stage_fallback"}
HANDOFF_INTENTS = {"contact_human"}
HANDOFF_ACTIONS = {"action_contact"}
IGNORED_ACTIONS = {"action_listen", "action_session_start"}

# domain.yml session_expiration_time (720 minutes): a longer silence starts a
# new conversation, as it starts a new Rasa session.
CONVERSATION_GAP_SECONDS = 720 * 60
# Slack around the turn's time window when matching tracker events.
MATCH_SLACK_SECONDS = 2.0
LOG_SOURCE = "conversation_log"  # progress through a log file without a file id
# Keys of the log's own table log_info (bot/core/conversation_log.py).
LOG_FILE_ID = "file_id"
LOG_LEGACY_SOURCE = "legacy_source"


def run(engine: Engine, config: Config, batch_size: int = 2000) -> int:
    """Imports every turn not imported yet; returns how many."""
    path = config.conversation_log_path
    if not path.exists():
        return 0
    tracker = _tracker_engine(config.tracker_url)
    total = 0
    log = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        file_id, legacy_source = _log_identity(log)
        source = f"log:{file_id}" if file_id else LOG_SOURCE
        columns = {row[1] for row in log.execute("PRAGMA table_info(turns)")}
        uuid = "uuid" if "uuid" in columns else "NULL"
        while True:
            with engine.begin() as connection:
                last = _last_id(connection, source)
                if last is None and legacy_source:
                    last = _last_id(connection, legacy_source)
                rows = log.execute(
                    "SELECT id, time, user, channel, language, text_in, replies, latency_ms, outcome,"
                    f" {uuid} FROM turns WHERE id > ? ORDER BY id LIMIT ?",
                    (last or 0, batch_size),
                ).fetchall()
                if not rows:
                    break
                understood = _understanding(tracker, rows) if tracker is not None else {}
                turns = _not_imported(
                    connection, [_turn(row, understood.get(row[0]), file_id) for row in rows]
                )
                add_turns(connection, turns, config.timezone)
                _set_last_id(connection, source, rows[-1][0])
            total += len(turns)
    finally:
        log.close()
        if tracker is not None:
            tracker.dispose()
    if total:
        logger.info("Imported %d turns", total)
    return total


def add_turns(connection: Connection, turns: Iterable[dict], zone_name: str) -> None:
    """Writes turns (dicts with the columns of ``schema.turns``) into conversations.

    Used by the import and by the demo and benchmark data; turns of one user
    must come in time order.
    """
    open_conversations: dict[tuple[str, str], dict] = {}
    for turn in turns:
        turn["day"] = timeutil.day_of(turn["time"], zone_name)
        key = (turn["user"], turn["channel"])
        conversation = open_conversations.get(key) or _latest_conversation(connection, *key)
        if (
            conversation is None
            or turn["time"] - conversation["ended_at"] > CONVERSATION_GAP_SECONDS
        ):
            conversation = _new_conversation(connection, turn)
        turn["conversation_id"] = conversation["id"]
        connection.execute(schema.turns.insert().values(**turn))
        _extend(connection, conversation, turn)
        open_conversations[key] = conversation


def classify(intent: str | None, actions: list[str]) -> tuple[bool, bool]:
    """(fallback, hand-off) for a turn."""
    fallback = intent in FALLBACK_INTENTS or any(a in FALLBACK_ACTIONS for a in actions)
    handoff = intent in HANDOFF_INTENTS or any(a in HANDOFF_ACTIONS for a in actions)
    return fallback, handoff


def _turn(row: tuple, understood: dict | None, file_id: str | None = None) -> dict:
    row_id, time, user, channel, language, text_in, replies, latency_ms, outcome, turn_uuid = row
    try:
        reply_list = [mask(str(r)) for r in json.loads(replies or "[]")]
    except ValueError:
        reply_list = []
    understood = understood or {}
    intent = understood.get("intent")
    actions = understood.get("actions", [])
    whys = understood.get("why", [])
    fallback, handoff = classify(intent, actions)
    return {
        "source_id": None if file_id else row_id,
        "source_key": turn_uuid or (f"{file_id}:{row_id}" if file_id else None),
        "rasa_event_id": understood.get("event_id"),
        "time": time,
        "user": user,
        "channel": channel,
        "language": language,
        "text_in": mask(text_in or ""),
        "replies": json.dumps(reply_list, ensure_ascii=False),
        "intent": intent,
        "confidence": understood.get("confidence"),
        "entities": json.dumps(understood.get("entities", []), ensure_ascii=False),
        "actions": json.dumps(actions),
        "latency_ms": latency_ms,
        "outcome": outcome,
        "fallback": fallback,
        "handoff": handoff,
        "why": json.dumps(whys, ensure_ascii=False),
        "refused": any(is_refusal(w) for w in whys),
    }


def _understanding(tracker: Engine, rows: list[tuple]) -> dict[int, dict]:
    """Rasa's reading of each turn of ``rows``, by turn id."""
    users = sorted({row[2] for row in rows})
    start = min(row[1] for row in rows) - 600
    end = max(row[1] for row in rows) + MATCH_SLACK_SECONDS
    events: dict[str, list[dict]] = defaultdict(list)
    query = sa.text(
        "SELECT id, sender_id, type_name, timestamp, action_name, data FROM events"
        " WHERE sender_id IN :users AND type_name IN ('user', 'action', 'bot')"
        " AND timestamp >= :start AND timestamp <= :end ORDER BY id"
    ).bindparams(sa.bindparam("users", expanding=True))
    try:
        with tracker.connect() as connection:
            for chunk in _chunks(users, 500):
                for event_id, sender, kind, stamp, action, data in connection.execute(
                    query, {"users": chunk, "start": start, "end": end}
                ):
                    if kind == "user":
                        events[sender].append(_user_event(event_id, stamp, data))
                    elif not events[sender]:
                        continue  # what followed a user event before the window
                    elif kind == "bot":
                        reason = _why(data)
                        if reason:
                            events[sender][-1]["why"].append(reason)
                    elif action and action not in IGNORED_ACTIONS:
                        events[sender][-1]["actions"].append(action)
    except sa.exc.SQLAlchemyError as error:  # no tracker yet, or not readable: import without it
        logger.warning("Tracker store not read: %s", error)
        return {}
    matched: dict[int, dict] = {}
    used: set = set()
    for source_id, time, user, _channel, _lang, text_in, _replies, latency_ms, _outcome, *_ in rows:
        received = time - (latency_ms or 0) / 1000 - MATCH_SLACK_SECONDS
        candidates = [
            e
            for e in events.get(user, [])
            if e["event_id"] not in used
            and received <= e["timestamp"] <= time + MATCH_SLACK_SECONDS
            and _same_text(e["text"], text_in or "")
        ]
        if candidates:
            best = max(candidates, key=lambda e: e["timestamp"])
            used.add(best["event_id"])
            matched[source_id] = best
    return matched


def _user_event(event_id: int, stamp: float, data: str) -> dict:
    try:
        payload = json.loads(data or "{}")
    except ValueError:
        payload = {}
    parse = payload.get("parse_data") or {}
    intent = parse.get("intent") or {}
    entities = [
        {"entity": str(e.get("entity")), "value": mask(str(e.get("value")))}
        for e in parse.get("entities") or []
        if isinstance(e, dict)
    ]
    return {
        "event_id": event_id,
        "timestamp": stamp or 0.0,
        "text": payload.get("text") or "",
        "intent": intent.get("name"),
        "confidence": intent.get("confidence"),
        "entities": entities,
        "actions": [],
        "why": [],
    }


def _why(data: str) -> dict[str, Any] | str:
    """Why an action gave a bot message (its metadata's ``why``, the record of
    actions/why.py), with what the tourist typed in it masked; the text reason
    of a conversation logged before the record was typed; or ""."""
    try:
        payload = json.loads(data or "{}")
    except ValueError:
        return ""
    metadata = payload.get("metadata") if isinstance(payload, dict) else None
    why = metadata.get("why") if isinstance(metadata, dict) else None
    if isinstance(why, str):
        return mask(why)
    if not isinstance(why, dict):
        return ""
    try:
        record = Why.from_dict(why)
    except (TypeError, ValueError):  # not a record this version reads: shown as written
        return mask(json.dumps(why, ensure_ascii=False))
    return replace(record, name=mask(record.name) if record.name else None).as_dict()


def _same_text(rasa_text: str, logged: str) -> bool:
    if rasa_text == logged:
        return True
    # A button payload reaches Rasa with the language added: /ask_offers{"language": "fr"}
    return logged.startswith("/") and rasa_text.startswith(logged.split("{", 1)[0])


def _latest_conversation(connection: Connection, user: str, channel: str) -> dict | None:
    c = schema.conversations.c
    row = (
        connection.execute(
            sa.select(
                c.id,
                c.ended_at,
                c.turn_count,
                c.languages,
                c.min_confidence,
                c.fallback_count,
                c.handoff_count,
            )
            .where(c.user == user, c.channel == channel)
            .order_by(c.ended_at.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def _new_conversation(connection: Connection, turn: dict) -> dict:
    values = {
        "user": turn["user"],
        "channel": turn["channel"],
        "started_at": turn["time"],
        "ended_at": turn["time"],
        "day": turn["day"],
        "turn_count": 0,
        "languages": "",
        "min_confidence": None,
        "fallback_count": 0,
        "handoff_count": 0,
        "flagged": False,
        "reviewed": False,
    }
    conversation_id = connection.execute(
        schema.conversations.insert().values(**values)
    ).inserted_primary_key[0]
    connection.execute(
        schema.conversation_text.insert().values(conversation_id=conversation_id, text="")
    )
    values["id"] = conversation_id
    return values


def _extend(connection: Connection, conversation: dict, turn: dict) -> None:
    languages = set(filter(None, conversation["languages"].split(",")))
    languages.add(turn["language"])
    conversation["languages"] = ",".join(sorted(languages))
    conversation["ended_at"] = max(conversation["ended_at"], turn["time"])
    conversation["turn_count"] += 1
    if turn.get("confidence") is not None:
        current = conversation["min_confidence"]
        conversation["min_confidence"] = (
            turn["confidence"] if current is None else min(current, turn["confidence"])
        )
    conversation["fallback_count"] += 1 if turn.get("fallback") else 0
    conversation["handoff_count"] += 1 if turn.get("handoff") else 0
    c = schema.conversations.c
    connection.execute(
        schema.conversations.update()
        .where(c.id == conversation["id"])
        .values(
            ended_at=conversation["ended_at"],
            turn_count=conversation["turn_count"],
            languages=conversation["languages"],
            min_confidence=conversation["min_confidence"],
            fallback_count=conversation["fallback_count"],
            handoff_count=conversation["handoff_count"],
        )
    )
    if turn["text_in"]:
        t = schema.conversation_text
        connection.execute(
            t.update()
            .where(t.c.conversation_id == conversation["id"])
            .values(text=t.c.text + sa.literal("\n" + turn["text_in"].casefold()))
        )


def _tracker_engine(url: str) -> Engine | None:
    if url.startswith("sqlite"):
        from pathlib import Path

        path = Path(url.split("///", 1)[-1])
        if not path.exists():
            return None
        return sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", future=True)
    return sa.create_engine(url, future=True)


def _log_identity(log: sqlite3.Connection) -> tuple[str | None, str | None]:
    """(file id, older progress name) of a conversation log file; (None, None) before file ids."""
    try:
        info = dict(log.execute("SELECT key, value FROM log_info").fetchall())
    except sqlite3.OperationalError:  # no such table: written before files had an id
        return None, None
    return info.get(LOG_FILE_ID), info.get(LOG_LEGACY_SOURCE)


def _not_imported(connection: Connection, turns: list[dict]) -> list[dict]:
    """The turns whose key the review database does not have yet."""
    keys = [t["source_key"] for t in turns if t["source_key"]]
    if not keys:
        return turns
    c = schema.turns.c
    known = set(connection.execute(sa.select(c.source_key).where(c.source_key.in_(keys))).scalars())
    return [t for t in turns if t["source_key"] not in known]


def _last_id(connection: Connection, source: str) -> int | None:
    """The last row id imported from ``source``; None when nothing was."""
    s = schema.import_state.c
    return connection.execute(sa.select(s.last_id).where(s.source == source)).scalar()


def _set_last_id(connection: Connection, source: str, last_id: int) -> None:
    s = schema.import_state
    updated = connection.execute(s.update().where(s.c.source == source).values(last_id=last_id))
    if updated.rowcount == 0:
        connection.execute(s.insert().values(source=source, last_id=last_id))


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
