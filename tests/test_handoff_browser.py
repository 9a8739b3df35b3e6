"""A tourist on the web chat and a staff member in the review app, two headless
Chromium pages (the ``browser`` fixture of conftest.py): the tourist asks for a
person, the staff member takes the conversation, they talk both ways, the staff
member hands it back and the assistant answers again; and the inbox plays a tone and
shows a notification when a new tourist starts waiting. The web chat runs on a
stand-in Rasa; both share the hand-off store of the review app's tracker database."""

from __future__ import annotations

import pytest

from handoff.store import HandoffStore
from testkit.rasa import RecordingRasa
from testkit.review_app import ACCOUNTS, ServedApp
from testkit.webchat_harness import ServedWebChat

BOT = ".message.bot"
OFFER = "Une personne de l'office peut vous répondre ici."


def assistant(text: str, metadata: dict) -> list[dict]:
    """What the model and the hand-off actions answer, for this test's turns."""
    if text.startswith("/request_person"):
        return [
            {"text": "C'est noté : une personne va vous répondre ici."},
            {"custom": {"handoff": {"place": "mont_blanc", "office": "chamonix"}}},
        ]
    if "quelqu'un" in text:
        return [
            {
                "text": OFFER,
                "buttons": [{"title": "Parler à une personne", "payload": "/request_person"}],
            }
        ]
    return [{"text": f"assistant: {text}"}]


@pytest.fixture
def served(tmp_path):
    with ServedApp(tmp_path, conversations=3) as app:
        holds = HandoffStore(app.config.tracker_url)
        rasa = RecordingRasa(assistant)
        with ServedWebChat(rasa, tmp_path / "webchat", holds=holds) as chat:
            yield app, chat, rasa, holds
        holds.close()


def new_page(browser, locale):
    context = browser.new_context(locale=locale, viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    return page


def tourist_says(page, text):
    page.locator("textarea").fill(text)
    page.locator("textarea").press("Enter")
    page.locator(".waiting").wait_for(state="hidden")


def test_a_tourist_on_the_web_chat_talks_with_staff_then_with_the_assistant_again(browser, served):
    app, chat, rasa, holds = served
    tourist = new_page(browser, "fr-FR")
    tourist.goto(chat.url + "/")
    tourist.locator(".launcher").click()
    tourist.locator(BOT).first.wait_for()  # greeted
    tourist_says(tourist, "je veux parler à quelqu'un")
    tourist.get_by_role("button", name="Parler à une personne").click()
    tourist.locator(f"{BOT}:has-text('une personne va vous répondre')").wait_for()

    staff = new_page(browser, "en-GB")
    staff.goto(app.url + "/handoff")
    staff.fill("input[name=name]", "bob")
    staff.fill("input[name=password]", ACCOUNTS["bob"][1])
    staff.click("form[action='/login'] button[type=submit]")
    staff.goto(app.url + "/handoff")
    row = staff.locator("#handoff-inbox tbody tr").first
    row.wait_for()
    assert "webchat" in row.inner_text() and "fr" in row.inner_text()
    row.locator("a").click()
    staff.get_by_role("button", name="Take the conversation").click()
    staff.locator("#handoff-state:has-text('Taken by bob')").wait_for()

    tourist_says(tourist, "Bonjour, le téléphérique est ouvert demain ?")
    staff.locator(
        "#handoff-messages li.tourist:has-text('le téléphérique est ouvert demain')"
    ).wait_for()
    staff.fill("#handoff-text", "Bonjour, ici Bob de l'office : oui, dès 8 h.")
    staff.click("#handoff-send")
    tourist.locator(f"{BOT}:has-text('ici Bob de l')").wait_for()
    staff.locator("#handoff-messages li.staff:has-text('sent')").wait_for()

    staff.get_by_role("button", name="Hand back to the assistant").click()
    tourist.locator(f"{BOT}:has-text('Vous discutez à nouveau avec l')").wait_for()
    tourist_says(tourist, "merci")
    tourist.locator(f"{BOT}:has-text('assistant: merci')").wait_for()
    asked = [text for _user, text, _metadata in rasa.received]
    assert not any("téléphérique" in text for text in asked)  # never answered while held
    tourist.context.close()
    staff.context.close()


# What the page plays and shows, recorded where the browser's own APIs are called:
# each tone started through WebAudio (its frequency), each notification shown, and
# each live update received.
RECORDER = """
(() => {
  window.__tones = [];
  window.__notifications = [];
  window.__updates = 0;
  const RealAudio = window.AudioContext;
  window.AudioContext = class extends RealAudio {
    createOscillator() {
      const tone = super.createOscillator();
      const start = tone.start.bind(tone);
      tone.start = (...when) => { window.__tones.push(tone.frequency.value); return start(...when); };
      return tone;
    }
  };
  window.Notification = class {
    constructor(title) { window.__notifications.push(title); }
    static get permission() { return "granted"; }
    static requestPermission() { return Promise.resolve("granted"); }
  };
  const RealSource = window.EventSource;
  window.EventSource = class extends RealSource {
    constructor(url) { super(url); this.addEventListener("message", () => window.__updates++); }
  };
})();
"""


def test_a_new_waiting_tourist_plays_a_tone_and_shows_a_notification(browser, tmp_path):
    with ServedApp(tmp_path, conversations=3) as app:
        holds = HandoffStore(app.config.tracker_url)
        holds.request("u" + "a" * 24, "telegram", "fr", place="mont_blanc", office="chamonix")
        staff = new_page(browser, "en-GB")
        staff.context.add_init_script(RECORDER)
        staff.goto(app.url + "/login")
        staff.fill("input[name=name]", "alice")
        staff.fill("input[name=password]", ACCOUNTS["alice"][1])
        staff.click("form[action='/login'] button[type=submit]")
        staff.goto(app.url + "/handoff")
        staff.wait_for_function("() => window.__updates >= 1")
        # Already waiting when the page opened: no tone.
        assert staff.evaluate("[window.__tones, window.__notifications]") == [[], []]

        holds.request("u" + "b" * 24, "wechat", "zh-Hans", place="badaling", office="yanqing")
        staff.wait_for_function("() => window.__tones.length > 0")
        staff.locator(f"#handoff-inbox tr[data-user='u{'b' * 24}']").wait_for()
        assert staff.evaluate("window.__tones") == [880]
        assert staff.evaluate("window.__notifications") == ["A tourist is waiting for a person"]
        staff.context.close()
        holds.close()
