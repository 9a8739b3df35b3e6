"""The JSON API: conversations and one conversation's turns."""

from __future__ import annotations

import json

from aiohttp import web

from review import store, timeutil
from review.areas.conversations import conversation_id_of
from review.masking import mask
from review.pages import CONFIG, ENGINE, checked_filters_and_pages, run

routes = web.RouteTableDef()


def _row_json(row: dict, zone_name: str) -> dict:
    return {
        "id": row["id"],
        "started_at": timeutil.iso(row["started_at"]),
        "user": row["user"],
        "channel": row["channel"],
        "languages": row["languages"].split(","),
        "turns": row["turn_count"],
        "min_confidence": row["min_confidence"],
        "fallbacks": row["fallback_count"],
        "handoffs": row["handoff_count"],
        "flagged": bool(row["flagged"]),
        "reviewed": bool(row["reviewed"]),
        "tags": row.get("tags", []),
        "first_message": mask(row.get("preview", "")),
    }


@routes.get("/api/conversations")
async def api_conversations(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    filters, after, _ = checked_filters_and_pages(request)
    page = await run(store.list_page, request.app[ENGINE], filters, config.timezone, after)
    return web.json_response(
        {
            "conversations": [_row_json(r, config.timezone) for r in page.rows],
            "total": page.total,
            "total_capped": page.total_capped,
            "next": page.next_cursor,
        },
        dumps=lambda v: json.dumps(v, ensure_ascii=False),
    )


@routes.get("/api/conversations/{id:\\d{1,12}}")
async def api_conversation(request: web.Request) -> web.Response:
    found = await run(store.conversation, request.app[ENGINE], conversation_id_of(request))
    if found is None:
        raise web.HTTPNotFound(text="Not found")
    turns = found.pop("turns")
    body = _row_json(found, request.app[CONFIG].timezone)
    body["note"] = mask(found["note"] or "")
    body["turns"] = [
        {
            "time": timeutil.iso(t["time"]),
            "language": t["language"],
            "text": mask(t["text_in"]),
            "replies": [mask(r) for r in t["replies"]],
            "intent": t["intent"],
            "confidence": t["confidence"],
            "entities": t["entities"],
            "actions": t["actions"],
            "latency_ms": t["latency_ms"],
            "outcome": t["outcome"],
            "fallback": bool(t["fallback"]),
            "handoff": bool(t["handoff"]),
            "why": t["why"],  # as the actions wrote it (review/why.py explains it)
            "refused": bool(t["refused"]),
        }
        for t in turns
    ]
    return web.json_response(body, dumps=lambda v: json.dumps(v, ensure_ascii=False))
