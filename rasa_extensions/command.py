"""The one way the project runs Rasa's command line: train, run, test, validate.

``python -m rasa_extensions.command ARGS`` is ``rasa ARGS`` with the
project's speed-ups applied first (``speedups.py``, and the tracker store's
errors let through, ``tracker_store.py``), in the same process,
so the Rasa server that loads the project's components runs with them. The
Makefile, the Dockerfile, ``bot.services``, ``evaluation`` and ``benchmarks``
all go through here; the helpers below build the argument lists they share.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What every Rasa process of the project is given: no telemetry, quiet
# TensorFlow and SQLAlchemy, one math thread, and the project's packages on the path.
QUIET = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    # One thread for the sentence encoder's matrix products: several threads
    # per Rasa process fought the other processes for 2 cores (replies/s at 50
    # chats straight to Rasa: 45.5 with the default, 56.3 with one).
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
TRAIN = ("train", "--config", "config.yml", "--domain", "domain.yml", "--data", "nlu", "dialogue")
VALIDATE = (
    "data",
    "validate",
    "--domain",
    "domain.yml",
    "--data",
    "nlu",
    "dialogue",
    "--fail-on-warnings",
)


class RasaCommandError(RuntimeError):
    """A Rasa command failed; the message ends with the end of its output."""


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    for name, value in QUIET.items():
        env.setdefault(name, value)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


def argv(*args: str) -> list[str]:
    """The command line of ``rasa ARGS`` through this wrapper."""
    return [sys.executable, "-m", "rasa_extensions.command", *args]


def train_args(out: Path) -> list[str]:
    """``rasa train`` of the whole assistant into ``out`` (always writes a new model)."""
    return [*TRAIN, "--out", str(out)]


def train_if_changed_argv(out: Path) -> list[str]:
    """The command line that trains into ``out`` only when the latest model is
    out of date (``train_if_changed.py``)."""
    return [sys.executable, "-m", "rasa_extensions.train_if_changed", "--out", str(out)]


def run_args(model: Path, port: int, endpoints: Path, interface: str = "127.0.0.1") -> list[str]:
    """``rasa run``: the REST channel of credentials.yml, the endpoints written by ``endpoints.py``."""
    return [
        "run", "--model", str(model), "--endpoints", str(endpoints),
        "--credentials", "credentials.yml", "--interface", interface, "--port", str(port),
    ]  # fmt: skip


def run(
    args: Sequence[str],
    cwd: Path = ROOT,
    extra_env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess:
    """Runs ``rasa ARGS`` to the end and returns what it printed."""
    return subprocess.run(
        argv(*args),
        cwd=cwd,
        env=environment(extra_env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass(frozen=True)
class Trained:
    model: Path
    seconds: float
    output: str  # what Rasa printed while training


def train_nlu(config: Path, nlu: Path, out: Path, name: str, cwd: Path = ROOT) -> Trained:
    """``rasa train nlu`` into ``out/<name>.tar.gz``, with its own empty cache in ``out``."""
    started = time.perf_counter()
    result = run(
        ["train", "nlu", "--config", str(config), "--nlu", str(nlu), "--out", str(out),
         "--fixed-model-name", name],
        cwd=cwd, extra_env={"RASA_CACHE_DIRECTORY": str(out / f"cache-{name}")},
    )  # fmt: skip
    if result.returncode != 0:
        raise RasaCommandError(
            f"rasa train nlu ({config}) failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    return Trained(
        out / f"{name}.tar.gz", time.perf_counter() - started, result.stdout + result.stderr
    )


def latest_model(models_dir: Path) -> Path | None:
    models = sorted(Path(models_dir).glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def main() -> None:
    from rasa_extensions import speedups

    speedups.import_skops_first()
    from rasa.__main__ import main as rasa_main

    from rasa_extensions import tracker_store

    speedups.apply()
    tracker_store.errors_reach_the_channel()
    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
