"""Staff accounts and erasing a tourist's data (admin only)."""

from __future__ import annotations

import re

from aiohttp import web

from review import auth, offices, privacy, timeutil
from review.pages import CONFIG, ENGINE, form_fields, redirect, render, require_admin, run

routes = web.RouteTableDef()


async def _users(
    request: web.Request, error: str = "", erased: dict | None = None, status: int = 200
) -> web.Response:
    require_admin(request)
    accounts = await run(auth.accounts, request.app[ENGINE])
    config = request.app[CONFIG]
    return render(
        request,
        "users.html",
        status=status,
        accounts=accounts,
        roles=auth.ROLES,
        offices=offices.read(config.content_dir),
        error=error,
        erased=erased,
        shown=lambda ts: timeutil.shown(ts, config.timezone),
    )


@routes.get("/admin/users")
async def users_page(request: web.Request) -> web.Response:
    return await _users(request)


@routes.post("/admin/users")
async def create_user(request: web.Request) -> web.Response:
    require_admin(request)
    form = await form_fields(request)
    engine, config = request.app[ENGINE], request.app[CONFIG]
    try:
        await run(
            auth.add_account,
            engine,
            form.get("name", ""),
            form.get("role", ""),
            form.get("password", ""),
            form.get("office") or None,
            tuple(offices.read(config.content_dir)),
        )
    except auth.AccountError as error:
        return await _users(request, error=str(error), status=400)
    await run(
        privacy.audit,
        engine,
        config,
        request["session"]["name"],
        "add_account",
        {"name": form.get("name", ""), "role": form.get("role", "")}
        | ({"office": form["office"]} if form.get("office") else {}),
    )
    raise redirect("/admin/users?msg=saved")


@routes.post("/admin/users/{id:\\d{1,12}}/delete")
async def delete_user(request: web.Request) -> web.Response:
    require_admin(request)
    engine, config = request.app[ENGINE], request.app[CONFIG]
    account_id = int(request.match_info["id"])
    accounts = {a["id"]: a for a in await run(auth.accounts, engine)}
    if account_id not in accounts:
        raise web.HTTPNotFound(text="Not found")
    if accounts[account_id]["role"] == "admin" and await run(auth.admin_count, engine) <= 1:
        raise redirect("/admin/users?msg=last_admin")
    await run(auth.remove_account, engine, account_id)
    await run(
        privacy.audit,
        engine,
        config,
        request["session"]["name"],
        "remove_account",
        {"name": accounts[account_id]["name"]},
    )
    raise redirect("/admin/users?msg=saved")


@routes.post("/admin/users/{id:\\d{1,12}}/role")
async def change_role(request: web.Request) -> web.Response:
    require_admin(request)
    form = await form_fields(request)
    engine, config = request.app[ENGINE], request.app[CONFIG]
    account_id = int(request.match_info["id"])
    role = form.get("role", "")
    office = (form.get("office") or None) if role in ("editor", "reviewer") else None
    try:
        auth.check_role(role, office, tuple(offices.read(config.content_dir)))
    except auth.AccountError as error:
        return await _users(request, error=str(error), status=400)
    accounts = {a["id"]: a for a in await run(auth.accounts, engine)}
    if account_id not in accounts:
        raise web.HTTPNotFound(text="Not found")
    if (
        accounts[account_id]["role"] == "admin"
        and role != "admin"
        and await run(auth.admin_count, engine) <= 1
    ):
        raise redirect("/admin/users?msg=last_admin")
    await run(
        auth.set_role, engine, account_id, role, office, tuple(offices.read(config.content_dir))
    )
    await run(
        privacy.audit,
        engine,
        config,
        request["session"]["name"],
        "set_role",
        {"name": accounts[account_id]["name"], "role": role}
        | ({"office": office} if office else {}),
    )
    raise redirect("/admin/users?msg=saved")


@routes.post("/admin/erase")
async def erase_user(request: web.Request) -> web.Response:
    require_admin(request)
    form = await form_fields(request)
    pseudonym = form.get("pseudonym", "").strip()
    if not re.match(r"^[\w.:-]{1,128}$", pseudonym) or form.get("confirm") != "yes":
        return await _users(request, error="pseudonym", status=400)
    counts = await run(
        privacy.erase,
        request.app[ENGINE],
        request.app[CONFIG],
        pseudonym,
        request["session"]["name"],
    )
    return await _users(request, erased=counts)
