"""The hand-off inbox: staff of the tourism office talk with tourists who asked for a person.

An area of the review app (its routes in ``routes``, added by ``install``):

- ``GET /handoff``: the conversations waiting for a person or held, with the
  tourist's language, channel, place, last messages and waiting time; the page
  follows ``GET /handoff/events`` (server-sent events) and changes as they do,
  with a browser notification when one starts waiting;
- ``GET /handoff/{user}``: one conversation, live (``/handoff/{user}/events``),
  with "take", a reply box, canned replies from the content in the tourist's
  language, and "hand back";
- ``POST /handoff/{user}/take | reply | back`` (CSRF token in the form or the
  ``X-CSRF-Token`` header, as everywhere in the app).

Staff see the pseudonym, never the messaging-app id (the channel processes
alone know it). Replies are written to the shared hand-off store
(``handoff/store.py``); the channel process of the tourist sends them through
their own channel, in order, once. What each platform allows is shown beside
the reply box and checked before a reply is accepted (``rules``): WhatsApp
within 24 hours of the tourist's last message, WeChat 5 customer-service
messages per tourist message within 48 hours, web chat when the page is open.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from curated.live import LiveContent
from handoff import store as handoff
from handoff.store import HandoffStore
from review import i18n, offices
from review.masking import mask

HOLDS = web.AppKey("handoff_holds", HandoffStore)
CONTENT = web.AppKey("handoff_content", LiveContent)
PAGES = web.AppKey("handoff_templates", jinja2.Environment)
STOPPING = web.AppKey("handoff_stopping", asyncio.Event)  # set when the app stops: streams end
EVENT_SECONDS = 1.0  # how often the live pages are brought up to date
WHATSAPP_WINDOW = 24 * 3600
WECHAT_WINDOW = 48 * 3600
WECHAT_PER_MESSAGE = 5
LAST_MESSAGES = 3
CANNED = 40  # canned replies offered per conversation
ALL = "all"  # the inbox of every office

routes = web.RouteTableDef()


def install(app: web.Application, tracker_url: str, content_dir: Path) -> None:
    """The inbox's routes, on the hand-off store in the tracker's database."""
    app[HOLDS] = HandoffStore(tracker_url)
    app[CONTENT] = LiveContent(content_dir)
    app[PAGES] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).with_name("templates"))),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        undefined=jinja2.StrictUndefined,
    )
    app[STOPPING] = asyncio.Event()
    app.router.add_routes(routes)

    async def end_streams(app: web.Application) -> None:
        # Before aiohttp waits for the handlers still running (a minute by
        # default): an open inbox page would otherwise hold up the stop.
        app[STOPPING].set()

    async def close(app: web.Application):
        yield
        app[HOLDS].close()

    app.on_shutdown.append(end_streams)  # type: ignore[arg-type]  # aiohttp 3.9 types Signal oddly
    app.cleanup_ctx.append(close)


# ---------------------------------------------------------------- what staff see


@dataclass(frozen=True)
class Rule:
    """What the tourist's platform allows now: may staff write, and what to show."""

    open: bool
    note: str  # a label key
    count: str = ""  # "3/5" on WeChat


def rule(channel: str, sent_since: int, last_tourist_at: float | None, now: float) -> Rule:
    if channel == "whatsapp":
        if last_tourist_at is None or now - last_tourist_at > WHATSAPP_WINDOW:
            return Rule(False, "handoff_rule_whatsapp_closed")
        return Rule(True, "handoff_rule_whatsapp_open")
    if channel == "wechat":
        count = f"{sent_since}/{WECHAT_PER_MESSAGE}"
        if last_tourist_at is None or now - last_tourist_at > WECHAT_WINDOW:
            return Rule(False, "handoff_rule_wechat_closed", count)
        if sent_since >= WECHAT_PER_MESSAGE:
            return Rule(False, "handoff_rule_wechat_quota", count)
        return Rule(True, "handoff_rule_wechat_open", count)
    if channel == "webchat":
        return Rule(True, "handoff_rule_webchat")
    return Rule(True, "handoff_rule_none")


def canned(content: Any, language: str, place: str) -> list[dict[str, str]]:
    """Curated texts in the tourist's language: the place's texts first, then the FAQ."""
    code = language[:2]
    found: list[dict[str, str]] = []
    places = content.places
    if place in places:
        for topic, entry in places[place].topics.items():
            if entry.text.get(code):
                found.append({"title": f"{place} · {topic}", "text": entry.text[code]})
    for entry in content.faq:
        if entry.answer.get(code):
            found.append({"title": f"FAQ · {entry.id}", "text": entry.answer[code]})
    return found[:CANNED]


