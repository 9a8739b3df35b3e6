"""The review app's web server (aiohttp): pages, exports and a small JSON API.

Every route but /login, /static, /lang and /healthz needs a live session;
without one, pages redirect to the login and the API and exports answer 401.
Every POST needs the session's CSRF token (the login form: a double-submit
cookie) and a same-origin Origin header when the browser sends one. Database
work runs in a thread so one slow query does not hold other requests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import itertools
import json
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse

import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from review import (
    auth,
    charts,
    dashboard,
    exports,
    i18n,
    ingest,
    privacy,
    store,
    throttle,
    timeutil,
    training_export,
    unanswered,
    why,
)
from review import (
    filters as filters_module,
)
from review import (
    handoff as handoff_area,
)
from review.config import Config
from review.masking import mask

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "review_session"
LOGIN_CSRF_COOKIE = "review_login_csrf"
LANG_COOKIE = "review_lang"
PUBLIC = ("/login", "/static/", "/lang/", "/healthz")
MAX_NOTE = 2000
MAX_EXPORT_TEXTS = 500
MESSAGES = {"saved", "invalid_tag", "bad_form", "forbidden", "last_admin", "select_some"}

CONFIG = web.AppKey("config", Config)
ENGINE = web.AppKey("engine", Engine)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
THROTTLE = web.AppKey("throttle", throttle.LoginThrottle)
CACHE = web.AppKey("cache", dict)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "script-src 'self'; connect-src 'self'; "  # the hand-off inbox's live pages
    "frame-ancestors 'none'; base-uri 'none'"
)


async def _run(function: Callable, *args, **kwargs):
    return await asyncio.get_running_loop().run_in_executor(
        None, functools.partial(function, *args, **kwargs)
    )


def make_app(config: Config, engine: Engine, background_import: bool = True) -> web.Application:
    app = web.Application(
        middlewares=[_headers, _errors, _sessions, _csrf], client_max_size=1024**2
    )
    i18n.labels()  # a label missing a language stops the app here, naming it
    app[CONFIG] = config
    app[ENGINE] = engine
    app[THROTTLE] = throttle.LoginThrottle()
    app[CACHE] = {}
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        undefined=jinja2.StrictUndefined,
    )
    environment.globals["getattr_"] = getattr
    environment.globals["explain_why"] = why.explain
    environment.globals["first_day"] = timeutil.FIRST_DAY.isoformat()
    environment.globals["last_day"] = timeutil.LAST_DAY.isoformat()
    environment.filters["mask"] = mask
    environment.filters["pct"] = lambda v: "" if v is None else f"{v * 100:.0f}%"
    environment.filters["json"] = lambda v: json.dumps(v, ensure_ascii=False)
    app[TEMPLATES] = environment
    r = app.router
    r.add_get("/login", login_page)
    r.add_post("/login", login)
    r.add_post("/logout", logout)
    r.add_get("/", home)
    r.add_get("/healthz", healthz)
    r.add_get("/lang/{code}", set_language)
    r.add_get("/conversations", conversation_list)
    r.add_get(r"/conversations/{id:\d{1,12}}", transcript)
    r.add_post(r"/conversations/{id:\d{1,12}}/flag", flag)
    r.add_post(r"/conversations/{id:\d{1,12}}/reviewed", reviewed)
    r.add_post(r"/conversations/{id:\d{1,12}}/note", note)
    r.add_post(r"/conversations/{id:\d{1,12}}/tags", add_tag)
    r.add_post(r"/conversations/{id:\d{1,12}}/tags/remove", remove_tag)
    r.add_post(r"/conversations/{id:\d{1,12}}/delete", delete_conversation)
    r.add_get("/export.csv", export_csv)
    r.add_get("/export.jsonl", export_jsonl)
    r.add_get("/unanswered", unanswered_page)
    r.add_post("/unanswered/export", unanswered_export)
    r.add_get("/dashboard", dashboard_page)
    r.add_get("/admin/users", users_page)
    r.add_post("/admin/users", create_user)
    r.add_post(r"/admin/users/{id:\d{1,12}}/delete", delete_user)
    r.add_post(r"/admin/users/{id:\d{1,12}}/role", change_role)
    r.add_post("/admin/erase", erase_user)
    r.add_get("/api/conversations", api_conversations)
    r.add_get(r"/api/conversations/{id:\d{1,12}}", api_conversation)
    handoff_area.install(app, config.tracker_url, config.content_dir)  # review/handoff.py
    r.add_static("/static/", str(HERE / "static"), show_index=False, follow_symlinks=False)
    if background_import and config.import_seconds > 0:
        app.cleanup_ctx.append(_background_import)
    return app


# ---------------------------------------------------------------- middlewares


@web.middleware
async def _headers(request: web.Request, handler):
    try:
        response = await handler(request)
    except web.HTTPException as error:
        response = error
        _secure(response)
        raise
    _secure(response)
    return response


def _secure(response: web.StreamResponse) -> None:
    if response.prepared:
        return
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")


@web.middleware
async def _errors(request: web.Request, handler):
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("Error on %s %s", request.method, request.path)
        return web.Response(status=500, text="Internal error", content_type="text/plain")


@web.middleware
async def _sessions(request: web.Request, handler):
    config = request.app[CONFIG]
    request["lang"] = i18n.choose(
        request.cookies.get(LANG_COOKIE), request.headers.get("Accept-Language")
    )
    request["t"] = i18n.translator(request["lang"])
    token = request.cookies.get(SESSION_COOKIE, "")
    request["session"] = (
        await _run(
            auth.session,
            request.app[ENGINE],
            token,
            config.session_minutes * 60,
            config.session_max_hours * 3600,
        )
        if token
        else None
    )
    if request["session"] is None and not request.path.startswith(PUBLIC):
        if request.method == "GET" and not request.path.startswith(("/api/", "/export")):
            target = request.path_qs if len(request.path_qs) < 1000 else request.path
            response = _redirect(
                "/login?" + urlencode({"next": target, **({"expired": "1"} if token else {})})
            )
            if token:
                response.del_cookie(SESSION_COOKIE, path="/")
            raise response
        raise web.HTTPUnauthorized(text="Login required", content_type="text/plain")
    return await handler(request)


@web.middleware
async def _csrf(request: web.Request, handler):
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        origin = request.headers.get("Origin")
        if origin and origin != "null" and urlparse(origin).netloc != request.host:
            raise web.HTTPForbidden(text="Cross-origin request refused", content_type="text/plain")
        form = await request.post()
        given = str(form.get("csrf_token", "")) or request.headers.get("X-CSRF-Token", "")
        if request.path == "/login":
            expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        else:
            expected = request["session"]["csrf"] if request["session"] else ""
        if not auth.same_token(expected, given):
            raise web.HTTPForbidden(text=request["t"]("bad_form"), content_type="text/plain")
    return await handler(request)


# ---------------------------------------------------------------- helpers


def _redirect(location: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(location=location)


def _safe_next(value: str | None) -> str:
    """A path on this site to go back to; anything else (//evil, /\\evil, tabs) goes home."""
    value = value or ""
    if _LOCAL_PATH.match(value) and len(value) < 2000:
        return value
    return "/conversations"


_LOCAL_PATH = re.compile(r"^/(?![/\\])[^\s\\\x00-\x1f\x7f]*$")


def _html(request: web.Request, name: str, **context) -> str:
    session = request.get("session")
    message = request.query.get("msg", "")
    return (
        request.app[TEMPLATES]
        .get_template(name)
        .render(
            t=request["t"],
            lang=request["lang"],
            ui_languages=i18n.LANGUAGE_NAMES,
            session=session,
            csrf=session["csrf"] if session else "",
            path=request.path_qs,
            message=message if message in MESSAGES else "",
            **context,
        )
    )


def _render(request: web.Request, name: str, status: int = 200, **context) -> web.Response:
    html = _html(request, name, **context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def _refuse_filters(request: web.Request, problems: list[str]) -> web.HTTPBadRequest:
    """400 naming each invalid filter and what it takes, before anything is searched."""
    t = request["t"]
    lines = filters_module.explain(problems, t)
    if request.path.startswith("/api/"):
        body = {"error": " ".join([t("invalid_filters")] + lines), "invalid_filters": problems}
        return web.HTTPBadRequest(
            text=json.dumps(body, ensure_ascii=False), content_type="application/json"
        )
    if request.path.startswith("/export"):
        return web.HTTPBadRequest(
            text="\n".join([t("invalid_filters")] + lines) + "\n", content_type="text/plain"
        )
    kept = urlencode([(k, v) for k, v in request.query.items() if k not in problems + ["msg"]])
    back = request.path + (f"?{kept}" if kept and len(kept) < 2000 else "")
    html = _html(request, "bad_filters.html", lines=lines, back=back)
    return web.HTTPBadRequest(text=html, content_type="text/html")


def _filters(request: web.Request) -> filters_module.Filters:
    """The request's checked filters: 400 if one is invalid."""
    filters = filters_module.from_query(request.query)
    if filters.problems:
        raise _refuse_filters(request, filters.problems)
    return filters


def _filters_and_pages(request: web.Request):
    """The request's checked filters and ``after``/``before`` cursors: 400 if one is invalid."""
    filters = filters_module.from_query(request.query)
    after, before = filters_module.cursors(request.query, filters.problems)
    if filters.problems:
        raise _refuse_filters(request, filters.problems)
    return filters, after, before


def _require_admin(request: web.Request) -> None:
    if request["session"]["role"] != "admin":
        raise web.HTTPForbidden(text=request["t"]("forbidden"), content_type="text/plain")


def _conversation_id(request: web.Request) -> int:
    return int(request.match_info["id"])


async def _form(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


def _back(conversation_id: int, form: dict[str, str], message: str = "") -> web.HTTPSeeOther:
    """Back to the transcript, keeping the list's filters (re-validated)."""
    parsed = filters_module.from_query(dict(parse_qsl(form.get("filters", "")[:2000])))
    query = parsed.query(msg=message)
    return _redirect(f"/conversations/{conversation_id}" + (f"?{query}" if query else ""))


async def _distinct(request: web.Request) -> dict:
    cache = request.app[CACHE]
    if cache.get("distinct_at", 0) < time.time() - 30:
        cache["distinct"] = await _run(store.distinct_values, request.app[ENGINE])
        cache["distinct_at"] = time.time()
    return cache["distinct"]


# ---------------------------------------------------------------- login


async def home(request: web.Request) -> web.StreamResponse:
    return _redirect("/conversations")


async def healthz(request: web.Request) -> web.Response:
    """For a supervisor: the app answers."""
    return web.Response(text="ok")


async def login_page(request: web.Request) -> web.Response:
    if request["session"]:
        raise _redirect("/conversations")
    return await _login_form(request)


async def _login_form(
    request: web.Request, error: str = "", status: int = 200, wait: int = 0
) -> web.Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    no_accounts = not await _run(auth.accounts, request.app[ENGINE])
    notice = (
        "session_ended"
        if request.query.get("expired")
        else ("logged_out" if request.query.get("bye") else "")
    )
    response = _render(
        request,
        "login.html",
        status=status,
        login_csrf=token,
        error=error,
        wait=wait,
        notice=notice,
        no_accounts=no_accounts,
        next=_safe_next(request.query.get("next")),
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/login",
        secure=request.app[CONFIG].secure_cookies,
    )
    return response


async def login(request: web.Request) -> web.Response:
    form = await _form(request)
    name = form.get("name", "")[:64]
    config = request.app[CONFIG]
    address = throttle.client_key(
        request.remote, request.headers.get("X-Forwarded-For", ""), config.trust_forwarded_for
    )
    attempt = request.app[THROTTLE].begin(address, name)  # counted before the check
    if isinstance(attempt, throttle.Refusal):
        response = await _login_form(request, "too_many", status=429, wait=attempt.seconds)
        response.headers["Retry-After"] = str(attempt.seconds)
        return response
    account = await _run(auth.authenticate, request.app[ENGINE], name, form.get("password", ""))
    if account is None:
        return await _login_form(request, "wrong_login", status=401)
    request.app[THROTTLE].succeeded(attempt)
    token = await _run(auth.open_session, request.app[ENGINE], account["id"])
    response = _redirect(_safe_next(form.get("next")))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/",
        secure=config.secure_cookies,
    )
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/login")
    raise response


async def logout(request: web.Request) -> web.Response:
    await _run(auth.close_session, request.app[ENGINE], request.cookies.get(SESSION_COOKIE, ""))
    response = _redirect("/login?bye=1")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


async def set_language(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    response = _redirect(_safe_next(request.query.get("next")))
    if code in i18n.UI_LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, samesite="Lax", path="/", max_age=365 * 86400)
    raise response


# ---------------------------------------------------------------- conversations


async def conversation_list(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    filters, after, before = _filters_and_pages(request)
    page = await _run(
        store.list_page,
        request.app[ENGINE],
        filters,
        config.timezone,
        after,
        None if after else before,
    )
    return _render(
        request,
        "list.html",
        filters=filters,
        page=page,
        choices=await _distinct(request),
        languages=filters_module.LANGUAGES,
        shown=lambda ts: timeutil.shown(ts, config.timezone),
    )


async def transcript(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    found = await _run(store.conversation, request.app[ENGINE], _conversation_id(request))
    if found is None:
        raise web.HTTPNotFound(text=request["t"]("not_found"), content_type="text/plain")
    filters = _filters(request)
    newer, older = await _run(
        store.neighbours, request.app[ENGINE], filters, config.timezone, found
    )
    return _render(
        request,
        "transcript.html",
        c=found,
        filters=filters,
        newer=newer,
        older=older,
        low=config.low_confidence,
        shown=lambda ts: timeutil.shown(ts, config.timezone, seconds=True),
    )


async def flag(request: web.Request) -> web.Response:
    form = await _form(request)
    conversation_id = _conversation_id(request)
    if not await _run(
        store.set_flag, request.app[ENGINE], conversation_id, form.get("flagged") == "yes"
    ):
        raise web.HTTPNotFound(text="Not found")
    raise _back(conversation_id, form, "saved")


async def reviewed(request: web.Request) -> web.Response:
    form = await _form(request)
    conversation_id = _conversation_id(request)
    if not await _run(
        store.set_reviewed,
        request.app[ENGINE],
        conversation_id,
        form.get("reviewed") == "yes",
        request["session"]["name"],
    ):
        raise web.HTTPNotFound(text="Not found")
    raise _back(conversation_id, form, "saved")


async def note(request: web.Request) -> web.Response:
    form = await _form(request)
    conversation_id = _conversation_id(request)
    text = mask(form.get("note", "").strip()[:MAX_NOTE])
    if not await _run(
        store.set_note, request.app[ENGINE], conversation_id, text, request["session"]["name"]
    ):
        raise web.HTTPNotFound(text="Not found")
    raise _back(conversation_id, form, "saved")


async def add_tag(request: web.Request) -> web.Response:
    form = await _form(request)
    conversation_id = _conversation_id(request)
    tag = " ".join(form.get("tag", "").split())
    if not filters_module.TAG.match(tag):
        raise _back(conversation_id, form, "invalid_tag")
    if not await _run(store.add_tag, request.app[ENGINE], conversation_id, tag):
        raise web.HTTPNotFound(text="Not found")
    request.app[CACHE].pop("distinct_at", None)
    raise _back(conversation_id, form, "saved")


async def remove_tag(request: web.Request) -> web.Response:
    form = await _form(request)
    conversation_id = _conversation_id(request)
    await _run(store.remove_tag, request.app[ENGINE], conversation_id, form.get("tag", "")[:40])
    request.app[CACHE].pop("distinct_at", None)
    raise _back(conversation_id, form, "saved")


async def delete_conversation(request: web.Request) -> web.Response:
    _require_admin(request)
    conversation_id = _conversation_id(request)
    engine, config = request.app[ENGINE], request.app[CONFIG]

    def delete() -> int:
        with engine.begin() as connection:
            return store.delete_conversations(connection, store.C.id == conversation_id)

    deleted = await _run(delete)
    if deleted:
        await _run(
            privacy.audit,
            engine,
            config,
            request["session"]["name"],
            "delete_conversation",
            {"conversation_id": conversation_id},
        )
    raise _redirect("/conversations?msg=saved")


# ---------------------------------------------------------------- exports


async def _stream(
    request: web.Request, content_type: str, extension: str, lines
) -> web.StreamResponse:
    config = request.app[CONFIG]
    filters = _filters(request)  # refused before the download starts
    items = store.export_turns(request.app[ENGINE], filters, config.timezone)
    generator = lines(items)
    chunk = await _run(lambda: list(itertools.islice(generator, 500)))  # first query, too
    response = web.StreamResponse(
        headers={
            "Content-Type": f"{content_type}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="conversations-{dt.date.today():%Y%m%d}.{extension}"',
        }
    )
    _secure(response)
    await response.prepare(request)
    while chunk:
        await response.write("".join(chunk).encode("utf-8"))
        chunk = await _run(lambda: list(itertools.islice(generator, 500)))
    await response.write_eof()
    return response


async def export_csv(request: web.Request) -> web.StreamResponse:
    return await _stream(request, "text/csv", "csv", exports.csv_lines)


async def export_jsonl(request: web.Request) -> web.StreamResponse:
    return await _stream(request, "application/x-ndjson", "jsonl", exports.jsonl)


# ---------------------------------------------------------------- unanswered


async def unanswered_page(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    period = filters_module.period(request.query, timeutil.today(config.timezone))
    problems = period.problems
    default = request["lang"] if request["lang"] in filters_module.LANGUAGES else "fr"
    language = filters_module.language(request.query, default, problems)
    threshold = filters_module.threshold(request.query, config.low_confidence, problems)
    if problems:
        raise _refuse_filters(request, problems)
    date_from, date_to = period.date_from, period.date_to
    groups = await _run(
        unanswered.groups_for,
        request.app[ENGINE],
        language,
        threshold,
        date_from,
        date_to,
        config.timezone,
    )
    intents = sorted(set((await _distinct(request))["intents"]) - {"nlu_fallback"})
    return _render(
        request,
        "unanswered.html",
        groups=groups[:200],
        language=language,
        languages=filters_module.LANGUAGES,
        date_from=date_from,
        date_to=date_to,
        threshold=threshold,
        intents=intents,
        shown=lambda ts: timeutil.shown(ts, config.timezone),
    )


async def unanswered_export(request: web.Request) -> web.Response:
    form = await request.post()
    language = str(form.get("language", ""))
    intent = str(form.get("new_intent", "")).strip() or str(form.get("intent", "")).strip()
    texts = [mask(str(v)) for v in form.getall("text", []) if isinstance(v, str)][:MAX_EXPORT_TEXTS]
    kind = str(form.get("format", "nlu"))
    try:
        if kind == "faq":
            filename, body = training_export.faq_yaml(language, intent, texts)
        else:
            path, body = training_export.nlu_yaml(language, intent, texts)
            filename = path.replace("/", "-")
    except ValueError:
        query = urlencode(
            {
                "language": language if language in filters_module.LANGUAGES else "fr",
                "msg": "select_some",
            }
        )
        raise _redirect(f"/unanswered?{query}") from None
    return web.Response(
        text=body,
        content_type="application/x-yaml",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# ---------------------------------------------------------------- dashboard


async def dashboard_page(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    period = filters_module.period(request.query, timeutil.today(config.timezone))
    if period.problems:
        raise _refuse_filters(request, period.problems)
    date_from, date_to = period.date_from, period.date_to
    t = request["t"]
    figures = await _run(
        dashboard.figures,
        request.app[ENGINE],
        date_from,
        date_to,
        config.low_confidence,
        config.timezone,
    )
    svg = {
        "per_day": charts.lines(
            figures["days"],
            [
                (t("conversations"), "series-a", figures["conversations"]),
                (t("messages"), "series-b", figures["messages"]),
            ],
            t("per_day"),
        ),
        "fallback_rate": charts.lines(
            figures["days"],
            [(t("fallback_rate"), "series-c", figures["fallback_rate"])],
            t("fallback_rate"),
            percent=True,
        ),
        "languages": charts.bars(figures["languages"], t("per_language")),
        "channels": charts.bars(figures["channels"], t("per_channel")),
        "intents": charts.bars(figures["intents"], t("top_intents")),
        "unanswered": charts.bars(
            [(f"[{lang}] {g.text}", g.count) for lang, g in figures["unanswered"]],
            t("top_unanswered"),
            css="bar bar-warn",
        ),
    }
    return _render(
        request, "dashboard.html", figures=figures, svg=svg, date_from=date_from, date_to=date_to
    )


# ---------------------------------------------------------------- accounts (admin)


async def users_page(
    request: web.Request, error: str = "", erased: dict | None = None, status: int = 200
) -> web.Response:
    _require_admin(request)
    accounts = await _run(auth.accounts, request.app[ENGINE])
    config = request.app[CONFIG]
    return _render(
        request,
        "users.html",
        status=status,
        accounts=accounts,
        roles=auth.ROLES,
        error=error,
        erased=erased,
        shown=lambda ts: timeutil.shown(ts, config.timezone),
    )


async def create_user(request: web.Request) -> web.Response:
    _require_admin(request)
    form = await _form(request)
    engine, config = request.app[ENGINE], request.app[CONFIG]
    try:
        await _run(
            auth.add_account,
            engine,
            form.get("name", ""),
            form.get("role", ""),
            form.get("password", ""),
        )
    except auth.AccountError as error:
        return await users_page(request, error=str(error), status=400)
    await _run(
        privacy.audit,
        engine,
        config,
        request["session"]["name"],
        "add_account",
        {"name": form.get("name", ""), "role": form.get("role", "")},
    )
    raise _redirect("/admin/users?msg=saved")


async def delete_user(request: web.Request) -> web.Response:
    _require_admin(request)
    engine, config = request.app[ENGINE], request.app[CONFIG]
    account_id = int(request.match_info["id"])
    accounts = {a["id"]: a for a in await _run(auth.accounts, engine)}
    if account_id not in accounts:
        raise web.HTTPNotFound(text="Not found")
    if accounts[account_id]["role"] == "admin" and await _run(auth.admin_count, engine) <= 1:
        raise _redirect("/admin/users?msg=last_admin")
    await _run(auth.remove_account, engine, account_id)
    await _run(
        privacy.audit,
        engine,
        config,
        request["session"]["name"],
        "remove_account",
        {"name": accounts[account_id]["name"]},
    )
    raise _redirect("/admin/users?msg=saved")


async def change_role(request: web.Request) -> web.Response:
    _require_admin(request)
    form = await _form(request)
    engine, config = request.app[ENGINE], request.app[CONFIG]
    account_id = int(request.match_info["id"])
    role = form.get("role", "")
    if role not in auth.ROLES:
        return await users_page(request, error="role: reviewer or admin", status=400)
    accounts = {a["id"]: a for a in await _run(auth.accounts, engine)}
    if account_id not in accounts:
        raise web.HTTPNotFound(text="Not found")
    if (
        accounts[account_id]["role"] == "admin"
        and role != "admin"
        and await _run(auth.admin_count, engine) <= 1
    ):
        raise _redirect("/admin/users?msg=last_admin")
    await _run(auth.set_role, engine, account_id, role)
    await _run(
        privacy.audit,
        engine,
        config,
        request["session"]["name"],
        "set_role",
        {"name": accounts[account_id]["name"], "role": role},
    )
    raise _redirect("/admin/users?msg=saved")


async def erase_user(request: web.Request) -> web.Response:
    _require_admin(request)
    form = await _form(request)
    pseudonym = form.get("pseudonym", "").strip()
    if not re.match(r"^[\w.:-]{1,128}$", pseudonym) or form.get("confirm") != "yes":
        return await users_page(request, error="pseudonym", status=400)
    counts = await _run(
        privacy.erase,
        request.app[ENGINE],
        request.app[CONFIG],
        pseudonym,
        request["session"]["name"],
    )
    return await users_page(request, erased=counts)


# ---------------------------------------------------------------- JSON API


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


async def api_conversations(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    filters, after, _ = _filters_and_pages(request)
    page = await _run(store.list_page, request.app[ENGINE], filters, config.timezone, after)
    return web.json_response(
        {
            "conversations": [_row_json(r, config.timezone) for r in page.rows],
            "total": page.total,
            "total_capped": page.total_capped,
            "next": page.next_cursor,
        },
        dumps=lambda v: json.dumps(v, ensure_ascii=False),
    )


async def api_conversation(request: web.Request) -> web.Response:
    found = await _run(store.conversation, request.app[ENGINE], _conversation_id(request))
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


# ---------------------------------------------------------------- background import


async def _background_import(app: web.Application) -> AsyncIterator[None]:
    """New turns imported every ``import_seconds`` while the app runs."""
    task = asyncio.create_task(_import_loop(app))
    yield
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


async def _import_loop(app: web.Application) -> None:
    config, engine = app[CONFIG], app[ENGINE]
    while True:
        try:
            imported = await _run(ingest.run, engine, config)
            if imported:
                app[CACHE].pop("distinct_at", None)
            await _run(
                auth.purge_sessions,
                engine,
                config.session_minutes * 60,
                config.session_max_hours * 3600,
            )
        except Exception:
            logger.exception("Import of new turns failed; will try again")
        await asyncio.sleep(config.import_seconds)


def serve(config: Config, engine: Engine) -> None:
    print(f"Review app on http://{config.host}:{config.port} (Ctrl-C to stop)", flush=True)
    web.run_app(
        make_app(config, engine), host=config.host, port=config.port, print=None, access_log=None
    )
