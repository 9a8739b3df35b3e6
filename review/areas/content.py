"""Content editing: the offices' entries with the coverage report's remarks, the edit form
(fr, zh and en side by side), saving through the checks of ``make validate``, the
translation status, the history of changes and restoring an earlier version.

Everyone logged in may browse; an editor saves the entries of their office, an
admin every entry (review/offices.py). Saving is review/content_saving.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING

from aiohttp import web

from curated import coverage
from curated.problems import label
from curated.schema import CURRENCIES, TIMEZONES
from language import LANGUAGES
from review import (
    content_checks,
    content_history,
    content_preview,
    content_saving,
    offices,
    privacy,
    timeutil,
)
from review.content_entries import (
    FIELDS,
    PHRASES_FILE,
    TEXTS,
    WITH_FACTS,
    Address,
    Plain,
    form_field,
    form_fields,
    from_form,
    located,
    texts_of,
    version,
)
from review.pages import CONFIG, ENGINE, redirect, render, run
from review.pages import form_fields as posted

if TYPE_CHECKING:  # curated's reader, only named in annotations here
    from curated.content import Content

routes = web.RouteTableDef()


ENDING_DAYS = 30


async def _content(request: web.Request) -> Content:
    content, _ = await run(content_checks.current, request.app[CONFIG].content_dir)
    return content


def _offices(request: web.Request) -> dict[str, offices.Office]:
    return offices.read(request.app[CONFIG].content_dir)


def _forbidden(request: web.Request) -> web.HTTPForbidden:
    return web.HTTPForbidden(text=request["t"]("not_your_office"), content_type="text/plain")


# ---------------------------------------------------------------- browsing


def _entry_key(field: str) -> str | None:
    """The entry a coverage remark is about: ``faq.x.questions.fr`` -> ``faq/x``."""
    parts = field.replace("[", ".").split(".")
    if len(parts) >= 2 and parts[0] == "faq":
        return f"faq/{parts[1]}"
    if len(parts) >= 2 and parts[0] == "phrases":
        return f"phrase/{parts[1]}"
    if len(parts) >= 4 and parts[0] == "places" and parts[2] == "topics":
        return f"topic/{parts[1]}/{parts[3]}"
    if len(parts) >= 2 and parts[0] in ("places", "offers", "events"):
        return f"{parts[0]}/{parts[1]}"
    return None


def remarks(content: Content, language: str, now: dt.datetime) -> dict[str, list[str]]:
    """What the coverage report says of each entry, by entry key, in ``language``."""
    sections = [
        ("missing_languages", coverage.missing_languages(content), {}),
        ("missing_topics", coverage.missing_topics(content), {}),
        (
            "offers_ending",
            coverage.offers_ending(content, now, ENDING_DAYS, language),
            {"days": ENDING_DAYS},
        ),
        ("offers_ended", coverage.offers_ended(content, now, language), {}),
        ("events_ended", coverage.events_ended(content, now, language), {}),
        ("events_undated", coverage.events_undated(content, now, language), {}),
        ("old_facts", coverage.old_facts(content, now.date(), language), {}),
        ("places_without_location", coverage.places_without_location(content), {}),
        (
            "few_ways_of_asking",
            coverage.few_ways_of_asking(content, language),
            {"minimum": coverage.MIN_WAYS_OF_ASKING},
        ),
    ]
    found: dict[str, list[str]] = {}
    for name, items, values in sections:
        heading = label(name, language, **values).rstrip(":： ")
        for item in items:
            key = _entry_key(item.field)
            if key:
                detail = f" ({item.detail})" if item.detail else ""
                found.setdefault(key, []).append(heading + detail)
    return found


def _office_of_session(request: web.Request, known: dict[str, offices.Office]) -> str:
    """The office shown: asked in ``?office=``, else the editor's own, else all."""
    asked = request.query.get("office", "")
    if asked in known or asked in ("all", "none"):
        return asked
    own = request["session"].get("office")
    return own if own in known else "all"


