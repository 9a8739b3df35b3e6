"""CSV and JSONL lines of the filtered conversations, one line per turn.

Text is masked again on the way out, and CSV cells that a spreadsheet would
run as a formula (starting with = + - @) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from review import timeutil
from review.masking import mask

COLUMNS = [
    "conversation_id",
    "time_utc",
    "user",
    "channel",
    "language",
    "text_in",
    "replies",
    "intent",
    "confidence",
    "entities",
    "actions",
    "latency_ms",
    "outcome",
    "fallback",
    "handoff",
    "flagged",
    "reviewed",
    "tags",
    "note",
]


def record(item: dict) -> dict:
    conversation, turn = item["conversation"], item["turn"]
    return {
        "conversation_id": conversation["id"],
        "time_utc": timeutil.iso(turn["time"]),
        "user": turn["user"],
        "channel": turn["channel"],
        "language": turn["language"],
        "text_in": mask(turn["text_in"]),
        "replies": [mask(r) for r in turn["replies"]],
        "intent": turn["intent"],
        "confidence": None if turn["confidence"] is None else round(turn["confidence"], 4),
        "entities": turn["entities"],
        "actions": turn["actions"],
        "latency_ms": None if turn["latency_ms"] is None else round(turn["latency_ms"], 1),
        "outcome": turn["outcome"],
        "fallback": bool(turn["fallback"]),
        "handoff": bool(turn["handoff"]),
        "flagged": bool(conversation["flagged"]),
        "reviewed": bool(conversation["reviewed"]),
        "tags": item["tags"],
        "note": mask(conversation["note"] or ""),
    }


def jsonl(items: Iterable[dict]) -> Iterator[str]:
    for item in items:
        yield json.dumps(record(item), ensure_ascii=False) + "\n"


def csv_lines(items: Iterable[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield "\ufeff" + buffer.getvalue()  # BOM: spreadsheets then read UTF-8 (Chinese) right
    for item in items:
        buffer.seek(0)
        buffer.truncate()
        row = record(item)
        writer.writerow([_cell(row[c]) for c in COLUMNS])
        yield buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = " | ".join(
            v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in value
        )
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text
