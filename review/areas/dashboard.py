"""The dashboard: figures of a period and their charts."""

from __future__ import annotations

from aiohttp import web

from review import charts, dashboard, timeutil
from review import filters as filters_module
from review.pages import CONFIG, ENGINE, refuse_filters, render, run

routes = web.RouteTableDef()


@routes.get("/dashboard")
async def dashboard_page(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    period = filters_module.period(request.query, timeutil.today(config.timezone))
    if period.problems:
        raise refuse_filters(request, period.problems)
    date_from, date_to = period.date_from, period.date_to
    t = request["t"]
    figures = await run(
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
    return render(
        request, "dashboard.html", figures=figures, svg=svg, date_from=date_from, date_to=date_to
    )
