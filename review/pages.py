"""What the review app's areas share: the app's keys, pages rendered in the staff's language,
redirects, checked filters and forms, database work in a thread.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import time
from collections.abc import Callable
from urllib.parse import urlencode

import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from review import filters as filters_module
from review import i18n, store, throttle
from review.config import Config

SESSION_COOKIE = "review_session"
LOGIN_CSRF_COOKIE = "review_login_csrf"
LANG_COOKIE = "review_lang"
MESSAGES = {
    "saved",
    "invalid_tag",
    "bad_form",
    "forbidden",
    "last_admin",
    "select_some",
    "nothing_changed",
    "restored",
    "confirmed",
    "deleted",
    "delete_unconfirmed",
}

CONFIG = web.AppKey("config", Config)
ENGINE = web.AppKey("engine", Engine)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
THROTTLE = web.AppKey("throttle", throttle.LoginThrottle)
CACHE = web.AppKey("cache", dict)


async def run(function: Callable, *args, **kwargs):
    return await asyncio.get_running_loop().run_in_executor(
        None, functools.partial(function, *args, **kwargs)
    )


def redirect(location: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(location=location)


def safe_next(value: str | None) -> str:
    """A path on this site to go back to; anything else (//evil, /\\evil, tabs) goes home."""
    value = value or ""
    if _LOCAL_PATH.match(value) and len(value) < 2000:
        return value
    return "/conversations"


def page_html(request: web.Request, name: str, **context) -> str:
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


def render(request: web.Request, name: str, status: int = 200, **context) -> web.Response:
    html = page_html(request, name, **context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def refuse_filters(request: web.Request, problems: list[str]) -> web.HTTPBadRequest:
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
    html = page_html(request, "bad_filters.html", lines=lines, back=back)
    return web.HTTPBadRequest(text=html, content_type="text/html")


def checked_filters(request: web.Request) -> filters_module.Filters:
    """The request's checked filters: 400 if one is invalid."""
    filters = filters_module.from_query(request.query)
    if filters.problems:
        raise refuse_filters(request, filters.problems)
    return filters


def checked_filters_and_pages(request: web.Request):
    """The request's checked filters and ``after``/``before`` cursors: 400 if one is invalid."""
    filters = filters_module.from_query(request.query)
    after, before = filters_module.cursors(request.query, filters.problems)
    if filters.problems:
        raise refuse_filters(request, filters.problems)
    return filters, after, before


def require_admin(request: web.Request) -> None:
    if request["session"]["role"] != "admin":
        raise web.HTTPForbidden(text=request["t"]("forbidden"), content_type="text/plain")


async def form_fields(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


async def distinct_choices(request: web.Request) -> dict:
    cache = request.app[CACHE]
    if cache.get("distinct_at", 0) < time.time() - 30:
        cache["distinct"] = await run(store.distinct_values, request.app[ENGINE])
        cache["distinct_at"] = time.time()
    return cache["distinct"]


_LOCAL_PATH = re.compile(r"^/(?![/\\])[^\s\\\x00-\x1f\x7f]*$")
