"""How fast the content editor is on the project's content (90 FAQ entries today).

``python -m benchmarks.content_editor`` copies content/ to a temporary folder,
serves the review app in-process on it, logs in as an admin and:

- requests each content page several times, printing the median and slowest;
- asks for the FAQ entry's preview (composed, and fitted to each channel) as many times;
- saves a French edit of one FAQ answer through the form several times, and
  times the save (the checks of ``make validate`` and the atomic write) and
  the save-to-live time: until the live reload the action servers answer from
  (``curated.live.LiveContent``, which looks every second) has the new text.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from curated import live
from language import LANGUAGES
from review import auth, content_saving, db
from review import config as config_module
from review.content_entries import Address, version

ROOT = Path(__file__).resolve().parent.parent
ENTRY = Address("faq", "chamonix_dogs_lifts_trails")
ENTRY_FILE = "faq_mont_blanc.yml"
PAGES = [
    ("content list, all offices", "/content?office=all"),
    ("content list, one office", "/content?office=chamonix"),
    ("FAQ entry form", ENTRY.url),
    ("place topic form (with facts)", "/content/topic/badaling/prices"),
    ("history, all offices", "/content/history?office=all"),
    ("translations to review", "/content/to-review?office=all"),
]


def form_of(value: dict[str, Any], entry_version: str, csrf: str) -> dict[str, str]:
    """The editor's form as the browser posts it."""
    form = {"csrf_token": csrf, "version": entry_version}
    for language in LANGUAGES:
        form[f"answer.{language}"] = value["answer"][language]
        form[f"questions.{language}"] = "\n".join(value["questions"][language])
    for index, fact in enumerate(value["facts"]):
        for language in LANGUAGES:
            form[f"facts.{index}.text.{language}"] = fact["text"][language]
        form[f"facts.{index}.source"] = fact["source"]
        form[f"facts.{index}.checked"] = fact["checked"]
    return form


async def measure(config, repeats: int, saves: int) -> None:
    from aiohttp import ClientSession, CookieJar
    from aiohttp.test_utils import TestServer

    from review import web

    engine = db.connect(config.database_url)
    auth.add_account(engine, "bench", "admin", "benchmark-password")
    app = web.make_app(config, engine, background_import=False)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
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
            async with client.get("/content") as response:  # the content read once
                page = await response.text()
            csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            print(f"{'page':40} {'median ms':>10} {'max ms':>10} status")
            for name, path in PAGES:
                times, status = [], 0
                for _ in range(repeats):
                    started = time.perf_counter()
                    async with client.get(path) as response:
                        await response.read()
                        status = response.status
                    times.append((time.perf_counter() - started) * 1000)
                print(f"{name:40} {statistics.median(times):10.0f} {max(times):10.0f} {status}")

            # The preview (nothing written): the answer composed in three languages and
            # fitted to each channel, the form shown again with it.
            value = content_saving.current(config.content_dir, ENTRY_FILE, ENTRY)
            assert value is not None
            form = {**form_of(value, version(value), csrf), "preview": "yes"}
            times, status = [], 0
            for _ in range(repeats):
                started = time.perf_counter()
                async with client.post(ENTRY.url, data=form) as response:
                    page = await response.text()
                    status = response.status
                times.append((time.perf_counter() - started) * 1000)
            assert 'data-channel="wechat"' in page, "the preview shows no channel"
            name = "preview, per language and channel"
            print(f"{name:40} {statistics.median(times):10.0f} {max(times):10.0f} {status}")

            reloaded = live.LiveContent(config.content_dir)
            reloaded.get()
            save_times, live_times = [], []
            for number in range(saves):
                value = content_saving.current(config.content_dir, ENTRY_FILE, ENTRY)
                assert value is not None
                marker = f"(mesure {number})"
                edited = {
                    **value,
                    "answer": {**value["answer"], "fr": f"{value['answer']['fr']} {marker}"},
                }
                started = time.perf_counter()
                async with client.post(
                    ENTRY.url, data=form_of(edited, version(value), csrf), allow_redirects=False
                ) as response:
                    assert response.status == 303, (response.status, await response.text())
                saved = time.perf_counter()
                while (
                    marker
                    not in next(e for e in reloaded.get().faq if e.id == ENTRY.id).answer["fr"]
                ):
                    await asyncio.sleep(0.05)
                save_times.append(saved - started)
                live_times.append(time.perf_counter() - started)
            print(
                f"save through the form (checks + write), {saves} saves: median "
                f"{statistics.median(save_times):.2f} s, max {max(save_times):.2f} s"
            )
            print(
                f"save to live (form posted -> live reload answers with it): median "
                f"{statistics.median(live_times):.2f} s, max {max(live_times):.2f} s"
            )
    finally:
        await server.close()
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.content_editor")
    parser.add_argument("--repeats", type=int, default=5, help="requests per page")
    parser.add_argument("--saves", type=int, default=5, help="edits saved")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        content_dir = Path(scratch) / "content"
        shutil.copytree(ROOT / "content", content_dir)
        from dataclasses import replace

        config = replace(
            config_module.from_environment(),
            var_dir=Path(scratch),
            database_url=f"sqlite:///{Path(scratch) / 'review.db'}",
            content_dir=content_dir,
        )
        faq = sum(1 for _ in live.LiveContent(content_dir).get().faq)
        print(f"content: {faq} FAQ entries, copied to {content_dir}")
        asyncio.run(measure(config, args.repeats, args.saves))
    return 0


if __name__ == "__main__":
    sys.exit(main())
