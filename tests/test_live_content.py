"""Editors' saves reach the answers within seconds; a broken save never does.

Each test edits a copy of content/ in a temporary folder, as an editor
would, and asks the answers again.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import pytest

import curated.live
from actions import answers
from curated.live import LiveContent

ROOT = Path(__file__).resolve().parent.parent
MONT_BLANC_TEXT = "Chamonix-Mont-Blanc, in Haute-Savoie, lies at the foot of Mont Blanc"
CHAMBERY_TEXT = "Chambéry, the capital of Savoie"
MONT_BLANC_ZH_NAME = 'zh: "霞慕尼-勃朗峰", '


@pytest.fixture
def directory(tmp_path) -> Path:
    return Path(shutil.copytree(ROOT / "content", tmp_path / "content"))


@pytest.fixture
def instant(monkeypatch):
    """Look at the files on every question instead of at most once a second."""
    monkeypatch.setattr(curated.live, "CHECK_EVERY_SECONDS", 0.0)


def overview(live: LiveContent, place: str) -> str:
    return answers.place_answer(live.get(), place, "overview", "en").text


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, words: str) -> int:
    return next(
        n
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if words in line
    )


def seconds_until(condition, timeout: float = 10.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    return float("inf")


def test_a_valid_edit_is_answered_within_five_seconds(directory, capsys):
    live = LiveContent(directory)
    assert "Edited by the office" not in overview(live, "mont_blanc")
    edit(directory / "mont_blanc.yml", MONT_BLANC_TEXT, "Edited by the office. " + MONT_BLANC_TEXT)
    delay = seconds_until(lambda: "Edited by the office" in overview(live, "mont_blanc"))
    with capsys.disabled():
        print(f"\n[live reload] a valid edit was answered after {delay:.2f} s")
    assert delay < 5


def test_an_invalid_edit_keeps_that_files_last_version_while_other_files_edits_apply(
    directory, instant, caplog
):
    live = LiveContent(directory)
    before = overview(live, "mont_blanc")
    mont_blanc = directory / "mont_blanc.yml"
    name_line = line_of(mont_blanc, MONT_BLANC_ZH_NAME)
    edit(mont_blanc, MONT_BLANC_TEXT, "Broken edit. " + MONT_BLANC_TEXT)
    edit(mont_blanc, MONT_BLANC_ZH_NAME, "")  # the Chinese name is gone
    edit(directory / "chambery.yml", CHAMBERY_TEXT, "Valid edit. " + CHAMBERY_TEXT)
    with caplog.at_level(logging.ERROR, logger="curated.live"):
        assert "Valid edit." in overview(live, "chambery")
    assert overview(live, "mont_blanc") == before
    assert live.get().problems == []
    assert (
        "Edit of mont_blanc.yml refused; still answering from its last valid version" in caplog.text
    )
    assert (
        f"mont_blanc.yml:{name_line}: places.mont_blanc.name.zh: the text in this language is missing or empty. "
        "Fix: Add a zh: line with the text."
    ) in caplog.text.splitlines()

    edit(
        mont_blanc,
        'name: {fr: "Chamonix-Mont-Blanc", en:',
        'name: {fr: "Chamonix-Mont-Blanc", zh: "霞慕尼-勃朗峰", en:',
    )
    assert "Broken edit." in overview(live, "mont_blanc")


def test_a_file_that_no_longer_reads_as_yaml_keeps_all_its_entries(directory, instant, caplog):
    live = LiveContent(directory)
    offers_before = [o.id for o in live.get().offers]
    edit(directory / "offers.yml", "    place: bauges\n", "\tplace: bauges\n")
    with caplog.at_level(logging.ERROR, logger="curated.live"):
        assert [o.id for o in live.get().offers] == offers_before
    assert "(file): the file is not valid YAML" in caplog.text


def test_an_edit_waiting_for_a_place_added_in_another_file_is_accepted_with_it(
    directory, instant, caplog
):
    live = LiveContent(directory)
    live.get()
    # offers.yml is read before zhangjiakou_chongli.yml, which adds the place it needs.
    edit(directory / "offers.yml", "place: chongli", "place: taizicheng")
    edit(
        directory / "zhangjiakou_chongli.yml",
        "places:\n",
        "places:\n  - id: taizicheng\n"
        '    name: {fr: "Taizicheng", zh: "太子城", en: "Taizicheng"}\n    parent: chongli\n',
    )
    with caplog.at_level(logging.ERROR, logger="curated.live"):
        content = live.get()
    assert "taizicheng" in content.places
    assert {o.place for o in content.offers if o.id == "winter-ski-chongli-2027"} == {"taizicheng"}
    assert content.problems == [] and caplog.text == ""


def test_deleting_a_file_other_files_point_to_is_refused(directory, instant, caplog):
    live = LiveContent(directory)
    live.get()
    reference = line_of(directory / "offers.yml", "place: bauges")
    (directory / "bauges_nordic.yml").unlink()
    with caplog.at_level(logging.ERROR, logger="curated.live"):
        assert "bauges" in live.get().places
    assert (
        f"offers.yml:{reference}: offers.winter-nordic-bauges-2027.place: points to 'bauges'"
        in caplog.text
    )


def test_a_file_broken_from_the_start_gives_what_can_be_read(directory, instant):
    edit(directory / "chambery.yml", "  - id: usmb\n", "  - id: usmb\n    sugestion: typo\n")
    content = LiveContent(directory).get()
    assert {"chambery", "usmb", "mont_blanc"} <= set(content.places)
    assert [p.field for p in content.problems] == ["places.usmb.sugestion"]


def test_an_edit_asking_another_entrys_question_is_refused_and_the_file_kept(
    directory, instant, caplog
):
    live = LiveContent(directory)
    existing = next(e for e in live.get().faq if e.origin and e.origin.file != "faq_chongli.yml")
    asked = existing.questions["fr"][0]
    chongli = directory / "faq_chongli.yml"
    with chongli.open("a", encoding="utf-8") as faq_file:
        faq_file.write(
            "  - id: new_entry\n"
            "    questions:\n"
            f'      fr: ["{asked.upper()}"]\n'
            '      zh: ["新问题？"]\n'
            '      en: ["A new question?"]\n'
            '    answer: {fr: "Réponse.", zh: "回答。", en: "Answer."}\n'
        )
    with caplog.at_level(logging.ERROR, logger="curated.live"):
        assert "new_entry" not in [e.id for e in live.get().faq]
    assert "Edit of faq_chongli.yml refused" in caplog.text
    assert f"already a way of asking the entry {existing.id}" in caplog.text
