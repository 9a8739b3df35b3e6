"""The review app's web server (aiohttp), assembled in one place: ``make_app``.

Each area of the app is a module of review/areas/ with its own route table
(aiohttp's ``RouteTableDef``); what they share is in review/pages.py. Every
request goes through the middlewares of review/middlewares.py: every route but
/login, /static, /lang and /healthz needs a live session; without one, pages
redirect to the login and the API and exports answer 401. Every POST needs the
session's CSRF token (the login form: a double-submit cookie) and a
same-origin Origin header when the browser sends one. Database work runs in a
thread so one slow query does not hold other requests.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from review import handoff as handoff_area
from review import i18n, throttle, timeutil, why
from review.areas import (
    accounts,
    api,
    content,
    conversations,
    dashboard,
    exports,
    sessions,
    unanswered,
)
from review.background_import import background_import as importing
from review.config import Config
from review.masking import mask
from review.middlewares import MIDDLEWARES
from review.pages import CACHE, CONFIG, ENGINE, TEMPLATES, THROTTLE

HERE = Path(__file__).resolve().parent

# Each area's routes; a new area (content editing, the hand-off inbox) is one more line here.
AREAS = (sessions, conversations, exports, unanswered, dashboard, accounts, api, content)


def make_app(config: Config, engine: Engine, background_import: bool = True) -> web.Application:
    app = web.Application(middlewares=MIDDLEWARES, client_max_size=1024**2)
    i18n.labels()  # a label missing a language stops the app here, naming it
    app[CONFIG] = config
    app[ENGINE] = engine
    app[THROTTLE] = throttle.LoginThrottle()
    app[CACHE] = {}
    app[TEMPLATES] = _templates()
    for area in AREAS:
        app.add_routes(area.routes)
    # The hand-off inbox (review/handoff.py): its routes and the store of holds.
    handoff_area.install(app, config.tracker_url, config.content_dir)
    app.router.add_static("/static/", str(HERE / "static"), show_index=False, follow_symlinks=False)
    if background_import and config.import_seconds > 0:
        app.cleanup_ctx.append(importing)
    return app


def _templates() -> jinja2.Environment:
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
    return environment


def serve(config: Config, engine: Engine) -> None:
    print(f"Review app on http://{config.host}:{config.port} (Ctrl-C to stop)", flush=True)
    web.run_app(
        make_app(config, engine), host=config.host, port=config.port, print=None, access_log=None
    )