@routes.get("/content")
async def content_page(request: web.Request) -> web.Response:
    content = await _content(request)
    known = _offices(request)
    shown_office = _office_of_session(request, known)
    language = request["lang"]
    notes = remarks(content, language, dt.datetime.now(dt.timezone.utc))
    waiting = await run(content_history.to_review, request.app[ENGINE])
    waiting_by_entry: dict[str, int] = {}
    for row in waiting:
        waiting_by_entry[row["entry"]] = waiting_by_entry.get(row["entry"], 0) + 1

    def owner(file: str, place: str | None) -> str:
        return offices.owner(known, content, file, place) or "none"

    def wanted(office: str) -> bool:
        return shown_office == "all" or office == shown_office

    places = []
    for place in content.places.values():
        file = place.origin.file if place.origin else ""
        office = owner(file, place.id)
        if wanted(office):
            topics = [(topic, Address("topic", place.id, topic).key) for topic in place.topics]
            places.append((place, file, office, topics))
    faq = [
        (e, e.origin.file if e.origin else "", owner(e.origin.file if e.origin else "", e.place))
        for e in content.faq
    ]
    offers = [(o, owner(o.origin.file if o.origin else "", o.place)) for o in content.offers]
    phrases_office = owner(PHRASES_FILE, None)  # the assistant's sentences: every office's
    events = [(e, owner(e.origin.file if e.origin else "", e.place)) for e in content.events]
    return render(
        request,
        "content_list.html",
        offices=known,
        shown_office=shown_office,
        places=places,
        faq=[(e, f, o) for e, f, o in faq if wanted(o)],
        offers=[(o, w) for o, w in offers if wanted(w)],
        events=[(e, w) for e, w in events if wanted(w)],
        phrases=sorted(content.phrases.items()) if wanted(phrases_office) else [],
        phrases_office=phrases_office,
        remarks=notes,
        waiting=waiting_by_entry,
        may_edit=lambda office: offices.may_edit(
            request["session"], None if office == "none" else office
        ),
    )


@routes.get("/content/to-review")
async def to_review_page(request: web.Request) -> web.Response:
    known = _offices(request)
    shown_office = _office_of_session(request, known)
    rows = await run(
        content_history.to_review,
        request.app[ENGINE],
        None,
        None if shown_office in ("all", "none") else shown_office,
    )
    return render(
        request,
        "content_to_review.html",
        rows=rows,
        offices=known,
        shown_office=shown_office,
        address_of=Address.from_key,
    )


# ---------------------------------------------------------------- one entry


def _address(request: web.Request) -> Address:
    info = request.match_info
    if "topic" in info:
        return Address("topic", info["place"], info["topic"])
    return Address(info.get("kind", "faq"), info["id"])


async def _where(request: web.Request, address: Address) -> tuple[str, str | None]:
    """(file, office) of the entry; 404 when there is none."""
    content = await _content(request)
    found = located(content, address)
    if found is None:
        raise web.HTTPNotFound(text=request["t"]("not_found"), content_type="text/plain")
    file, place = found
    return file, offices.owner(_offices(request), content, file, place)


async def _edit_form(
    request: web.Request,
    address: Address,
    file: str,
    office: str | None,
    value: Plain,
    entry_version: str,
    status: int = 200,
    problems: list | None = None,
    notes: dict[str, list[str]] | None = None,
    conflict: Plain | None = None,
    confirm_dates: bool = False,
    preview: dict[str, content_preview.LanguagePreview] | None = None,
) -> web.Response:
    language = request["lang"]
    known_fields = set(form_fields(value, address.kind))
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems or []:
        name = form_field(problem.field, address)
        text = content_checks.message(problem, language)
        if name in known_fields:
            errors.setdefault(name, []).append(text)
        else:
            general.append(f"{problem.field}: {text}")
    waiting = await run(content_history.to_review, request.app[ENGINE], address.key)
    history = await run(content_history.changes, request.app[ENGINE], address.key, None, 20)
    zone = request.app[CONFIG].timezone
    return render(
        request,
        "content_edit.html",
        status=status,
        address=address,
        file=file,
        office=office,
        offices=_offices(request),
        may_edit=offices.may_edit(request["session"], office),
        value=value,
        entry_version=entry_version,
        errors=errors,
        general=general,
        notes=notes or {},
        conflict=conflict,
        conflict_texts=list(texts_of(conflict).items()) if conflict else [],
        preview=preview,
        utf8_bytes=lambda text: len(text.encode("utf-8")),
        confirm_dates=confirm_dates,
        waiting={(row["field"], row["language"]): row for row in waiting},
        history=history,
        languages=LANGUAGES,
        text_groups=TEXTS[address.kind],
        fields=FIELDS[address.kind],
        with_facts=address.kind in WITH_FACTS,
        currencies=CURRENCIES,
        timezones=TIMEZONES,
        shown=lambda ts: timeutil.shown(ts, zone),
    )


# ---------------------------------------------------------------- a new FAQ entry

NEW_FAQ = "/content/new-faq"


def _faq_files(content: Content, known: dict[str, offices.Office], session: dict) -> list[str]:
    """The files holding FAQ entries that this account may add to (its office's, or shared)."""
    files = sorted({e.origin.file for e in content.faq if e.origin})
    owned = {f for office in known.values() for f in office.files}
    if session["role"] == "admin":
        return files
    mine = known[session["office"]].files if session.get("office") in known else ()
    return [f for f in files if f in mine or f not in owned]


