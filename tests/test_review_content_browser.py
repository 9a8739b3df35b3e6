"""Tourism-office editors change content in a real headless browser (Debian's chromium).

The review app edits a copy of content/; what the action servers answer from is
the live reload of that folder (curated/live.py), read here as they read it.
Set REVIEW_SCREENSHOTS=docs/screenshots to save the screenshots of the guide.
"""

from __future__ import annotations

import difflib
import os
import shutil
import time
from pathlib import Path

import pytest

from curated import live
from rasa_extensions.command import ROOT
from testkit.review_app import ACCOUNTS, EDITORS, ServedApp

SCREENSHOTS = os.environ.get("REVIEW_SCREENSHOTS")
DOGS_URL = "/content/faq/chamonix_dogs_lifts_trails"
DOGS_FILE = "faq_mont_blanc.yml"
OLD_WORDS = "les chiens n'y montent pas"
NEW_WORDS = "les chiens ne montent pas"


@pytest.fixture(scope="module")
def content_dir(tmp_path_factory):
    copy = tmp_path_factory.mktemp("content-editor") / "content"
    shutil.copytree(ROOT / "content", copy)
    return copy


@pytest.fixture(scope="module")
def app(tmp_path_factory, content_dir):
    var = tmp_path_factory.mktemp("content-editor-var")
    with ServedApp(var, conversations=40, content_dir=content_dir) as served:
        yield served


@pytest.fixture
def context(browser):
    opened = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    yield opened
    opened.close()


def logged_in(context, app, name: str):
    page = context.new_page()
    page.set_default_timeout(30000)
    password = EDITORS[name][1] if name in EDITORS else ACCOUNTS[name][1]
    page.goto(app.url + "/login?next=/content")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/content**")
    return page


def shot(page, name):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)


def dogs_answer(reloaded: live.LiveContent, language: str) -> str:
    return next(e for e in reloaded.get().faq if e.id == "chamonix_dogs_lifts_trails").answer[
        language
    ]


def test_an_editor_changes_a_french_answer_and_tourists_read_it_within_5_seconds(
    context, app, content_dir
):
    reloaded = live.LiveContent(content_dir)  # what an action server answers from
    assert OLD_WORDS in dogs_answer(reloaded, "fr")
    before = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    page = logged_in(context, app, "chloe")
    assert page.locator("#faq-entries tr[data-entry='faq/chamonix_dogs_lifts_trails']").count() == 1
    shot(page, "content-list.png")
    page.click("a[href='/content/faq/chamonix_dogs_lifts_trails']")
    french = page.locator("textarea[name='answer.fr']")
    french.fill(french.input_value().replace(OLD_WORDS, NEW_WORDS))
    page.click("#save")
    page.wait_for_selector(".flash.ok")
    saved_at = time.monotonic()
    while NEW_WORDS not in dogs_answer(reloaded, "fr") and time.monotonic() - saved_at < 5:
        time.sleep(0.1)
    assert NEW_WORDS in dogs_answer(reloaded, "fr")

    # The file differs only in that line; its comments are all there.
    after = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert len(changed) == 2 and NEW_WORDS in changed[1]

    # The other two languages now await review; the history says what changed.
    badges = page.locator(".to-review")
    assert sorted(badges.nth(i).get_attribute("data-field") for i in range(badges.count())) == [
        "answer.en",
        "answer.zh",
    ]
    assert "«n'y» → «ne»" in page.locator("#changes").inner_text()
    shot(page, "content-edit.png")
    page.goto(app.url + "/content/to-review?office=chamonix")
    assert "chamonix_dogs_lifts_trails" in page.locator("#awaiting").inner_text()

    # Confirming the English text leaves only the Chinese one to review.
    page.goto(app.url + DOGS_URL)
    page.click("button.confirm[value='answer|en']")
    page.wait_for_selector(".flash.ok")
    assert [
        page.locator(".to-review").nth(i).get_attribute("data-field")
        for i in range(page.locator(".to-review").count())
    ] == ["answer.zh"]


