"""What the assistant costs: memory of each process, time to first answer,
time for a content edit to reach tourists. Measured on `python -m bot run`
(what `make run` starts) serving Telegram through the offline Bot API."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rasa_extensions import command as rasa_command
from rasa_extensions.command import ROOT

if TYPE_CHECKING:
    from testkit.fake_bot_api import FakeBotApi


def _status(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) // 1024  # MB
    except OSError:
        pass
    return values


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def _tree(pid: int) -> dict[str, int]:
    """Process name -> pid for the bot process and everything it started."""
    tree = {"channel (python -m bot run)": pid}
    pending = [pid]
    while pending:
        for child in _children(pending.pop()):
            command = (
                Path(f"/proc/{child}/cmdline")
                .read_bytes()
                .replace(b"\0", b" ")
                .decode(errors="replace")
            )
            if "actions.server" in command:
                name = "actions (rasa_sdk)"
            elif "-m review" in command:
                name = "review app (python -m review serve)"
            elif " run " in f" {command} ":
                name = "rasa"
            else:
                name = command[:40]
            tree[name] = child
            pending.append(child)
    return tree


@dataclass
class Cost:
    first_answer_s: float  # from the run command to the first reply
    rss_after_warmup_mb: dict[str, int]  # resident memory by process, after the warm-up
    content_edit_s: float  # from saving a phrase to a tourist reading it
    rss_peak_mb: dict[str, int]  # peak resident memory by process


def measure(api: FakeBotApi, work: Path, warmup: int = 20) -> Cost:
    content = work / "content"
    shutil.copytree(ROOT / "content", content)
    env = rasa_command.environment()
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.base_url,
        VAR_DIR=str(work / "var"),
        CONTENT_DIR=str(content),
        RASA_URL="",
    )
    launched = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        api.push_message(5000, "bonjour", language_code="fr")
        api.wait_for_messages(5000, 1, timeout=300)
        first_answer = time.perf_counter() - launched
        for k in range(warmup):
            api.push_message(5001 + k, "comment aller a chamonix", language_code="fr")
        api.wait_for(lambda: all(api.sent(5001 + k) for k in range(warmup)), timeout=120)
        tree = _tree(process.pid)
        warm = {name: _status(pid).get("VmRSS", 0) for name, pid in tree.items()}
        content_edit = _content_edit(api, content)
        peak = {name: _status(pid).get("VmHWM", 0) for name, pid in tree.items()}
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    return Cost(first_answer, warm, content_edit, peak)


def _content_edit(api: FakeBotApi, content: Path) -> float:
    """Seconds from saving a changed phrase to a tourist reading it."""
    phrases = content / "phrases.yml"
    marker = "Bienvenue (édition en direct) !"
    text = phrases.read_text(encoding="utf-8").replace(
        'fr: "Bonjour ! Je suis', f'fr: "{marker} Je suis', 1
    )
    phrases.write_text(text, encoding="utf-8")
    saved = time.perf_counter()
    chat = 5900
    while time.perf_counter() - saved < 60:
        expected = len(api.sent(chat)) + 1
        api.push_message(chat, "bonjour", language_code="fr")
        api.wait_for_messages(chat, expected)
        if api.texts(chat)[-1].startswith("Bienvenue"):
            return time.perf_counter() - saved
        time.sleep(0.2)
    return float("nan")
