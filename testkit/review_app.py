"""For tests: the review app served on a free loopback port, on seeded data.

``ServedApp`` makes a temporary VAR_DIR, writes realistic fr/zh/en turns
where the bot and Rasa write them (review.demo_data), imports them, creates
an admin and a reviewer, and runs ``python -m review serve`` until ``stop``.
With ``throttle_clock`` (a function the test moves on) the app runs in this
process instead, its login throttle on that clock, so a test of the waits it
imposes needs no sleeping and does not depend on how busy the machine is.
Given a ``content_dir`` (a copy of content/), the app edits it, and editors of
two offices are created too (``EDITORS``).
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot.services import ReservedPort
from rasa_extensions.command import ROOT, environment
from review import auth, db, demo_data, ingest, offices
from review import config as config_module
from testkit.loop_thread import LoopThread

START_SECONDS = 120  # the app imports a lot: on a busy machine that takes a while
ACCOUNTS = {"alice": ("admin", "alice-password-1"), "bob": ("reviewer", "bob-password-12")}
# name: (office, password)
EDITORS = {"chloe": ("chamonix", "chloe-password-1"), "yang": ("yanqing", "yang-password-12")}


class ServedApp:
    def __init__(
        self,
        var_dir: Path,
        conversations: int = 120,
        extra_env: dict[str, str] | None = None,
        throttle_clock: Callable[[], float] | None = None,
        content_dir: Path | None = None,
    ):
        self.var_dir = Path(var_dir)
        self.throttle_clock = throttle_clock
        self._reserved: ReservedPort | None = None
        self._loop: LoopThread | None = None
        self.port = 0
        self.url = ""
        self.conversations = conversations
        self.extra_env = extra_env or {}
        self.config = replace(
            config_module.from_environment(),
            var_dir=self.var_dir,
            database_url=f"sqlite:///{self.var_dir / 'review.db'}",
            tracker_url=f"sqlite:///{self.var_dir / 'tracker.db'}",
            timezone="Europe/Paris",
        )
        if content_dir:
            self.config = replace(self.config, content_dir=Path(content_dir))
        self.content_dir = content_dir
        self.engine = None
        self._process: subprocess.Popen | None = None

    def start(self) -> ServedApp:
        demo_data.seed(self.var_dir, self.conversations)
        self.engine = db.connect(self.config.database_url)
        ingest.run(self.engine, self.config)
        for name, (role, password) in ACCOUNTS.items():
            auth.add_account(self.engine, name, role, password)
        if self.content_dir:
            known = tuple(offices.read(self.content_dir))
            for name, (office, password) in EDITORS.items():
                auth.add_account(self.engine, name, "editor", password, office, known)
        if self.throttle_clock is not None:
            return self._start_here(self.throttle_clock)
        self._reserved = ReservedPort()  # until stop: no other server of the run is given it
        self.port = self._reserved.port
        self.url = f"http://127.0.0.1:{self.port}"
        env = environment(
            {
                "VAR_DIR": str(self.var_dir),
                "REVIEW_PORT": str(self.port),
                "REVIEW_HOST": "127.0.0.1",
                "REVIEW_DATABASE_URL": self.config.database_url,
                "TRACKER_STORE_URL": self.config.tracker_url,
                "REVIEW_TIMEZONE": "Europe/Paris",
                "REVIEW_IMPORT_SECONDS": "1",
                **({"CONTENT_DIR": str(self.content_dir)} if self.content_dir else {}),
            }
        )
        env.update(self.extra_env)
        # The app writes to its own copy of the file: this process's can close at once.
        with open(self.var_dir / "serve.log", "w") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "review", "serve"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self.stop()
                raise RuntimeError(
                    "review app stopped: " + (self.var_dir / "serve.log").read_text()
                )
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"review app did not start within {START_SECONDS} s")

    def _start_here(self, clock: Callable[[], float]) -> ServedApp:
        from review import pages, throttle, web

        app = web.make_app(self.config, self.engine, background_import=False)
        app[pages.THROTTLE] = throttle.LoginThrottle(clock=clock)
        self._loop = LoopThread()
        self._loop.start()
        self.port = self._loop.serve(app)
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.stop()
            self._loop = None
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._reserved is not None:
            self._reserved.release()
        if self.engine is not None:
            self.engine.dispose()

    def __enter__(self) -> ServedApp:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
