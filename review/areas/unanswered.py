"""What the assistant could not answer, grouped, and its export as training data or FAQ drafts."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from review import filters as filters_module
from review import timeutil, training_export, unanswered
from review.masking import mask
from review.pages import CONFIG, ENGINE, distinct_choices, redirect, refuse_filters, render, run

routes = web.RouteTableDef()
MAX_EXPORT_TEXTS = 500


@routes.get("/unanswered")
async def unanswered_page(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    period = filters_module.period(request.query, timeutil.today(config.timezone))
    problems = period.problems
    default = request["lang"] if request["lang"] in filters_module.LANGUAGES else "fr"
    language = filters_module.language(request.query, default, problems)
    threshold = filters_module.threshold(request.query, config.low_confidence, problems)
    if problems:
        raise refuse_filters(request, problems)
    date_from, date_to = period.date_from, period.date_to
    groups = await run(
        unanswered.groups_for,
        request.app[ENGINE],
        language,
        threshold,
        date_from,
        date_to,
        config.timezone,
    )
    intents = sorted(set((await distinct_choices(request))["intents"]) - {"nlu_fallback"})
    return render(
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
        create_link=lambda group: (
            "/content/new-faq?"
            + urlencode(
                [("language", language)]
                + [("q", mask(text)) for text, _ in group.variants.most_common(8)]
            )
        ),
    )


@routes.post("/unanswered/export")
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
        raise redirect(f"/unanswered?{query}") from None
    return web.Response(
        text=body,
        content_type="application/x-yaml",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
