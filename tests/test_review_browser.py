"""The review app in a real headless browser: Debian's chromium driven by Playwright.

CI installs chromium (.ci/run); these tests fail, not skip, when it is
missing (the ``browser`` fixture of conftest.py). Set
REVIEW_SCREENSHOTS=docs/screenshots to save the screenshots of the list, a
transcript and the dashboard used in the documentation.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from testkit.review_app import ACCOUNTS, ServedApp

SCREENSHOTS = os.environ.get("REVIEW_SCREENSHOTS")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with ServedApp(tmp_path_factory.mktemp("review-browser"), conversations=150) as served:
        yield served


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, locale="en-GB", accept_downloads=True
    )
    opened = context.new_page()
    opened.set_default_timeout(15000)
    yield opened
    context.close()


def log_in(page, app, name="bob", password=None):
    page.goto(app.url + "/conversations")
    assert "/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password or ACCOUNTS[name][1])
    page.click("form[action='/login'] button[type=submit]")


def shot(page, name):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)


def test_a_wrong_password_is_refused(page, app):
    log_in(page, app, "bob", "not-the-password")
    assert page.locator("#login-error").is_visible()
    assert "/login" in page.url
    page.goto(app.url + "/dashboard")
    assert "/login" in page.url


def test_review_a_conversation_from_login_to_logout(page, app):
    log_in(page, app)
    page.wait_for_url("**/conversations")
    page.click("a[hreflang=en]")
    assert page.locator("h1").inner_text() == "Conversations"
    shot(page, "conversation-list.png")

    # Filter: Chinese conversations with a fallback.
    page.select_option("select[name=language]", "zh")
    page.select_option("select[name=fallback]", "yes")
    page.click("#apply")
    page.wait_for_url("**language=zh**")
    rows = page.locator("table#conversations tbody tr")
    assert rows.count() > 0
    for i in range(rows.count()):
        assert "zh" in rows.nth(i).locator("td").nth(2).inner_text()
        assert "Fallback" in rows.nth(i).inner_text()

    # Open a transcript: intent and confidence beside each tourist turn.
    rows.first.locator("a.open").click()
    page.wait_for_url("**/conversations/*")
    assert page.locator(".nlu .intent").count() >= 1
    assert page.locator(".nlu .confidence").first.inner_text().startswith("0.")
    assert page.locator(".turn.is-fallback").count() >= 1
    # and why the assistant refused it
    assert "Refused: intent " in page.locator(".turn.is-fallback .why.refused").first.inner_text()
    transcript_url = page.url

    # Flag it and tag it.
    page.click("#flag")
    page.wait_for_selector("#flagged-badge")
    page.fill("#tag-input", "missing answer")
    page.click("#add-tag")
    page.wait_for_selector("#tags .tag:has-text('missing answer')")
    page.fill("#note", "Add a FAQ about dogs on the Great Wall.")
    page.click("#save-note")
    page.click("#mark-reviewed")
    page.wait_for_selector("#reviewed-badge")
    assert page.locator("#note").input_value() == "Add a FAQ about dogs on the Great Wall."
    shot(page, "transcript.png")

    # Back to the list, filtered by the tag; export it.
    page.goto(app.url + "/conversations?tag=missing%20answer")
    assert page.locator("table#conversations tbody tr").count() == 1
    assert "missing answer" in page.locator("table#conversations").inner_text()
    with page.expect_download() as download_info:
        page.click("#export-csv")
    path = download_info.value.path()
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    assert rows and all(r["tags"] == "missing answer" and r["flagged"] == "true" for r in rows)
    assert transcript_url.split("/conversations/")[1].split("?")[0] == rows[0]["conversation_id"]

    # Dashboard with its charts.
    page.click("nav a[href='/dashboard']")
    assert page.locator("#charts svg.chart").count() == 6
    shot(page, "dashboard.png")

    # Log out: pages need a login again.
    page.click("#logout")
    page.wait_for_url("**/login?bye=1")
    page.goto(app.url + "/conversations")
    assert "/login" in page.url


def test_the_app_speaks_french_and_chinese(page, app):
    log_in(page, app, "alice")
    page.wait_for_url("**/conversations")
    page.click("a[hreflang=fr]")
    assert page.locator("nav a[href='/unanswered']").inner_text() == "Questions sans réponse"
    page.click("a[hreflang=zh]")
    assert page.locator("nav a[href='/unanswered']").inner_text() == "未回答的问题"
    page.click("nav a[href='/unanswered']")
    assert page.locator("#groups tbody tr").count() > 0
    shot(page, "unanswered.png")