async def _new_form(
    request: web.Request,
    value: Plain,
    entry_id: str = "",
    file: str = "",
    place: str = "",
    status: int = 200,
    problems: list | None = None,
    notes: dict[str, list[str]] | None = None,
) -> web.Response:
    content = await _content(request)
    known = _offices(request)
    language = request["lang"]
    address = Address("faq", entry_id or "new")
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    fields = set(form_fields(value, "faq")) | {"id", "file", "place"}
    for problem in problems or []:
        name = form_field(problem.field, address)
        text = content_checks.message(problem, language)
        if name in fields:
            errors.setdefault(name, []).append(text)
        elif problem.field == f"faq.{entry_id}.id" or problem.field.endswith(".id"):
            errors.setdefault("id", []).append(text)
        else:
            general.append(f"{problem.field}: {text}")
    for name, texts in (notes or {}).items():
        if name in ("id", "file", "place"):
            errors.setdefault(name, []).extend(texts)
    return render(
        request,
        "content_edit.html",
        status=status,
        creating=True,
        address=address,
        entry_id=entry_id,
        file=file,
        place=place,
        files=_faq_files(content, known, request["session"]),
        places=sorted(content.places.values(), key=lambda p: p.id),
        office=None,
        offices=known,
        may_edit=True,
        value=value,
        entry_version="",
        errors=errors,
        general=general,
        notes={k: v for k, v in (notes or {}).items() if k not in ("id", "file", "place")},
        conflict=None,
        conflict_texts=[],
        confirm_dates=True,
        waiting={},
        history=[],
        languages=LANGUAGES,
        text_groups=TEXTS["faq"],
        fields=(),
        with_facts=True,
        currencies=CURRENCIES,
        timezones=TIMEZONES,
        shown=lambda ts: "",
    )


@routes.get(NEW_FAQ)
async def new_faq_page(request: web.Request) -> web.Response:
    """The form of a new FAQ entry, its ways of asking taken from ``?q=`` (the unanswered page)."""
    language = request.query.get("language", "")
    asked = [q.strip() for q in request.query.getall("q", []) if q.strip()][:40]
    value = from_form({}, "faq")
    if language in LANGUAGES:
        value["questions"][language] = asked
    files = _faq_files(await _content(request), _offices(request), request["session"])
    return await _new_form(request, value, file=files[0] if files else "")


@routes.post(NEW_FAQ)
async def create_faq(request: web.Request) -> web.Response:
    form = await posted(request)
    t = request["t"]
    value = from_form(form, "faq")
    entry_id = form.get("id", "").strip()
    file = form.get("file", "")
    place = form.get("place", "") or None
    content = await _content(request)
    known = _offices(request)

    async def again(status: int, notes: dict | None = None, problems: list | None = None):
        return await _new_form(
            request, value, entry_id, file, place or "", status, problems=problems, notes=notes
        )

    if not ID.match(entry_id):
        return await again(400, {"id": [t("bad_new_id")]})
    if any(e.id == entry_id for e in content.faq):
        return await again(400, {"id": [t("id_taken")]})
    if file not in _faq_files(content, known, request["session"]) or (
        place is not None and place not in content.places
    ):
        return await again(400, {"file": [t("not_your_office")]})
    office = offices.owner(known, content, file, place)
    if not offices.may_edit(request["session"], office):
        return await again(403, {"file": [t("not_your_office")]})
    config = request.app[CONFIG]
    outcome = await run(content_saving.create, config.content_dir, file, entry_id, place, value)
    if outcome.status != "saved":
        notes = {"id": [t("id_taken")]} if outcome.status == "conflict" else None
        return await again(400, notes, outcome.problems)
    address = Address("faq", entry_id)
    await _recorded(request, office, file, address, outcome)
    raise redirect(address.url + "?msg=saved")


ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


@routes.get("/content/{kind:faq|offer|event|phrase}/{id:[a-z0-9][a-z0-9_-]{0,99}}")
@routes.get("/content/topic/{place:[a-z0-9][a-z0-9_-]{0,99}}/{topic:[a-z_]{1,40}}")
async def edit_page(request: web.Request) -> web.Response:
    address = _address(request)
    file, office = await _where(request, address)
    value = await run(content_saving.current, request.app[CONFIG].content_dir, file, address)
    if value is None:
        raise web.HTTPNotFound(text=request["t"]("not_found"), content_type="text/plain")
    return await _edit_form(request, address, file, office, value, version(value))