def test_a_missing_chinese_text_is_refused_with_the_message_next_to_the_field(
    context, app, content_dir
):
    before = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    page = logged_in(context, app, "chloe")
    page.click("a[hreflang=fr]")
    page.goto(app.url + DOGS_URL)
    page.fill("textarea[name='answer.zh']", "")
    page.click("#save")
    error = page.locator(".field-error[data-field='answer.zh']")
    error.wait_for()
    assert "le texte dans cette langue est vide" in error.inner_text()
    assert page.locator("#refused").is_visible()
    assert page.locator("textarea[name='answer.zh']").get_attribute("aria-invalid") == "true"
    shot(page, "content-refused.png")
    assert (content_dir / DOGS_FILE).read_text(encoding="utf-8") == before


def test_restoring_the_version_before_a_change_puts_the_old_text_back(context, app, content_dir):
    page = logged_in(context, app, "chloe")
    page.goto(app.url + DOGS_URL)
    english = page.locator("textarea[name='answer.en']")
    english.fill(english.input_value().replace("so plan for", "so arrange for"))
    page.click("#save")
    page.wait_for_selector(".flash.ok")
    assert "so arrange for" in (content_dir / DOGS_FILE).read_text(encoding="utf-8")

    page.click("#changes tbody tr:first-child button.restore")
    page.wait_for_url("**msg=restored**")
    text = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    assert "so plan for" in text and "so arrange for" not in text
    assert "restored from before change #" in page.locator("#changes tbody tr").first.inner_text()
    page.goto(app.url + "/content/history?office=chamonix")
    # This test's own edit and restore, whatever other tests of the module saved.
    assert page.locator("#changes tr[data-change]").count() >= 2
    audit = (app.var_dir / "log" / "review-audit.log").read_text(encoding="utf-8")
    assert " chloe edit_content " in audit and " chloe restore_content " in audit
    shot(page, "content-history.png")


