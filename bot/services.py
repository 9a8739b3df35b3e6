"""Starts and stops the processes behind the assistant.

Rasa (understanding and dialogue, REST channel on 127.0.0.1) and the action
server (answers from content/) run as child processes, each logging to its own
file under var/log/. ``Services`` is a context manager: whatever happens,
leaving it stops both.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

from settings import ROOT, Settings
from rasa_extensions import command as rasa_command

STARTUP_TIMEOUT_SECONDS = 180


class ServiceError(RuntimeError):
    """A service did not start; the message says which and where its log is."""


def train(settings: Settings, quiet: bool = True) -> Path:
    """``rasa train`` when the latest model is out of date; otherwise returns it untouched."""
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    command = rasa_command.train_if_changed_argv(settings.models_dir)
    log = settings.log_dir / "train.log"
    with open(log, "a", encoding="utf-8") as output:
        result = subprocess.run(
            command, cwd=ROOT, env=rasa_command.environment(),
            stdout=output if quiet else None, stderr=subprocess.STDOUT if quiet else None,
        )
    model = rasa_command.latest_model(settings.models_dir)
    if result.returncode != 0 or model is None:
        raise ServiceError(f"Training failed; see {log}")
    return model


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Services:
    """Rasa and the action server, started together and stopped together."""

    def __init__(
        self,
        settings: Settings,
        model: Path,
        rasa_port: Optional[int] = None,
        actions_port: Optional[int] = None,
    ) -> None:
        self.settings = settings
        self.model = model
        self.rasa_port = rasa_port or free_port()
        self.actions_port = actions_port or free_port()
        self._processes: List[subprocess.Popen] = []

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def start(self) -> "Services":
        self.settings.log_dir.mkdir(parents=True, exist_ok=True)
        env = rasa_command.environment()
        env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{self.actions_port}/webhook"
        env["TRACKER_DB"] = str(self.settings.var_dir / "tracker.db")
        env["CONTENT_DIR"] = str(self.settings.content_dir)
        env["SANIC_HOST"] = "127.0.0.1"
        self._spawn(
            "actions",
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
            env,
        )
        self._spawn(
            "rasa",
            rasa_command.argv(*rasa_command.run_args(self.model, self.rasa_port)),
            env,
        )
        self._wait_until_up("actions", f"http://127.0.0.1:{self.actions_port}/health")
        self._wait_until_up("rasa", f"{self.rasa_url}/")
        return self

    def _spawn(self, name: str, command: List[str], env: Dict[str, str]) -> None:
        log = open(self.settings.log_dir / f"{name}.log", "a", encoding="utf-8")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        process.name = name  # type: ignore[attr-defined]
        self._processes.append(process)

    def _wait_until_up(self, name: str, url: str) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        process = next(p for p in self._processes if p.name == name)  # type: ignore[attr-defined]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.stop()
                raise ServiceError(
                    f"The {name} server stopped while starting; see {self.settings.log_dir / (name + '.log')}"
                )
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise ServiceError(f"The {name} server did not start within {STARTUP_TIMEOUT_SECONDS} s")

    def stop(self) -> None:
        for process in reversed(self._processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in self._processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self._processes.clear()

    def __enter__(self) -> "Services":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def start_review_app(settings: Settings) -> Optional[subprocess.Popen]:
    """The staff review app beside the assistant (``make run``), logging to var/log/review.log.

    Returns None, with a warning, when its port is taken: the assistant still runs.
    """
    port = settings.review.port
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            print(f"Port {port} is in use: the review app is not started (set REVIEW_PORT).", file=sys.stderr)
            return None
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    log = open(settings.log_dir / "review.log", "a", encoding="utf-8")
    env = rasa_command.environment({"VAR_DIR": str(settings.var_dir)})
    process = subprocess.Popen(
        [sys.executable, "-m", "review", "serve"], cwd=ROOT, env=env, stdout=log,
        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    print(f"Review app for staff: http://127.0.0.1:{port} (accounts: python -m review users add NAME)", file=sys.stderr)
    return process


def stop_process(process: Optional[subprocess.Popen]) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        process.kill()
