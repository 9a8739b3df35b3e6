"""The content editor's saving, checks, history and offices, on a copy of content/.

The browser side (forms, messages next to fields, two editors) is in
tests/test_review_content_browser.py.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
import time
from pathlib import Path

from curated import live
from curated.content import load
from rasa_extensions.command import ROOT, environment
from review import content_history, content_saving, db, offices
from review.content_entries import Address, form_field, version

DOGS = Address("faq", "chamonix_dogs_lifts_trails")
DOGS_FILE = "faq_mont_blanc.yml"
OLD_WORDS = "les chiens n'y montent pas"
NEW_WORDS = "les chiens ne montent pas"


def french_edit(value: dict) -> dict:
    answer = {**value["answer"], "fr": value["answer"]["fr"].replace(OLD_WORDS, NEW_WORDS)}
    return {**value, "answer": answer}


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_a_saved_answer_changes_only_its_own_line_and_keeps_the_comments(content_dir):
    before = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    value = content_saving.current(content_dir, DOGS_FILE, DOGS)
    assert OLD_WORDS in value["answer"]["fr"]

    outcome = content_saving.save(content_dir, DOGS_FILE, DOGS, version(value), french_edit(value))

    assert outcome.status == "saved"
    after = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    changed = changed_lines(before, after)
    assert len(changed) == 2
    assert OLD_WORDS in changed[0] and NEW_WORDS in changed[1]
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert comments == [line for line in after.splitlines() if line.lstrip().startswith("#")]


def test_every_content_file_but_the_phrases_is_saved_unchanged_by_a_round_trip(content_dir):
    from review import content_yaml

    for path in sorted(content_dir.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        document = content_yaml.load(text)
        assert content_yaml.edited_text(text, content_yaml.dump(document), document) == text


def test_a_missing_chinese_answer_is_refused_and_nothing_is_written(content_dir):
    before = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    value = content_saving.current(content_dir, DOGS_FILE, DOGS)
    opened = version(value)
    value["answer"]["zh"] = ""

    outcome = content_saving.save(content_dir, DOGS_FILE, DOGS, opened, value)

    assert outcome.status == "refused"
    assert [form_field(p.field, DOGS) for p in outcome.problems] == ["answer.zh"]
    assert "vide" in outcome.problems[0].render("fr")
    assert (content_dir / DOGS_FILE).read_text(encoding="utf-8") == before


def test_a_second_save_from_the_same_opened_version_is_a_conflict(content_dir):
    opened = content_saving.current(content_dir, DOGS_FILE, DOGS)
    first = content_saving.save(content_dir, DOGS_FILE, DOGS, version(opened), french_edit(opened))
    assert first.status == "saved"
    written = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    other = {**opened, "answer": {**opened["answer"], "en": "Dogs: ask the operator."}}

    second = content_saving.save(content_dir, DOGS_FILE, DOGS, version(opened), other)

    assert second.status == "conflict"
    assert second.before is not None and NEW_WORDS in second.before["answer"]["fr"]
    assert (content_dir / DOGS_FILE).read_text(encoding="utf-8") == written


def test_a_hand_edit_of_the_entry_on_the_server_is_a_conflict(content_dir):
    opened = content_saving.current(content_dir, DOGS_FILE, DOGS)
    path = content_dir / DOGS_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("prévoyez", "pensez à"), "utf-8")

    outcome = content_saving.save(
        content_dir, DOGS_FILE, DOGS, version(opened), french_edit(opened)
    )

    assert outcome.status == "conflict"
    assert "pensez à" in path.read_text(encoding="utf-8")
    assert NEW_WORDS not in path.read_text(encoding="utf-8")


def test_a_hand_edit_of_another_entry_of_the_file_is_kept(content_dir):
    opened = content_saving.current(content_dir, DOGS_FILE, DOGS)
    path = content_dir / DOGS_FILE
    hand = path.read_text(encoding="utf-8").replace(
        "À partir de quel âge un enfant", "Dès quel âge un enfant", 1
    )
    path.write_text(hand, "utf-8")

    outcome = content_saving.save(
        content_dir, DOGS_FILE, DOGS, version(opened), french_edit(opened)
    )

    assert outcome.status == "saved"
    after = path.read_text(encoding="utf-8")
    assert "Dès quel âge un enfant" in after and NEW_WORDS in after


def test_the_live_reload_answers_with_the_saved_text_within_5_seconds(content_dir):
    reloaded = live.LiveContent(content_dir)
    assert OLD_WORDS in next(e for e in reloaded.get().faq if e.id == DOGS.id).answer["fr"]
    opened = content_saving.current(content_dir, DOGS_FILE, DOGS)
    assert (
        content_saving.save(
            content_dir, DOGS_FILE, DOGS, version(opened), french_edit(opened)
        ).status
        == "saved"
    )
    saved_at = time.monotonic()
    while time.monotonic() - saved_at < 5:
        answer = next(e for e in reloaded.get().faq if e.id == DOGS.id).answer["fr"]
        if NEW_WORDS in answer:
            break
        time.sleep(0.1)
    assert NEW_WORDS in answer


def test_a_fact_with_a_new_value_and_date_is_saved_in_the_topic(content_dir):
    address = Address("topic", "badaling", "prices")
    file = "great_wall_yanqing.yml"
    value = content_saving.current(content_dir, file, address)
    opened = version(value)
    assert value["facts"], "badaling's prices have facts"
    fact = value["facts"][0]
    fact["text"] = {lang: text + " (2027)" for lang, text in fact["text"].items()}
    fact["checked"] = "2026-12-05"

    outcome = content_saving.save(content_dir, file, address, opened, value)

    assert outcome.status == "saved", [p.render("en") for p in outcome.problems]
    place = load(content_dir).places["badaling"]
    saved = place.topics["prices"].facts[0]
    assert saved.text["en"].endswith(" (2027)")
    assert saved.checked.isoformat() == "2026-12-05"


def test_a_french_edit_leaves_chinese_and_english_to_review_until_confirmed(tmp_path):
    engine = db.connect(f"sqlite:///{tmp_path / 'review.db'}")
    before = {"answer": {"fr": "Bonjour", "zh": "你好", "en": "Hello"}, "facts": []}
    after = {"answer": {"fr": "Bonjour à tous", "zh": "你好", "en": "Hello"}, "facts": []}

    content_history.record(engine, "chloe", "chamonix", "faq.yml", "faq/x", before, after)

    waiting = content_history.to_review(engine, "faq/x")
    assert [(r["field"], r["language"], r["changed_language"]) for r in waiting] == [
        ("answer", "en", "fr"),
        ("answer", "zh", "fr"),
    ]
    content_history.confirm(engine, "faq/x", "answer", "en")
    later = {"answer": {"fr": "Bonjour à tous", "zh": "大家好", "en": "Hello"}, "facts": []}
    content_history.record(engine, "yang", "chamonix", "faq.yml", "faq/x", after, later)
    assert content_history.to_review(engine, "faq/x") == []


def test_history_says_the_change_in_words():
    before = {"answer": {"fr": "Les chiens n'y montent pas.", "zh": "狗不能上山。", "en": "x"}}
    after = {"answer": {"fr": "Les chiens ne montent pas.", "zh": "狗可以上山。", "en": "x"}}

    assert content_history.describe(before, after) == [
        "answer.fr: «n'y» → «ne»",
        "answer.zh: «不能» → «可以»",
    ]


def test_entries_belong_to_the_office_of_their_file_or_of_their_place():
    known = offices.read(ROOT / "content")
    content = load(ROOT / "content")
    assert set(known) == {"chamonix", "chambery_bauges", "yanqing", "zhangjiakou"}
    assert offices.owner(known, content, "faq_mont_blanc.yml", None) == "chamonix"
    # a shared file: the place decides, through the places it lies within
    assert offices.owner(known, content, "faq.yml", "aiguille_du_midi") == "chamonix"
    assert offices.owner(known, content, "offers.yml", "chongli") == "zhangjiakou"
    assert offices.owner(known, content, "faq_travel_china.yml", None) is None
    editor = {"role": "editor", "office": "yanqing"}
    assert offices.may_edit(editor, "yanqing") and not offices.may_edit(editor, "chamonix")
    assert not offices.may_edit(editor, None)
    assert offices.may_edit({"role": "admin", "office": None}, None)
    assert not offices.may_edit({"role": "reviewer", "office": None}, "yanqing")


def test_every_content_file_is_an_office_s_or_shared_by_place():
    known = offices.read(ROOT / "content")
    listed = [f for office in known.values() for f in office.files]
    assert len(listed) == len(set(listed)), "a file belongs to one office"
    assert all((ROOT / "content" / f).exists() for f in listed)


def test_an_office_naming_an_unknown_place_is_reported_by_validate(content_dir):
    path = content_dir / "offices.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("places: [zhangjiakou]", "places: [zhangjiakuo]"),
        "utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "curated.validate", str(content_dir)],
        cwd=ROOT,
        env=environment({}),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "offices.yml" in result.stdout and "zhangjiakuo" in result.stdout


def run_review(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = environment(
        {
            "VAR_DIR": str(tmp_path),
            "REVIEW_DATABASE_URL": f"sqlite:///{tmp_path / 'review.db'}",
            "REVIEW_PASSWORD": "a-long-password",
            **{k: v for k, v in os.environ.items() if k == "PATH"},
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "review", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_an_editor_account_belongs_to_an_office_of_content(tmp_path):
    added = run_review(
        ["users", "add", "chloe", "--role", "editor", "--office", "chamonix"], tmp_path
    )
    assert added.returncode == 0, added.stderr
    assert "chloe (editor of chamonix) created" in added.stdout
    assert "chloe\teditor of chamonix" in run_review(["users", "list"], tmp_path).stdout

    unknown = run_review(["users", "add", "max", "--role", "editor", "--office", "paris"], tmp_path)
    assert unknown.returncode == 2
    assert "office: an editor belongs to one office of content/offices.yml" in unknown.stderr
    alone = run_review(["users", "add", "max", "--role", "editor"], tmp_path)
    assert alone.returncode == 2


def test_a_reviewer_account_may_belong_to_an_office_and_an_admin_to_none(tmp_path):
    added = run_review(
        ["users", "add", "lea", "--role", "reviewer", "--office", "chambery_bauges"], tmp_path
    )
    assert added.returncode == 0, added.stderr
    assert "lea\treviewer of chambery_bauges" in run_review(["users", "list"], tmp_path).stdout
    unknown = run_review(
        ["users", "add", "max", "--role", "reviewer", "--office", "paris"], tmp_path
    )
    assert unknown.returncode == 2
    assert "office: a reviewer's office is one of content/offices.yml" in unknown.stderr
    admin = run_review(["users", "add", "ada", "--role", "admin", "--office", "chamonix"], tmp_path)
    assert admin.returncode == 2
    assert "office: an admin belongs to no office" in admin.stderr


def test_the_last_entry_of_a_file_is_saved_and_the_file_ends_as_before(content_dir):
    before = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    last = [line for line in before.splitlines() if line.startswith("  - id: ")][-1]
    address = Address("faq", last.split("id: ")[1].strip())
    value = content_saving.current(content_dir, DOGS_FILE, address)
    opened = version(value)
    value["questions"]["en"] = [*value["questions"]["en"], "a new way of asking it, in english"]

    outcome = content_saving.save(content_dir, DOGS_FILE, address, opened, value)

    assert outcome.status == "saved", [p.render("en") for p in outcome.problems]
    after = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    assert changed_lines(before, after) == ['+        - "a new way of asking it, in english"']
    assert after.endswith("\n") == before.endswith("\n")


def test_an_offer_s_price_and_end_date_are_saved_in_place(content_dir):
    address = Address("offer", "summer-mont-blanc-2027")
    before = (content_dir / "offers.yml").read_text(encoding="utf-8")
    value = content_saving.current(content_dir, "offers.yml", address)
    opened = version(value)
    assert (value["price.amount"], value["valid_until"]) == ("690", "2027-09-15")
    value["price.amount"] = "720"
    value["valid_until"] = "2027-09-20"

    outcome = content_saving.save(content_dir, "offers.yml", address, opened, value)

    assert outcome.status == "saved", [p.render("en") for p in outcome.problems]
    assert changed_lines(before, (content_dir / "offers.yml").read_text(encoding="utf-8")) == [
        "-    price: {amount: 690, currency: EUR}",
        "+    price: {amount: 720, currency: EUR}",
        "-    valid_until: 2027-09-15",
        "+    valid_until: 2027-09-20",
    ]
    offer = next(o for o in load(content_dir).offers if o.id == address.id)
    assert (offer.amount, offer.valid_until.isoformat()) == (720.0, "2027-09-20")


def test_an_offer_ending_before_it_starts_is_refused_at_its_end_date(content_dir):
    address = Address("offer", "summer-mont-blanc-2027")
    value = content_saving.current(content_dir, "offers.yml", address)
    opened = version(value)
    value["valid_until"] = "2027-06-01"

    outcome = content_saving.save(content_dir, "offers.yml", address, opened, value)

    assert outcome.status == "refused"
    assert {form_field(p.field, address) for p in outcome.problems} == {"valid_until"}


def test_an_event_s_dates_in_words_are_removed_once_the_dates_are_published(content_dir):
    address = Address("event", "utmb-2027")
    value = content_saving.current(content_dir, "events.yml", address)
    opened = version(value)
    value["when"] = {"fr": "", "zh": "", "en": ""}
    value["starts"], value["ends"] = "2027-08-23", "2027-08-29"

    outcome = content_saving.save(content_dir, "events.yml", address, opened, value)

    assert outcome.status == "saved", [p.render("en") for p in outcome.problems]
    event = next(e for e in load(content_dir).events if e.id == address.id)
    assert event.when is None


async def test_an_editor_reads_content_and_unanswered_questions_but_no_conversation(
    tmp_path, content_dir
):
    from dataclasses import replace

    from aiohttp.test_utils import TestClient, TestServer

    from review import auth, web
    from review import config as config_module

    config = replace(
        config_module.from_environment(),
        var_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'review.db'}",
        import_seconds=0,
        content_dir=content_dir,
    )
    engine = db.connect(config.database_url)
    known = tuple(offices.read(content_dir))
    editor = auth.add_account(engine, "chloe", "editor", "chloe-pw-123", "chamonix", known)
    token = auth.open_session(engine, editor)
    async with TestClient(TestServer(web.make_app(config, engine))) as client:
        client.session.cookie_jar.update_cookies({"review_session": token})
        for path in ("/content", "/content/faq/chamonix_dogs_lifts_trails", "/unanswered"):
            assert (await client.get(path)).status == 200, path
        for path in ("/conversations", "/dashboard", "/admin/users"):
            response = await client.get(path, allow_redirects=False)
            assert (response.status, response.headers["Location"]) == (303, "/content"), path
        for path in ("/api/conversations", "/export.csv"):
            assert (await client.get(path)).status == 403, path
    engine.dispose()
