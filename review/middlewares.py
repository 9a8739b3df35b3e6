"""What every request goes through, in this order (``MIDDLEWARES``): security headers, errors
logged and answered 500, the session, the CSRF check of every POST.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlencode, urlparse

from aiohttp import web

from review import auth, i18n
from review.pages import (
    CONFIG,
    ENGINE,
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    redirect,
    run,
)

logger = logging.getLogger(__name__)

PUBLIC = ("/login", "/static/", "/lang/", "/healthz")
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "script-src 'self'; connect-src 'self'; "  # the hand-off inbox's live pages
    "frame-ancestors 'none'; base-uri 'none'"
)


@web.middleware
async def _headers(request: web.Request, handler):
    try:
        response = await handler(request)
    except web.HTTPException as error:
        response = error
        secure(response)
        raise
    secure(response)
    return response


def secure(response: web.StreamResponse) -> None:
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
        await run(
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
            response = redirect(
                "/login?" + urlencode({"next": target, **({"expired": "1"} if token else {})})
            )
            if token:
                response.del_cookie(SESSION_COOKIE, path="/")
            raise response
        raise web.HTTPUnauthorized(text="Login required", content_type="text/plain")
    if request["session"] and request["session"]["role"] == "editor":
        _editors_only_where_they_work(request)
    return await handler(request)


# An office's editor changes content, reads the unanswered questions and answers its
# office's tourists in the hand-off inbox (review/handoff.py), not other conversations.
EDITOR_PATHS = (
    "/content", "/unanswered", "/handoff", "/logout", "/lang/", "/static/", "/healthz", "/login",
)  # fmt: skip


def _editors_only_where_they_work(request: web.Request) -> None:
    if request.path.startswith(EDITOR_PATHS):
        return
    if request.method == "GET" and not request.path.startswith(("/api/", "/export")):
        raise redirect("/content")
    raise web.HTTPForbidden(text=request["t"]("forbidden"), content_type="text/plain")


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


# Outermost first: headers are set on every answer, errors included; the session is
# known before the CSRF check compares the form's token with it.
MIDDLEWARES = [_headers, _errors, _sessions, _csrf]