def _summary(holds: HandoffStore, hold: handoff.Hold, now: float) -> dict[str, Any]:
    said = [m for m in holds.messages_of(hold.user) if m.sender != handoff.NOTICE]
    return {
        "user": hold.user,
        "state": hold.state,
        "language": hold.language,
        "channel": hold.channel,
        "place": hold.place,
        "taken_by": hold.taken_by or "",
        "waiting_seconds": round(now - hold.requested_at),
        "last": [{"sender": m.sender, "text": _shown(m)} for m in said[-LAST_MESSAGES:]],
    }


def _inbox(
    holds: HandoffStore, belongs: Callable[[handoff.Hold], bool], language: str = ""
) -> list[dict[str, Any]]:
    """Open hand-offs of the office shown (``belongs``), of one tourist language if asked."""
    now = time.time()
    return [
        _summary(holds, hold, now)
        for hold in holds.open_conversations()
        if belongs(hold) and (not language or hold.language[:2] == language)
    ]


def _office_shown(request: web.Request, known: dict[str, offices.Office]) -> str:
    """The office whose tourists the inbox shows: an editor's own, always; else the one
    asked (``?office=``, ``all`` for every office), else the account's own, else all."""
    session = request["session"]
    own = session.get("office") if session.get("office") in known else None
    if session["role"] == "editor":
        return own or ALL
    asked = request.query.get("office", "")
    if asked in known or asked == ALL:
        return asked
    return own or ALL


def _belongs(request: web.Request, office: str) -> Callable[[handoff.Hold], bool]:
    """Whether a hand-off is the office's: the office answering it, or the office of
    the place the tourist asked about (its places and every place within them)."""
    if office == ALL:
        return lambda hold: True
    known = offices.read(request.app[CONTENT].directory)
    content = request.app[CONTENT].get()

    def belongs(hold: handoff.Hold) -> bool:
        if hold.office == office:
            return True
        place = hold.place if hold.place in content.places else None
        return bool(place) and offices.owner(known, content, "", place) == office

    return belongs


def _language_asked(request: web.Request) -> str:
    language = request.query.get("language", "")
    return language if language in ("fr", "en", "zh") else ""


def _conversation(holds: HandoffStore, user: str, since: int) -> dict[str, Any]:
    hold = holds.active(user)
    messages = holds.messages_of(user, since)
    sent, last_at = holds.staff_since_tourist(user)
    now = time.time()
    shown = rule(hold.channel, sent, last_at, now) if hold else Rule(False, "handoff_ended")
    return {
        "state": hold.state if hold else handoff.ENDED,
        "taken_by": hold.taken_by if hold and hold.taken_by else "",
        "rule": {"open": shown.open, "note": shown.note, "count": shown.count},
        "messages": [
            {"id": m.id, "sender": m.sender, "author": m.author, "text": _shown(m),
             "status": m.status, "why": m.why}
            for m in messages
        ],
    }  # fmt: skip


def _shown(message: handoff.Message) -> str:
    """What staff read: the tourist's words masked as in every transcript (e-mails, phones)."""
    return mask(message.text) if message.sender == handoff.TOURIST else message.text


async def _run(function, *args):
    return await asyncio.get_running_loop().run_in_executor(
        None, functools.partial(function, *args)
    )


def _page(request: web.Request, name: str, **context: Any) -> web.Response:
    session = request["session"]
    html = (
        request.app[PAGES]
        .get_template(name)
        .render(
            t=request["t"],
            lang=request["lang"],
            ui_languages=i18n.LANGUAGE_NAMES,
            session=session,
            csrf=session["csrf"],
            path=request.path_qs,
            message="",
            **context,
        )
    )
    return web.Response(text=html, content_type="text/html", charset="utf-8")


def _labels(request: web.Request) -> dict[str, str]:
    t = request["t"]
    keys = [k for k in i18n.labels() if k.startswith("handoff_")]
    return {key: t(key) for key in keys}


# ---------------------------------------------------------------- routes


@routes.get("/handoff")
async def inbox(request: web.Request) -> web.Response:
    known = offices.read(request.app[CONTENT].directory)
    office, language = _office_shown(request, known), _language_asked(request)
    belongs = _belongs(request, office)
    conversations = await _run(_inbox, request.app[HOLDS], belongs, language)
    return _page(
        request,
        "handoff_inbox.html",
        conversations=conversations,
        labels=_labels(request),
        offices=known,
        office=office,
        language=language,
        editor=request["session"]["role"] == "editor",
    )