def _dates_to_propose(before: Plain, after: Plain, today: str) -> dict[str, list[str]]:
    """Facts whose value changed but not their checked date: today's date is proposed."""
    proposed: dict[str, list[str]] = {}
    old_facts = before.get("facts", [])
    for index, fact in enumerate(after.get("facts", [])):
        old = old_facts[index] if index < len(old_facts) else None
        value_changed = (
            old is None or old["text"] != fact["text"] or old["source"] != fact["source"]
        )
        date_kept = old is not None and old["checked"] == fact["checked"]
        if value_changed and (date_kept or not fact["checked"]) and fact["checked"] != today:
            fact["checked"] = today
            proposed[f"facts.{index}.checked"] = []
    return proposed


@routes.post("/content/{kind:faq|offer|event|phrase}/{id:[a-z0-9][a-z0-9_-]{0,99}}")
@routes.post("/content/topic/{place:[a-z0-9][a-z0-9_-]{0,99}}/{topic:[a-z_]{1,40}}")
async def save_entry(request: web.Request) -> web.Response:
    address = _address(request)
    file, office = await _where(request, address)
    if not offices.may_edit(request["session"], office):
        raise _forbidden(request)
    form = await posted(request)
    config, t = request.app[CONFIG], request["t"]
    value = from_form(form, address.kind)
    expected = form.get("version", "")
    if form.get("preview") == "yes":
        shown = await run(content_saving.preview, config.content_dir, file, address, value)
        return await _edit_form(
            request,
            address,
            file,
            office,
            value,
            expected,
            preview=shown or {},
            confirm_dates=form.get("confirm_dates") == "yes",
        )
    if form.get("confirm_dates") != "yes":
        before = await run(content_saving.current, config.content_dir, file, address)
        if before is not None and version(before) == expected:
            today = timeutil.today(config.timezone).isoformat()
            proposed = _dates_to_propose(before, value, today)
            if proposed:
                notes = {name: [t("date_proposed")] for name in proposed}
                return await _edit_form(
                    request,
                    address,
                    file,
                    office,
                    value,
                    expected,
                    400,
                    notes=notes,
                    confirm_dates=True,
                )
    outcome = await run(content_saving.save, config.content_dir, file, address, expected, value)
    if outcome.status == "missing":
        raise web.HTTPNotFound(text=t("not_found"), content_type="text/plain")
    if outcome.status == "conflict":
        current = outcome.before or value
        return await _edit_form(
            request, address, file, office, value, version(current), 409, conflict=current
        )
    if outcome.status in ("refused", "by_hand"):
        notes = {} if outcome.status == "refused" else {"": [t("edit_by_hand")]}
        return await _edit_form(
            request,
            address,
            file,
            office,
            value,
            expected,
            400,
            outcome.problems,
            notes,
            confirm_dates=form.get("confirm_dates") == "yes",
        )
    if outcome.status == "unchanged":
        raise redirect(address.url + "?msg=nothing_changed")
    await _recorded(request, office, file, address, outcome)
    raise redirect(address.url + "?msg=saved")


async def _recorded(
    request: web.Request,
    office: str | None,
    file: str,
    address: Address,
    outcome: content_saving.Outcome,
    restored_from: int | None = None,
) -> int:
    engine, config = request.app[ENGINE], request.app[CONFIG]
    actor = request["session"]["name"]
    assert outcome.before is not None and outcome.after is not None
    change_id = await run(
        content_history.record,
        engine,
        actor,
        office,
        file,
        address.key,
        outcome.before,
        outcome.after,
        restored_from,
    )
    detail = {"entry": address.key, "file": file, "change": change_id}
    if restored_from:
        detail["restored_from"] = restored_from
    await run(
        privacy.audit,
        engine,
        config,
        actor,
        "restore_content" if restored_from else "edit_content",
        detail,
    )
    return change_id


@routes.post("/content/confirm")
async def confirm_translation(request: web.Request) -> web.Response:
    form = await posted(request)
    address = Address.from_key(form.get("entry", ""))
    if address is None:
        raise web.HTTPNotFound(text=request["t"]("not_found"), content_type="text/plain")
    _, office = await _where(request, address)
    if not offices.may_edit(request["session"], office):
        raise _forbidden(request)
    field, language = form.get("confirm", "|").partition("|")[::2]
    await run(content_history.confirm, request.app[ENGINE], address.key, field, language)
    raise redirect(address.url + "?msg=confirmed")


# ---------------------------------------------------------------- history