def test_the_second_of_two_editors_saving_the_same_entry_is_told_and_keeps_their_text(
    browser, app, content_dir
):
    first_context = browser.new_context(locale="en-GB")
    second_context = browser.new_context(locale="en-GB")
    try:
        first = logged_in(first_context, app, "chloe")
        second = logged_in(second_context, app, "alice")
        first.goto(app.url + DOGS_URL)
        second.goto(app.url + DOGS_URL)
        mine = "Dogs: ask the Compagnie du Mont-Blanc before you go."
        first.fill("textarea[name='answer.en']", "Dogs stay below: the lifts do not take them.")
        first.click("#save")
        first.wait_for_selector(".flash.ok")
        second.fill("textarea[name='answer.en']", mine)
        second.click("#save")
        second.wait_for_selector("#conflict")
        assert second.locator("textarea[name='answer.en']").input_value() == mine
        assert "the lifts do not take them" in second.locator(".saved-meanwhile").inner_text()
        shot(second, "content-conflict.png")
        text = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
        assert mine not in text and "the lifts do not take them" in text
        second.click("#save")  # after merging: saved over the version now shown
        second.wait_for_selector(".flash.ok")
        assert mine in (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    finally:
        first_context.close()
        second_context.close()


def test_an_editor_of_one_office_cannot_change_another_office_s_entry(context, app, content_dir):
    before = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    page = logged_in(context, app, "yang")  # Yanqing
    assert page.locator("#office-tabs a.current").get_attribute("data-office") == "yanqing"
    page.goto(app.url + DOGS_URL)
    assert page.locator("#read-only").is_visible()
    assert page.locator("#save").count() == 0
    csrf = page.locator("input[name=csrf_token]").first.input_value()
    refused = page.request.post(
        app.url + DOGS_URL,
        form={"csrf_token": csrf, "version": "x", "answer.fr": "Chiens bienvenus partout !"},
        headers={"Origin": app.url},
    )
    assert refused.status == 403
    assert (content_dir / DOGS_FILE).read_text(encoding="utf-8") == before
    # and conversations are not an editor's to read
    page.goto(app.url + "/conversations")
    assert page.url.endswith("/content")


def test_create_this_faq_entry_from_the_unanswered_questions(context, app, content_dir):
    page = logged_in(context, app, "alice")
    page.goto(app.url + "/unanswered?language=en")
    first = page.locator("#groups tbody tr").first
    asked = first.locator("label.variant").first.inner_text().rsplit(" ×", 1)[0].strip()
    first.locator("a.create-faq").click()
    page.wait_for_url("**/content/new-faq?**")
    assert asked in page.locator("textarea[name='questions.en']").input_value()
    shot(page, "content-new-faq.png")

    page.fill("input[name=id]", "chamonix_test_snowshoes")
    page.select_option("select[name=file]", "faq.yml")
    page.select_option("select[name=place]", "mont_blanc")
    page.fill("textarea[name='answer.fr']", "Raquettes : demandez à l'office de tourisme.")
    page.fill("textarea[name='answer.zh']", "雪鞋：请咨询旅游局。")
    page.fill("textarea[name='answer.en']", "Snowshoes: ask the tourist office.")
    page.fill(
        "textarea[name='questions.fr']",
        "où louer des raquettes à neige\nraquettes chamonix location\nbalade en raquettes",
    )
    page.fill("textarea[name='questions.zh']", "哪里租雪鞋\n霞慕尼雪鞋徒步\n雪鞋租赁")
    page.click("#save")
    page.wait_for_url("**/content/faq/chamonix_test_snowshoes?msg=saved")
    text = (content_dir / "faq.yml").read_text(encoding="utf-8")
    assert "- id: chamonix_test_snowshoes" in text and asked in text


def test_the_preview_shows_what_a_tourist_reads_before_anything_is_written(
    context, app, content_dir
):
    before = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    page = logged_in(context, app, "chloe")
    page.goto(app.url + DOGS_URL)
    french = page.locator("textarea[name='answer.fr']")
    french.fill("Les chiens voyagent dans un sac au téléphérique (aperçu).")
    page.click("#preview-button")
    shown = page.locator("#preview .bubble[data-lang=fr]")
    shown.wait_for()
    # the answer as the assistant composes it: the sister destination follows
    assert shown.inner_text().startswith("Les chiens voyagent dans un sac")
    assert "Le mont Blanc vous a plu" in shown.inner_text()
    assert page.locator("textarea[name='answer.fr']").input_value().endswith("(aperçu).")
    shot(page, "content-preview.png")
    assert (content_dir / DOGS_FILE).read_text(encoding="utf-8") == before


def test_the_preview_shows_each_channel_and_a_long_answer_cut_at_wechat_s_2048_bytes(
    context, app, content_dir
):
    before = (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    page = logged_in(context, app, "chloe")
    page.goto(app.url + DOGS_URL)
    paragraph = "带狗乘坐缆车时，请把狗放在包里或给狗戴上嘴套，并牵好狗绳。"  # 30 characters
    page.fill("textarea[name='answer.zh']", "\n\n".join([paragraph] * 30))  # 2,758 bytes
    page.click("#preview-button")
    page.locator("#preview").wait_for()
    for language in ("fr", "zh", "en"):
        channels = page.locator(f"#preview details.channel[data-lang={language}]")
        assert [channels.nth(i).get_attribute("data-channel") for i in range(4)] == [
            "telegram",
            "wechat",
            "whatsapp",
            "webchat",
        ]
    wechat = page.locator("#preview details.channel[data-lang=zh][data-channel=wechat]")
    assert wechat.get_attribute("open") is not None  # a cut channel is shown open
    assert wechat.locator("summary .badge").inner_text() == "cut"
    assert "2048 bytes" in wechat.locator(".channel-cut").inner_text()
    sent = wechat.locator(".bubble.part")
    assert sent.count() == 1
    assert sent.locator(".text").inner_text().endswith("…")
    size, limit = sent.locator(".size").inner_text().split(" UTF-8")[0].split(" / ")
    assert int(size) <= int(limit) == 2048
    assert "2 message(s)" in wechat.locator(".channel-later").inner_text()
    # the French answer is short: one WeChat message, nothing cut, the channel closed
    french = page.locator("#preview details.channel[data-lang=fr][data-channel=wechat]")
    assert french.get_attribute("open") is None and french.locator(".badge").count() == 0
    telegram = page.locator("#preview details.channel[data-lang=zh][data-channel=telegram]")
    assert "1 message(s)" in telegram.locator("summary").inner_text()
    shot(page, "content-preview-channels.png")
    assert (content_dir / DOGS_FILE).read_text(encoding="utf-8") == before


def test_an_offer_ending_before_it_starts_is_refused_then_saved_once_fixed(
    context, app, content_dir
):
    page = logged_in(context, app, "chloe")
    page.click("#offers a[href='/content/offer/summer-mont-blanc-2027']")
    page.fill("input[name=valid_until]", "2027-06-01")
    page.click("#save")
    error = page.locator(".field-error[data-field='valid_until']")
    error.wait_for()
    assert "is before valid_from" in error.inner_text()
    assert "valid_until: 2027-09-15" in (content_dir / "offers.yml").read_text(encoding="utf-8")
    page.fill("input[name=valid_until]", "2027-09-20")
    page.click("#save")
    page.wait_for_selector(".flash.ok")
    assert "valid_until: 2027-09-20" in (content_dir / "offers.yml").read_text(encoding="utf-8")
    shot(page, "content-offer.png")


def test_an_administrator_edits_one_of_the_assistant_s_sentences_through_the_same_checks(
    context, app, content_dir
):
    before = (content_dir / "phrases.yml").read_text(encoding="utf-8")
    page = logged_in(context, app, "alice")
    page.goto(app.url + "/content?office=all")
    page.click("#phrases a[href='/content/phrase/topic_missing']")
    chinese = page.locator("textarea[name='text.zh']")
    written = chinese.input_value()
    chinese.fill(written.replace("{contact}", "{contat}"))
    page.click("#save")
    error = page.locator(".field-error[data-field='text.zh']")
    error.wait_for()
    assert "{contact}" in error.inner_text()
    assert (content_dir / "phrases.yml").read_text(encoding="utf-8") == before

    chinese.fill(written)
    french = page.locator("textarea[name='text.fr']")
    french.fill(french.input_value().replace("pourra vous répondre", "vous répondra"))
    page.click("#save")
    page.wait_for_selector(".flash.ok")
    assert "L'office de tourisme vous répondra" in (content_dir / "phrases.yml").read_text(
        encoding="utf-8"
    )
    badges = page.locator(".to-review")
    assert sorted(badges.nth(i).get_attribute("data-field") for i in range(badges.count())) == [
        "text.en",
        "text.zh",
    ]
    shot(page, "content-phrase.png")


def test_an_editor_reads_the_assistant_s_sentences_without_changing_them(context, app):
    page = logged_in(context, app, "chloe")
    page.goto(app.url + "/content/phrase/which_place")
    assert page.locator("#read-only").is_visible()
    assert page.locator("textarea[name='text.fr']").is_disabled()


def test_an_editor_deletes_an_faq_entry_and_restores_it_from_the_history(context, app, content_dir):
    entry = "chamonix_children_minimum_age"
    page = logged_in(context, app, "chloe")
    page.goto(app.url + f"/content/faq/{entry}")
    page.click("#delete-entry summary")
    page.check("#delete-entry input[name=confirmed]")
    page.click("#delete-button")
    page.wait_for_url(f"**/content/history?entry=faq/{entry}&msg=deleted")
    assert f"id: {entry}" not in (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    assert reloaded_faq_ids(content_dir).count(entry) == 0
    shot(page, "content-deleted.png")

    page.click("#changes tbody tr:first-child button.restore")
    page.wait_for_url(f"**/content/faq/{entry}?msg=restored")
    assert f"id: {entry}" in (content_dir / DOGS_FILE).read_text(encoding="utf-8")
    assert reloaded_faq_ids(content_dir).count(entry) == 1


def reloaded_faq_ids(content_dir) -> list[str]:
    return [e.id for e in live.LiveContent(content_dir).get().faq]
