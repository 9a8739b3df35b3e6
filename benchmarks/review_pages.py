"""How fast the review app's pages are with 100,000 conversations.

``python -m benchmarks.review_pages`` generates that many realistic conversations
(fr/zh/en, about 3 turns each, over a year) into a temporary SQLite database,
serves the app in-process, logs in, and requests each page several times over
HTTP, printing the median and the slowest time of each. ``--url`` runs it on
another (empty) database, e.g. PostgreSQL; ``--conversations`` changes the
size. The list pages must stay under 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from review import auth, db, demo_data, schema
from review import config as config_module

BUDGET_MS = 300.0
PAGES = [
    ("list, first page", "/conversations"),
    ("list, language=zh", "/conversations?language=zh"),
    ("list, channel=telegram", "/conversations?channel=telegram"),
    ("list, intent=ask_prices", "/conversations?intent=ask_prices"),
    ("list, confidence below 0.3", "/conversations?below=0.3"),
    ("list, fallback=yes", "/conversations?fallback=yes"),
    ("list, hand-off=yes", "/conversations?handoff=yes"),
    ("list, flagged=yes (1%)", "/conversations?flagged=yes"),
    ("list, reviewed=no", "/conversations?reviewed=no"),
    ("list, tag=to-fix (1%)", "/conversations?tag=to-fix"),
    ("list, one month", "/conversations?date_from={month_start}&date_to={month_end}"),
    ("list, search 长城 (Chinese)", "/conversations?q=%E9%95%BF%E5%9F%8E"),
    ("list, search 'parking'", "/conversations?q=parking"),
    ("list, search with no match (full scan)", "/conversations?q=zzzz-no-such-text"),
    (
        "list, all filters combined",
        "/conversations?language=fr&channel=telegram&fallback=yes&reviewed=no"
        "&below=0.5&date_from={month_start}&date_to={month_end}",
    ),
    ("list, page 50 (keyset)", "{page50}"),
    ("transcript", "/conversations/{some_id}"),
    ("unanswered questions (zh, 30 days)", "/unanswered?language=zh"),
    ("dashboard (30 days)", "/dashboard"),
    ("API list", "/api/conversations?language=en"),
]


def populate(url: str, count: int) -> tuple[float, str]:
    engine = db.connect(url)
    end = time.time()
    started = time.perf_counter()
    demo_data.bulk_load(
        engine, demo_data.conversations(count, end - 365 * 86400, end, seed=11), "Europe/Paris"
    )
    rng = random.Random(3)
    with engine.begin() as connection:
        ids = [r[0] for r in connection.execute(sa.select(schema.conversations.c.id))]
        marked = rng.sample(ids, max(1, len(ids) // 100))
        connection.execute(
            schema.conversations.update()
            .where(schema.conversations.c.id.in_(marked))
            .values(flagged=True)
        )
        connection.execute(
            schema.tags.insert(), [{"conversation_id": i, "tag": "to-fix"} for i in marked]
        )
        reviewed = rng.sample(ids, len(ids) // 5)
        for start in range(0, len(reviewed), 5000):
            connection.execute(
                schema.conversations.update()
                .where(schema.conversations.c.id.in_(reviewed[start : start + 5000]))
                .values(reviewed=True, reviewed_by="bench")
            )
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    auth.add_account(engine, "bench", "admin", "benchmark-password")
    engine.dispose()
    return time.perf_counter() - started, str(ids[len(ids) // 2])


async def measure(config, repeats: int, some_id: str) -> list[tuple[str, float, float, int]]:
    from aiohttp import ClientSession, CookieJar
    from aiohttp.test_utils import TestServer

    from review import web

    engine = db.connect(config.database_url)
    server = TestServer(web.make_app(config, engine, background_import=False), host="127.0.0.1")
    await server.start_server()
    results = []
    month_end = time.strftime("%Y-%m-%d", time.localtime(time.time() - 30 * 86400))
    month_start = time.strftime("%Y-%m-%d", time.localtime(time.time() - 60 * 86400))
    try:
        async with ClientSession(
            base_url=str(server.make_url("/")), cookie_jar=CookieJar(unsafe=True)
        ) as client:
            async with client.get("/login") as response:
                token = response.cookies["review_login_csrf"].value
            async with client.post(
                "/login",
                data={"name": "bench", "password": "benchmark-password", "csrf_token": token},
                allow_redirects=False,
            ) as response:
                assert response.status == 303, response.status
            page50 = "/conversations"
            for _ in range(49):
                async with client.get(page50) as response:
                    found = re.search(
                        r'href="(/conversations\?[^"]*)" id="older"', await response.text()
                    )
                if not found:
                    break
                page50 = html.unescape(found.group(1))
            for name, path in PAGES:
                path = path.format(
                    month_start=month_start, month_end=month_end, some_id=some_id, page50=page50
                )
                times = []
                status = 0
                for _ in range(repeats):
                    started = time.perf_counter()
                    async with client.get(path) as response:
                        await response.read()
                        status = response.status
                    times.append((time.perf_counter() - started) * 1000)
                results.append((name, statistics.median(times), max(times), status))
    finally:
        await server.close()
        engine.dispose()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.review_pages", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--url", help="an empty database to fill (default: a temporary SQLite file)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="review-bench-") as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'review.db'}"
        base = config_module.from_environment()
        from dataclasses import replace

        config = replace(
            base,
            var_dir=Path(folder),
            database_url=url,
            tracker_url=f"sqlite:///{folder}/none.db",
            timezone="Europe/Paris",
            import_seconds=0,
        )
        print(
            f"Generating {args.conversations:,} conversations into {url.split('///')[0]}...",
            flush=True,
        )
        seconds, some_id = populate(url, args.conversations)
        engine = db.connect(url)
        with engine.connect() as connection:
            turns = connection.execute(
                sa.select(sa.func.count()).select_from(schema.turns)
            ).scalar()
        engine.dispose()
        print(f"{args.conversations:,} conversations, {turns:,} turns written in {seconds:.0f} s\n")
        results = asyncio.run(measure(config, args.repeats, some_id))
    width = max(len(name) for name, *_ in results)
    print(f"{'page'.ljust(width)}  median ms  max ms  status")
    slow = 0
    for name, median, worst, status in results:
        flag = "" if median < BUDGET_MS or not name.startswith("list") else "  > 300 ms"
        slow += bool(flag)
        print(f"{name.ljust(width)}  {median:9.1f}  {worst:6.1f}  {status}{flag}")
    print(f"\nMachine: {_machine()}; {args.repeats} requests per page over HTTP on 127.0.0.1.")
    return 1 if slow else 0


def _machine() -> str:
    import os
    import platform

    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLAlchemy {sa.__version__}"
    )


if __name__ == "__main__":
    sys.exit(main())