@routes.get("/content/history")
async def history_page(request: web.Request) -> web.Response:
    known = _offices(request)
    entry = request.query.get("entry") or None
    address = Address.from_key(entry) if entry else None
    shown_office = "all" if address else _office_of_session(request, known)
    rows = await run(
        content_history.changes,
        request.app[ENGINE],
        address.key if address else None,
        None if shown_office in ("all", "none") else shown_office,
    )
    zone = request.app[CONFIG].timezone
    return render(
        request,
        "content_history.html",
        rows=rows,
        address=address,
        offices=known,
        shown_office=shown_office,
        address_of=Address.from_key,
        may_edit=lambda office: offices.may_edit(request["session"], office),
        shown=lambda ts: timeutil.shown(ts, zone),
    )


@routes.post(r"/content/history/{id:\d{1,12}}/restore")
async def restore(request: web.Request) -> web.Response:
    """The entry as it was before this change, saved through the same checks."""
    change = await run(content_history.change, request.app[ENGINE], int(request.match_info["id"]))
    address = Address.from_key(change["entry"]) if change else None
    if change is None or address is None:
        raise web.HTTPNotFound(text=request["t"]("not_found"), content_type="text/plain")
    if change["after"] == "{}" and address.kind == "faq":
        return await _restore_deleted(request, change, address)
    file, office = await _where(request, address)
    if not offices.may_edit(request["session"], office):
        raise _forbidden(request)
    content_dir = request.app[CONFIG].content_dir
    now = await run(content_saving.current, content_dir, file, address)
    if now is None:
        raise web.HTTPNotFound(text=request["t"]("not_found"), content_type="text/plain")
    earlier = json.loads(change["before"])
    if not earlier:  # the entry was created by this change: nothing before it to restore
        raise web.HTTPBadRequest(text=request["t"]("restore_refused"), content_type="text/plain")
    outcome = await run(content_saving.save, content_dir, file, address, version(now), earlier)
    if outcome.status == "unchanged":
        raise redirect(address.url + "?msg=nothing_changed")
    if outcome.status != "saved":
        return await _edit_form(
            request,
            address,
            file,
            office,
            earlier,
            version(now),
            400,
            outcome.problems,
            {"": [request["t"]("restore_refused")]},
        )
    await _recorded(request, office, file, address, outcome, restored_from=change["id"])
    raise redirect(address.url + "?msg=restored")


async def _restore_deleted(request: web.Request, change: dict, address: Address) -> web.Response:
    """A deleted FAQ entry written again at the end of its file, through the same checks."""
    office, file = change["office"], change["file"]
    if not offices.may_edit(request["session"], office):
        raise _forbidden(request)
    earlier = json.loads(change["before"])
    place = earlier.pop("place", "") or None
    content_dir = request.app[CONFIG].content_dir
    outcome = await run(content_saving.create, content_dir, file, address.id, place, earlier)
    if outcome.status != "saved":  # written again since, or refused by the checks
        text = "\n".join(
            [request["t"]("restore_refused")]
            + [content_checks.message(p, request["lang"]) for p in outcome.problems]
        )
        raise web.HTTPConflict(text=text, content_type="text/plain")
    await _recorded(request, office, file, address, outcome, restored_from=change["id"])
    raise redirect(address.url + "?msg=restored")


@routes.post("/content/faq/{id:[a-z0-9][a-z0-9_-]{0,99}}/delete")
async def delete_entry(request: web.Request) -> web.Response:
    """The FAQ entry taken out of its file (confirmed in the form), recorded in the history,
    from where "Restore the version before" writes it again."""
    address = Address("faq", request.match_info["id"])
    file, office = await _where(request, address)
    if not offices.may_edit(request["session"], office):
        raise _forbidden(request)
    form = await posted(request)
    config = request.app[CONFIG]
    expected = form.get("version", "")
    if form.get("confirmed") != "yes":
        raise redirect(address.url + "?msg=delete_unconfirmed")
    outcome = await run(content_saving.delete, config.content_dir, file, address, expected)
    if outcome.status == "missing":
        raise web.HTTPNotFound(text=request["t"]("not_found"), content_type="text/plain")
    if outcome.status != "saved":
        value = await run(content_saving.current, config.content_dir, file, address)
        value = value or outcome.before or {}
        notes = {"": [request["t"]("not_deleted")]}
        if outcome.status == "by_hand":
            notes[""].append(request["t"]("edit_by_hand"))
        status = 409 if outcome.status == "conflict" else 400
        return await _edit_form(
            request, address, file, office, value, version(value), status, outcome.problems, notes
        )
    await _recorded(request, office, file, address, outcome)
    raise redirect(f"/content/history?entry={address.key}&msg=deleted")
