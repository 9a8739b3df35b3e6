"""The assistant's sentences (content/phrases.yml) edited like the other entries: three
languages, the checks of ``make validate`` before writing, history and translation status.

The browser side is in tests/test_review_content_browser.py.
"""

from __future__ import annotations

import difflib

from curated.content import load
from rasa_extensions.command import ROOT
from review import content_checks, content_history, content_saving, db, offices
from review.content_entries import PHRASES_FILE, Address, form_field, located, version

WHICH_PLACE = Address("phrase", "which_place")
TOPIC_MISSING = Address("phrase", "topic_missing")


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_a_saved_phrase_changes_only_its_own_line_and_the_assistant_says_it(content_dir):
    before = (content_dir / PHRASES_FILE).read_text(encoding="utf-8")
    value = content_saving.current(content_dir, PHRASES_FILE, WHICH_PLACE)
    assert value == {
        "text": {
            "fr": "Pour quelle destination ?",
            "zh": "请问是哪个目的地？",
            "en": "For which destination?",
        }
    }
    edited = {"text": {**value["text"], "fr": "Pour quelle destination, s'il vous plaît ?"}}

    outcome = content_saving.save(content_dir, PHRASES_FILE, WHICH_PLACE, version(value), edited)

    assert outcome.status == "saved"
    after = (content_dir / PHRASES_FILE).read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        '-    fr: "Pour quelle destination ?"',
        '''+    fr: "Pour quelle destination, s'il vous plaît ?"''',
    ]
    content = load(content_dir)
    assert content.phrase("which_place", "fr") == "Pour quelle destination, s'il vous plaît ?"


def test_a_misspelled_placeholder_is_refused_next_to_the_chinese_text(content_dir):
    before = (content_dir / PHRASES_FILE).read_text(encoding="utf-8")
    value = content_saving.current(content_dir, PHRASES_FILE, TOPIC_MISSING)
    zh = value["text"]["zh"].replace("{contact}", "{contat}")
    edited = {"text": {**value["text"], "zh": zh}}

    outcome = content_saving.save(content_dir, PHRASES_FILE, TOPIC_MISSING, version(value), edited)

    assert outcome.status == "refused"
    assert [form_field(p.field, TOPIC_MISSING) for p in outcome.problems] == ["text.zh"]
    assert "{contact}" in content_checks.message(outcome.problems[0], "en")
    assert (content_dir / PHRASES_FILE).read_text(encoding="utf-8") == before


def test_a_french_phrase_edit_leaves_the_others_to_review(tmp_path):
    engine = db.connect(f"sqlite:///{tmp_path / 'review.db'}")
    before = {"text": {"fr": "Pour quelle destination ?", "zh": "哪个目的地？", "en": "Which one?"}}
    after = {"text": {**before["text"], "fr": "Quelle destination ?"}}

    content_history.record(engine, "alice", None, PHRASES_FILE, WHICH_PLACE.key, before, after)

    waiting = content_history.to_review(engine, WHICH_PLACE.key)
    assert [(r["field"], r["language"]) for r in waiting] == [("text", "en"), ("text", "zh")]
    assert content_history.describe(before, after) == ["text.fr: «Pour quelle» → «Quelle»"]


def test_phrases_are_every_office_s_so_only_an_administrator_changes_them():
    content = load(ROOT / "content")
    file, place = located(content, WHICH_PLACE)
    office = offices.owner(offices.read(ROOT / "content"), content, file, place)

    assert office is None
    assert offices.may_edit({"role": "admin"}, office)
    assert not offices.may_edit({"role": "editor", "office": "chamonix"}, office)
    assert located(content, Address("phrase", "no_such_phrase")) is None


def test_a_button_title_phrase_is_previewed_as_a_whatsapp_button_cut_at_20_characters(
    content_dir,
):
    address = Address("phrase", "offers_button")
    value = content_saving.current(content_dir, PHRASES_FILE, address)
    edited = {"text": {**value["text"], "fr": "Nos offres et forfaits du moment"}}

    shown = content_saving.preview(content_dir, PHRASES_FILE, address, edited)

    whatsapp = next(c for c in shown["fr"].channels if c.channel == "whatsapp")
    assert whatsapp.messages[0].buttons == ["Nos offres et…"]
    telegram = next(c for c in shown["fr"].channels if c.channel == "telegram")
    assert telegram.messages == []  # no text: Telegram shows the button under the answer
