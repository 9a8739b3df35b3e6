"""For tests: the review app served on a free loopback port, on seeded data.

``ServedApp`` makes a temporary VAR_DIR, writes realistic fr/zh/en turns
where the bot and Rasa write them (review.demo_data), imports them, creates
an admin and a reviewer, and runs ``python -m review serve`` until ``stop``. Given a
``content_dir`` (a copy of content/), the app edits it, and editors of two offices are
created too (``EDITORS``).
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

from bot.services import free_port
from rasa_extensions.command import ROOT, environment
from review import auth, db, demo_data, ingest, offices
from review import config as config_module

ACCOUNTS = {"alice": ("admin", "alice-password-1"), "bob": ("reviewer", "bob-password-12")}
# name: (office, password)
EDITORS = {"chloe": ("chamonix", "chloe-password-1"), "yang": ("yanqing", "yang-password-12")}


class ServedApp:
    def __init__(
        self,
        var_dir: Path,
        conversations: int = 120,
        extra_env: dict[str, str] | None = None,
        content_dir: Path | None = None,
    ):
        self.var_dir = Path(var_dir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
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
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
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
        raise RuntimeError("review app did not start within 30 s")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self.engine is not None:
            self.engine.dispose()

    def __enter__(self) -> ServedApp:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
