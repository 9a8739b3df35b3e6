"""New turns imported, and ended sessions purged, while the app runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from review import auth, ingest
from review.pages import CACHE, CONFIG, ENGINE, run

logger = logging.getLogger(__name__)


async def background_import(app: web.Application) -> AsyncIterator[None]:
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
            imported = await run(ingest.run, engine, config)
            if imported:
                app[CACHE].pop("distinct_at", None)
            await run(
                auth.purge_sessions,
                engine,
                config.session_minutes * 60,
                config.session_max_hours * 3600,
            )
        except Exception:
            logger.exception("Import of new turns failed; will try again")
        await asyncio.sleep(config.import_seconds)
