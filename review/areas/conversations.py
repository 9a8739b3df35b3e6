"""The conversation list, a transcript, and what staff mark on it: flag, reviewed, note, tags;
deleting one (admin).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from aiohttp import web

from review import filters as filters_module
from review import privacy, store, timeutil
from review.masking import mask
from review.pages import (
    CACHE,
    CONFIG,
    ENGINE,
    checked_filters,
    checked_filters_and_pages,
    distinct_choices,
    form_fields,
    redirect,
    render,
    require_admin,
    run,
)

routes = web.RouteTableDef()
MAX_NOTE = 2000


@routes.get("/conversations")
async def conversation_list(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    filters, after, before = checked_filters_and_pages(request)
    page = await run(
        store.list_page,
        request.app[ENGINE],
        filters,
        config.timezone,
        after,
        None if after else before,
    )
    return render(
        request,
        "list.html",
        filters=filters,
        page=page,
        choices=await distinct_choices(request),
        languages=filters_module.LANGUAGES,
        shown=lambda ts: timeutil.shown(ts, config.timezone),
    )


@routes.get("/conversations/{id:\\d{1,12}}")
async def transcript(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    found = await run(store.conversation, request.app[ENGINE], conversation_id_of(request))
    if found is None:
        raise web.HTTPNotFound(text=request["t"]("not_found"), content_type="text/plain")
    filters = checked_filters(request)
    newer, older = await run(store.neighbours, request.app[ENGINE], filters, config.timezone, found)
    return render(
        request,
        "transcript.html",
        c=found,
        filters=filters,
        newer=newer,
        older=older,
        low=config.low_confidence,
        shown=lambda ts: timeutil.shown(ts, config.timezone, seconds=True),
    )


@routes.post("/conversations/{id:\\d{1,12}}/flag")
async def flag(request: web.Request) -> web.Response:
    form = await form_fields(request)
    conversation_id = conversation_id_of(request)
    if not await run(
        store.set_flag, request.app[ENGINE], conversation_id, form.get("flagged") == "yes"
    ):
        raise web.HTTPNotFound(text="Not found")
    raise _back(conversation_id, form, "saved")


@routes.post("/conversations/{id:\\d{1,12}}/reviewed")
async def reviewed(request: web.Request) -> web.Response:
    form = await form_fields(request)
    conversation_id = conversation_id_of(request)
    if not await run(
        store.set_reviewed,
        request.app[ENGINE],
        conversation_id,
        form.get("reviewed") == "yes",
        request["session"]["name"],
    ):
        raise web.HTTPNotFound(text="Not found")
    raise _back(conversation_id, form, "saved")


@routes.post("/conversations/{id:\\d{1,12}}/note")
async def note(request: web.Request) -> web.Response:
    form = await form_fields(request)
    conversation_id = conversation_id_of(request)
    text = mask(form.get("note", "").strip()[:MAX_NOTE])
    if not await run(
        store.set_note, request.app[ENGINE], conversation_id, text, request["session"]["name"]
    ):
        raise web.HTTPNotFound(text="Not found")
    raise _back(conversation_id, form, "saved")


@routes.post("/conversations/{id:\\d{1,12}}/tags")
async def add_tag(request: web.Request) -> web.Response:
    form = await form_fields(request)
    conversation_id = conversation_id_of(request)
    tag = " ".join(form.get("tag", "").split())
    if not filters_module.TAG.match(tag):
        raise _back(conversation_id, form, "invalid_tag")
    if not await run(store.add_tag, request.app[ENGINE], conversation_id, tag):
        raise web.HTTPNotFound(text="Not found")
    request.app[CACHE].pop("distinct_at", None)
    raise _back(conversation_id, form, "saved")


@routes.post("/conversations/{id:\\d{1,12}}/tags/remove")
async def remove_tag(request: web.Request) -> web.Response:
    form = await form_fields(request)
    conversation_id = conversation_id_of(request)
    await run(store.remove_tag, request.app[ENGINE], conversation_id, form.get("tag", "")[:40])
    request.app[CACHE].pop("distinct_at", None)
    raise _back(conversation_id, form, "saved")


@routes.post("/conversations/{id:\\d{1,12}}/delete")
async def delete_conversation(request: web.Request) -> web.Response:
    require_admin(request)
    conversation_id = conversation_id_of(request)
    engine, config = request.app[ENGINE], request.app[CONFIG]

    def delete() -> int:
        with engine.begin() as connection:
            return store.delete_conversations(connection, store.C.id == conversation_id)

    deleted = await run(delete)
    if deleted:
        await run(
            privacy.audit,
            engine,
            config,
            request["session"]["name"],
            "delete_conversation",
            {"conversation_id": conversation_id},
        )
    raise redirect("/conversations?msg=saved")


def conversation_id_of(request: web.Request) -> int:
    return int(request.match_info["id"])


def _back(conversation_id: int, form: dict[str, str], message: str = "") -> web.HTTPSeeOther:
    """Back to the transcript, keeping the list's filters (re-validated)."""
    parsed = filters_module.from_query(dict(parse_qsl(form.get("filters", "")[:2000])))
    query = parsed.query(msg=message)
    return redirect(f"/conversations/{conversation_id}" + (f"?{query}" if query else ""))
