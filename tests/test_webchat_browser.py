"""The web chat widget in a real headless browser (Debian's chromium, the
``browser`` fixture of conftest.py): tourists on the demo page and on office
pages of other origins, answered by the real model (the session's running
Rasa), and how answers are shown (links, text, a phone's screen) with
testkit/rasa.py's RecordingRasa."""

from __future__ import annotations

import re

import pytest

from bot.core.rasa_client import RasaClient
from testkit.rasa import RecordingRasa
from testkit.webchat_harness import OfficePage, ServedWebChat

BOT = ".message.bot"


@pytest.fixture(scope="module")
def offices():
    """Two office sites: the first is allowed (WEBCHAT_ALLOWED_ORIGINS), the second is not."""
    with OfficePage() as allowed, OfficePage() as refused:
        yield allowed, refused


@pytest.fixture(scope="module")
def chat(running, settings, offices, tmp_path_factory):
    """The web chat on the real model, for the first office and its own demo page."""
    # A machine busy with other tests can take longer than RASA_TIMEOUT_SECONDS: what is
    # tested here is the window, not Rasa's deadline (tests/test_webchat.py has Rasa down).
    rasa = RasaClient(running.rasa_url, timeout=max(settings.rasa_timeout, 30))
    allowed, refused = offices
    with ServedWebChat(rasa, tmp_path_factory.mktemp("webchat-browser"), (allowed.url,)) as served:
        allowed.chat_url = refused.chat_url = served.url
        yield served


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    """The web chat on a RecordingRasa: an answer with a link, HTML and a long text."""
    long_text = "\n\n".join(["Le plateau de La Féclaz " * 12] * 6)
    replies = [
        {
            "text": "Réservez sur https://www.montblancnaturalresort.com/fr/aiguille-du-midi. <b>Bonne visite</b>"
        },
        {"text": long_text, "buttons": [{"title": "Les tarifs", "payload": "/ask_prices"}]},
    ]
    with ServedWebChat(
        RecordingRasa(replies), tmp_path_factory.mktemp("webchat-scripted")
    ) as served:
        yield served