@routes.get("/handoff/events")
async def inbox_events(request: web.Request) -> web.StreamResponse:
    known = offices.read(request.app[CONTENT].directory)
    office, language = _office_shown(request, known), _language_asked(request)
    belongs = _belongs(request, office)
    return await _stream(request, lambda: _run(_inbox, request.app[HOLDS], belongs, language))


@routes.get(r"/handoff/{user:u[0-9a-f]{24}}")
async def conversation(request: web.Request) -> web.Response:
    user = request.match_info["user"]
    await _editors_of_its_office_only(request, user)
    holds = request.app[HOLDS]
    now_shown = await _run(_conversation, holds, user, 0)
    hold = await _run(holds.active, user)
    language = hold.language if hold else "en"
    replies = canned(request.app[CONTENT].get(), language, hold.place if hold else "")
    return _page(
        request,
        "handoff_conversation.html",
        user=user,
        hold=hold,
        shown=now_shown,
        canned=replies,
        labels=_labels(request),
    )


@routes.get(r"/handoff/{user:u[0-9a-f]{24}}/events")
async def conversation_events(request: web.Request) -> web.StreamResponse:
    user = request.match_info["user"]
    await _editors_of_its_office_only(request, user)
    return await _stream(request, lambda: _run(_conversation, request.app[HOLDS], user, 0))


@routes.post(r"/handoff/{user:u[0-9a-f]{24}}/take")
async def take(request: web.Request) -> web.Response:
    user = request.match_info["user"]
    await _editors_of_its_office_only(request, user)
    taken = await _run(request.app[HOLDS].take, user, request["session"]["name"])
    return _answer(request, user, {"taken": taken}, 200 if taken else 409)


@routes.post(r"/handoff/{user:u[0-9a-f]{24}}/reply")
async def reply(request: web.Request) -> web.Response:
    user = request.match_info["user"]
    await _editors_of_its_office_only(request, user)
    holds = request.app[HOLDS]
    text = str((await request.post()).get("text", "")).strip()[:2000]
    hold = await _run(holds.active, user)
    if not text or hold is None:
        return _answer(request, user, {"error": "nothing_to_send"}, 400)
    sent, last_at = await _run(holds.staff_since_tourist, user)
    allowed = rule(hold.channel, sent, last_at, time.time())
    if not allowed.open:
        return _answer(request, user, {"error": allowed.note}, 409)
    written = await _run(holds.reply, user, request["session"]["name"], text)
    if written is None:
        return _answer(request, user, {"error": "handoff_not_yours"}, 409)
    return _answer(request, user, {"id": written}, 200)


@routes.post(r"/handoff/{user:u[0-9a-f]{24}}/back")
async def hand_back(request: web.Request) -> web.Response:
    user = request.match_info["user"]
    await _editors_of_its_office_only(request, user)
    back = await _run(request.app[HOLDS].hand_back, user, request["session"]["name"])
    return _answer(request, user, {"handed_back": back}, 200 if back else 409)


async def _editors_of_its_office_only(request: web.Request, user: str) -> None:
    """An editor opens, takes and answers the open hand-offs of their own office only."""
    session = request["session"]
    if session["role"] != "editor":
        return
    hold = await _run(request.app[HOLDS].active, user)
    if hold is not None and not _belongs(request, session.get("office") or "")(hold):
        raise web.HTTPForbidden(text=request["t"]("forbidden"), content_type="text/plain")


def _answer(request: web.Request, user: str, value: dict, status: int) -> web.Response:
    """JSON for the page's script, a redirect back for a plain form."""
    if request.headers.get("Accept", "").startswith("application/json"):
        return web.json_response(value, status=status)
    raise web.HTTPSeeOther(location=f"/handoff/{user}")


async def _stream(request: web.Request, snapshot) -> web.StreamResponse:
    """Server-sent events: the snapshot each time it changes, until the page goes."""
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"}
    )
    await response.prepare(request)
    last = None
    stopping = request.app[STOPPING]
    try:
        # Until the app stops or the page goes (aiohttp does not cancel a
        # handler whose client left: its transport closes).
        while not stopping.is_set() and request.transport and not request.transport.is_closing():
            value = json.dumps(await snapshot(), ensure_ascii=False)
            if value != last:
                await response.write(f"data: {value}\n\n".encode())
                last = value
            try:
                await asyncio.wait_for(stopping.wait(), EVENT_SECONDS)
            except asyncio.TimeoutError:
                pass
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return response
