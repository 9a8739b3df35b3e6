"""Every sentence a channel or an action sends comes from content/phrases.yml,
is declared in the schema, and never turns into silence."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from bot.core.assistant import Assistant
from curated import live
from curated.content import FALLBACK_PHRASES, load, shipped_phrases
from curated.live import LiveContent
from curated.reading import read_file
from curated.schema import PHRASES

ROOT = Path(__file__).resolve().parent.parent
ASKED = re.compile(r"\bphrase\(\s*\"([a-z_]+)\"")


def phrases_the_code_asks_for():
    asked = {}
    for package in ("bot", "actions", "curated"):
        for path in (ROOT / package).rglob("*.py"):
            for key in ASKED.findall(path.read_text(encoding="utf-8")):
                asked.setdefault(key, str(path.relative_to(ROOT)))
    return asked


def test_the_code_asks_for_phrases_and_finds_them():
    asked = phrases_the_code_asks_for()
    assert {"help", "choose_language", "not_text", "sorry", "unavailable", "greeting"} <= set(asked)


def test_every_phrase_the_code_asks_for_is_declared_in_the_schema():
    undeclared = {
        key: where for key, where in phrases_the_code_asks_for().items() if key not in PHRASES
    }
    assert undeclared == {}


def test_the_shipped_phrases_hold_every_declared_phrase_and_validate():
    shipped = read_file(FALLBACK_PHRASES)
    assert shipped.problems == []
    assert set(shipped.phrases) == set(PHRASES)


def without_phrase(tmp_path: Path, key: str) -> Path:
    directory = tmp_path / "content"
    shutil.copytree(ROOT / "content", directory)
    phrases = directory / "phrases.yml"
    text = phrases.read_text(encoding="utf-8")
    block = re.compile(rf"(?m)^  {key}:\n(    .*\n)+")
    assert block.search(text), key
    phrases.write_text(block.sub("", text), encoding="utf-8")
    return directory


def test_a_deleted_channel_phrase_is_reported_to_the_editor_with_line_and_fix(tmp_path):
    content = load(without_phrase(tmp_path, "help"))
    [problem] = [p for p in content.problems if p.field == "phrases.help"]
    assert str(problem) == (
        "phrases.yml:4: phrases.help: is missing. Fix: Add help: to this entry, for example "
        'help: {fr: "...", zh: "...", en: "..."}'
    )


def test_a_missing_phrase_falls_back_to_the_shipped_text_and_is_logged(tmp_path, caplog):
    content = load(without_phrase(tmp_path, "help"))
    with caplog.at_level(logging.ERROR):
        text = content.phrase("help", "zh")
    assert text == shipped_phrases()["help"]["zh"] != ""
    assert "no phrase 'help'" in caplog.text


class _NoRasa:
    async def send(self, *args, **kwargs):  # pragma: no cover - never called here
        raise AssertionError("not used")


def test_the_channel_reads_an_editors_change_of_a_phrase_without_a_restart(tmp_path, monkeypatch):
    monkeypatch.setattr(live, "CHECK_EVERY_SECONDS", 0.0)
    directory = tmp_path / "content"
    shutil.copytree(ROOT / "content", directory)
    assistant = Assistant(_NoRasa(), None, b"key", LiveContent(directory))
    assert assistant.phrase("choose_language", "en") == "Choose your language:"
    phrases = directory / "phrases.yml"
    edited = phrases.read_text(encoding="utf-8").replace(
        'en: "Choose your language:"', 'en: "Which language would you like?"'
    )
    phrases.write_text(edited, encoding="utf-8")
    assert assistant.phrase("choose_language", "en") == "Which language would you like?"


def test_deleting_a_phrase_while_running_keeps_the_last_good_text(tmp_path, monkeypatch):
    monkeypatch.setattr(live, "CHECK_EVERY_SECONDS", 0.0)
    directory = tmp_path / "content"
    shutil.copytree(ROOT / "content", directory)
    assistant = Assistant(_NoRasa(), None, b"key", LiveContent(directory))
    before = assistant.phrase("help", "fr")
    broken = without_phrase(tmp_path / "edit", "help") / "phrases.yml"
    shutil.copy(broken, directory / "phrases.yml")
    assert assistant.phrase("help", "fr") == before != ""
