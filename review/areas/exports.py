"""The filtered turns downloaded as CSV or JSON lines, streamed."""

from __future__ import annotations

import datetime as dt
import itertools

from aiohttp import web

from review import exports, store
from review.middlewares import secure
from review.pages import CONFIG, ENGINE, checked_filters, run

routes = web.RouteTableDef()


async def _stream(
    request: web.Request, content_type: str, extension: str, lines
) -> web.StreamResponse:
    config = request.app[CONFIG]
    filters = checked_filters(request)  # refused before the download starts
    items = store.export_turns(request.app[ENGINE], filters, config.timezone)
    generator = lines(items)
    chunk = await run(lambda: list(itertools.islice(generator, 500)))  # first query, too
    response = web.StreamResponse(
        headers={
            "Content-Type": f"{content_type}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="conversations-{dt.date.today():%Y%m%d}.{extension}"',
        }
    )
    secure(response)
    await response.prepare(request)
    while chunk:
        await response.write("".join(chunk).encode("utf-8"))
        chunk = await run(lambda: list(itertools.islice(generator, 500)))
    await response.write_eof()
    return response


@routes.get("/export.csv")
async def export_csv(request: web.Request) -> web.StreamResponse:
    return await _stream(request, "text/csv", "csv", exports.csv_lines)


@routes.get("/export.jsonl")
async def export_jsonl(request: web.Request) -> web.StreamResponse:
    return await _stream(request, "application/x-ndjson", "jsonl", exports.jsonl)