def open_page(browser, url, locale="fr-FR", **options):
    context = browser.new_context(locale=locale, **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(url)
    return page


@pytest.fixture
def pages(browser):
    opened = []

    def make(url, locale="fr-FR", **options):
        page = open_page(browser, url, locale, **options)
        opened.append(page)
        return page

    yield make
    for page in opened:
        page.context.close()


def open_chat(page):
    """The tourist presses the chat button and waits for the greeting."""
    page.locator(".launcher").click()
    page.locator(BOT).first.wait_for()


def ask(page, text):
    """Types ``text``, presses Enter, returns the assistant's new messages."""
    before = page.locator(BOT).count()
    page.locator("textarea").fill(text)
    page.locator("textarea").press("Enter")
    page.locator(BOT).nth(before).wait_for()
    page.locator(".waiting").wait_for(state="hidden")
    return page.locator(BOT).all_inner_texts()[before:]


# Tourists on the real model


@pytest.mark.e2e
def test_a_french_tourist_on_the_demo_page_reads_the_answer_in_french(pages, chat, content):
    page = pages(chat.url + "/")
    open_chat(page)
    assert page.locator(f"{BOT} .text").first.inner_text().startswith("Bonjour !")
    answers = ask(page, "comment monter à l'aiguille du midi ?")
    assert content.places["aiguille_du_midi"].topics["getting_there"].text["fr"] in "\n".join(
        answers
    )
    assert (
        page.locator(".message.me")
        .last.inner_text()
        .endswith("comment monter à l'aiguille du midi ?")
    )


@pytest.mark.e2e
def test_pressing_a_button_sends_its_choice_and_shows_its_answer(pages, chat, content):
    page = pages(chat.url + "/")
    open_chat(page)
    choice = page.locator(f"{BOT} .buttons button").nth(2)
    title = choice.inner_text()
    before = page.locator(BOT).count()
    choice.click()
    page.locator(BOT).nth(before).wait_for()
    assert page.locator(".message.me").last.inner_text().endswith(title)
    overview = content.places["bauges"].topics["overview"].text["fr"]
    assert overview in "\n".join(page.locator(BOT).all_inner_texts()[before:])


@pytest.mark.e2e
def test_a_reload_keeps_the_conversation_and_its_context(pages, chat, content):
    page = pages(chat.url + "/")
    open_chat(page)
    ask(page, "comment monter à l'aiguille du midi ?")
    shown = page.locator(".message").all_inner_texts()
    token = page.evaluate("JSON.parse(localStorage.getItem('mbgw-webchat')).conversation")
    page.reload()
    page.locator(BOT).first.wait_for()
    assert page.locator(".message").all_inner_texts() == shown
    assert page.evaluate("JSON.parse(localStorage.getItem('mbgw-webchat')).conversation") == token
    answers = ask(page, "et le prix ?")  # the place of the conversation is still known
    assert content.places["aiguille_du_midi"].topics["prices"].text["fr"][:80] in "\n".join(answers)


@pytest.mark.e2e
def test_a_browser_in_chinese_gets_the_window_and_the_answers_in_chinese(pages, chat, content):
    page = pages(chat.url + "/", locale="zh-CN")
    assert page.locator(".launcher").inner_text() == "有问题？在线咨询"
    open_chat(page)
    assert page.locator(f"{BOT} .text").first.inner_text().startswith("您好！")
    assert page.get_by_label("您的消息").is_visible()
    answers = ask(page, "八达岭长城门票多少钱")
    assert content.places["badaling"].topics["prices"].text["zh"][:60] in "\n".join(answers)


@pytest.mark.e2e
def test_an_allowed_office_site_embeds_the_chat_from_another_origin(pages, chat, offices, content):
    page = pages(offices[0].url + "/")
    open_chat(page)
    answers = ask(page, "comment monter à l'aiguille du midi ?")
    assert content.places["aiguille_du_midi"].topics["getting_there"].text["fr"] in "\n".join(
        answers
    )


@pytest.mark.e2e
def test_a_page_of_an_origin_not_allowed_cannot_talk_to_the_chat(pages, chat, offices):
    page = pages(offices[1].url + "/")
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.reload()
    page.wait_for_function("() => document.readyState === 'complete'")
    page.wait_for_timeout(500)
    assert page.locator(".launcher").count() == 0
    assert any("may not use the chat" in e or "cannot be reached" in e for e in errors)
    reached = page.evaluate(
        """url => fetch(url + '/api/conversations', {method: 'POST',
             headers: {'Content-Type': 'application/json'}, body: '{}'})
           .then(r => 'answered ' + r.status, () => 'blocked')""",
        chat.url,
    )
    assert reached == "blocked"


# The window itself, on scripted answers


def test_the_message_list_is_announced_and_the_input_has_a_label(pages, scripted):
    page = pages(scripted.url + "/")
    page.locator(".launcher").click()
    log = page.get_by_role("log")
    assert log.get_attribute("aria-live") == "polite"
    assert log.get_attribute("aria-label") == "Messages de la discussion"
    assert page.get_by_label("Votre message").is_visible()
    assert page.get_by_role("button", name="Fermer la discussion").is_visible()
    assert page.get_by_role(
        "dialog", name="Assistant tourisme Mont-Blanc – Grande Muraille"
    ).is_visible()


def test_the_chat_works_with_the_keyboard_alone(pages, scripted):
    page = pages(scripted.url + "/")
    launcher = page.locator(".launcher")
    launcher.focus()
    page.keyboard.press("Enter")
    page.locator(BOT).first.wait_for()
    assert page.evaluate("document.activeElement.shadowRoot.activeElement.id") == "mbgw-input"
    page.keyboard.type("bonjour")
    page.keyboard.press("Enter")
    page.locator(".message.me").first.wait_for()
    page.keyboard.press("Escape")
    assert page.locator(".panel").is_hidden()
    assert page.evaluate("document.activeElement.shadowRoot.activeElement.className") == "launcher"


def test_links_open_in_a_new_tab_and_html_is_shown_as_text(pages, scripted):
    page = pages(scripted.url + "/")
    open_chat(page)
    link = page.locator(f"{BOT} a").first
    assert (
        link.get_attribute("href") == "https://www.montblancnaturalresort.com/fr/aiguille-du-midi"
    )
    assert link.get_attribute("target") == "_blank"
    assert set(link.get_attribute("rel").split()) >= {"noopener", "noreferrer"}
    assert "<b>Bonne visite</b>" in page.locator(BOT).first.inner_text()
    ask(page, '<img src=x onerror="window.hacked=1">')
    assert "<img src=x" in page.locator(".message.me").last.inner_text()
    assert page.locator(".message img, .message b").count() == 0
    assert page.evaluate("window.hacked") is None


def test_a_long_answer_fits_a_phone_screen(pages, scripted):
    page = pages(
        scripted.url + "/", viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
    )
    open_chat(page)
    panel = page.locator(".panel").bounding_box()
    assert panel["width"] == 375 and panel["height"] == 667
    long_answer = page.locator(BOT).nth(1)
    box = long_answer.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    font_size = long_answer.evaluate("e => getComputedStyle(e).fontSize")
    assert float(re.sub("px", "", font_size)) >= 16
    sideways = page.locator(".messages").evaluate("e => e.scrollWidth - e.clientWidth")
    assert sideways == 0


def test_a_conversation_the_server_does_not_know_starts_afresh_and_is_answered(pages, scripted):
    page = pages(scripted.url + "/")
    page.locator(".launcher").wait_for()  # the widget has saved its first state: not after ours
    made_up = "a" * 43 + "." + "b" * 22
    page.evaluate(
        "t => localStorage.setItem('mbgw-webchat', JSON.stringify("
        "{conversation: t, open: true, messages: [{from: 'me', text: 'ancien message'}]}))",
        made_up,
    )
    page.reload()
    page.locator(".message.me").first.wait_for()
    page.locator("textarea").fill("bonjour")
    page.locator("textarea").press("Enter")
    page.locator(BOT).nth(3).wait_for()  # the greeting's two replies, then the answer's two
    assert page.locator(".message.me .text").all_inner_texts() == ["bonjour"]
    kept = page.evaluate("JSON.parse(localStorage.getItem('mbgw-webchat')).conversation")
    assert kept != made_up and len(kept) == 66
