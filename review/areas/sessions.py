"""Logging in and out, the interface language, and the health check: the pages without a session."""

from __future__ import annotations

import secrets

from aiohttp import web

from review import auth, i18n, throttle
from review.pages import (
    CONFIG,
    ENGINE,
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    THROTTLE,
    form_fields,
    redirect,
    render,
    run,
    safe_next,
)

routes = web.RouteTableDef()


@routes.get("/")
async def home(request: web.Request) -> web.StreamResponse:
    return redirect("/conversations")


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """For a supervisor: the app answers."""
    return web.Response(text="ok")


@routes.get("/login")
async def login_page(request: web.Request) -> web.Response:
    if request["session"]:
        raise redirect("/conversations")
    return await _login_form(request)


async def _login_form(
    request: web.Request, error: str = "", status: int = 200, wait: int = 0
) -> web.Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    no_accounts = not await run(auth.accounts, request.app[ENGINE])
    notice = (
        "session_ended"
        if request.query.get("expired")
        else ("logged_out" if request.query.get("bye") else "")
    )
    response = render(
        request,
        "login.html",
        status=status,
        login_csrf=token,
        error=error,
        wait=wait,
        notice=notice,
        no_accounts=no_accounts,
        next=safe_next(request.query.get("next")),
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


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    form = await form_fields(request)
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
    account = await run(auth.authenticate, request.app[ENGINE], name, form.get("password", ""))
    if account is None:
        return await _login_form(request, "wrong_login", status=401)
    request.app[THROTTLE].succeeded(attempt)
    token = await run(auth.open_session, request.app[ENGINE], account["id"])
    response = redirect(safe_next(form.get("next")))
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


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    await run(auth.close_session, request.app[ENGINE], request.cookies.get(SESSION_COOKIE, ""))
    response = redirect("/login?bye=1")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


@routes.get("/lang/{code}")
async def set_language(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    response = redirect(safe_next(request.query.get("next")))
    if code in i18n.UI_LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, samesite="Lax", path="/", max_age=365 * 86400)
    raise response
