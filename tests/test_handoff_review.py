"""The hand-off inbox of the review app over HTTP (review/handoff.py): waiting
conversations live, taken once, replies checked against the tourist's platform,
canned replies in the tourist's language, handed back. The app runs as
``python -m review serve`` (testkit.review_app) on the hand-off store of its
tracker database, where the channel core writes."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from handoff.store import HandoffStore
from review import auth, offices
from review.handoff import rule
from testkit.review_app import ACCOUNTS, ServedApp

TELEGRAM_USER = "u" + "1" * 24
WECHAT_USER = "u" + "2" * 24
WHATSAPP_USER = "u" + "3" * 24


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with ServedApp(tmp_path_factory.mktemp("handoff-review"), conversations=5) as served:
        yield served


_CLIENTS: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    while _CLIENTS:
        _CLIENTS.pop().close()


@pytest.fixture
def holds(app):
    store = HandoffStore(app.config.tracker_url)
    yield store
    store.close()


def login(app, name: str, password: str = "") -> httpx.Client:
    client = httpx.Client(base_url=app.url, timeout=30, headers={"Accept-Language": "en"})
    _CLIENTS.append(client)
    token = client.get("/login").cookies["review_login_csrf"]
    password = password or ACCOUNTS[name][1]
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    assert response.status_code == 303
    return client


def post(client: httpx.Client, path: str, **form) -> httpx.Response:
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/handoff").text).group(1)
    return client.post(
        path, data=form, headers={"X-CSRF-Token": csrf, "Accept": "application/json"}
    )


def first_event(client: httpx.Client, path: str):
    with client.stream("GET", path) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                return json.loads(line[len("data: ") :])
    raise AssertionError("no event")


def test_a_waiting_tourist_is_in_the_inbox_live_and_taken_once(app, holds):
    holds.request(TELEGRAM_USER, "telegram", "zh-Hans", place="badaling")
    holds.keep(TELEGRAM_USER, "我想找人工客服，电话13812345678")
    bob, alice = login(app, "bob"), login(app, "alice")
    page = bob.get("/handoff").text
    assert TELEGRAM_USER in page and "badaling" in page
    [shown] = [c for c in first_event(bob, "/handoff/events") if c["user"] == TELEGRAM_USER]
    assert (shown["language"], shown["channel"], shown["state"]) == (
        "zh-Hans",
        "telegram",
        "waiting",
    )
    assert "13812345678" not in shown["last"][0]["text"]  # masked as in every transcript
    assert post(bob, f"/handoff/{TELEGRAM_USER}/take").status_code == 200
    assert post(alice, f"/handoff/{TELEGRAM_USER}/take").status_code == 409
    seen_by_alice = first_event(alice, f"/handoff/{TELEGRAM_USER}/events")
    assert (seen_by_alice["state"], seen_by_alice["taken_by"]) == ("held", "bob")
    assert post(alice, f"/handoff/{TELEGRAM_USER}/reply", text="你好").status_code == 409
    assert post(bob, f"/handoff/{TELEGRAM_USER}/reply", text="您好，我是小王").status_code == 200
    assert [m.text for m in holds.pending()] == ["您好，我是小王"]
    assert post(bob, f"/handoff/{TELEGRAM_USER}/back").status_code == 200
    assert holds.active(TELEGRAM_USER) is None


def test_canned_replies_are_curated_text_in_the_tourists_language_and_say_so(app, holds):
    holds.request("u" + "4" * 24, "webchat", "zh-Hans", place="badaling")
    page = login(app, "bob").get(f"/handoff/{'u' + '4' * 24}").text
    assert "Nothing is machine-translated." in page
    canned = re.findall(r'class="link canned" data-text="([^"]*)"', page)
    assert canned and all(re.search(r"[\u4e00-\u9fff]", text) for text in canned)


def test_wechat_shows_the_count_and_refuses_a_sixth_reply_to_one_tourist_message(app, holds):
    holds.request(WECHAT_USER, "wechat", "zh-Hans")
    holds.keep(WECHAT_USER, "在吗")
    bob = login(app, "bob")
    post(bob, f"/handoff/{WECHAT_USER}/take")
    for n in range(5):
        assert post(bob, f"/handoff/{WECHAT_USER}/reply", text=f"第{n + 1}条").status_code == 200
    shown = first_event(bob, f"/handoff/{WECHAT_USER}/events")
    assert shown["rule"] == {"open": False, "note": "handoff_rule_wechat_quota", "count": "5/5"}
    refused = post(bob, f"/handoff/{WECHAT_USER}/reply", text="第6条")
    assert (refused.status_code, refused.json()) == (409, {"error": "handoff_rule_wechat_quota"})
    holds.keep(WECHAT_USER, "好的")  # the tourist writes again: 5 more
    assert first_event(bob, f"/handoff/{WECHAT_USER}/events")["rule"]["count"] == "0/5"


def test_whatsapp_more_than_24_hours_after_the_tourist_wrote_the_reply_box_says_so(app, holds):
    day_ago = time.time() - 25 * 3600
    holds.request(WHATSAPP_USER, "whatsapp", "fr", now=day_ago)
    holds.keep(WHATSAPP_USER, "bonjour", now=day_ago)
    bob = login(app, "bob")
    post(bob, f"/handoff/{WHATSAPP_USER}/take")
    page = bob.get(f"/handoff/{WHATSAPP_USER}").text
    assert "more than 24 hours since the tourist&#39;s last message" in page
    refused = post(bob, f"/handoff/{WHATSAPP_USER}/reply", text="Toujours là ?")
    assert refused.json() == {"error": "handoff_rule_whatsapp_closed"}


def test_an_office_sees_its_own_tourists_and_languages(app, holds):
    holds.request("u" + "5" * 24, "telegram", "fr", place="mont_blanc", office="chamonix")
    holds.request("u" + "6" * 24, "wechat", "zh-Hans", place="badaling", office="yanqing")
    bob = login(app, "bob")
    yanqing = first_event(bob, "/handoff/events?office=yanqing")
    assert {c["user"] for c in yanqing} & {"u" + "5" * 24, "u" + "6" * 24} == {"u" + "6" * 24}
    assert all(c["place"] == "badaling" for c in yanqing)  # its office, or its places
    french = first_event(bob, "/handoff/events?language=fr")
    assert "u" + "5" * 24 in [c["user"] for c in french]
    assert all(c["language"] == "fr" for c in french)


def test_an_accounts_office_is_what_its_inbox_shows_and_an_admin_sees_every_office(app, holds):
    known = tuple(offices.read(app.config.content_dir))
    auth.add_account(app.engine, "lea", "reviewer", "lea-password-12", "chambery_bauges", known)
    auth.add_account(app.engine, "wei", "editor", "wei-password-12", "yanqing", known)
    # Chamonix answers the Bauges' tourists in the chat; the Bauges' staff see them too.
    revard, aiguille, badaling = "u" + "7" * 24, "u" + "8" * 24, "u" + "9" * 24
    holds.request(revard, "whatsapp", "fr", place="le_revard", office="chamonix")
    holds.request(aiguille, "telegram", "en", place="aiguille_du_midi", office="chamonix")
    holds.request(badaling, "wechat", "zh-Hans", place="badaling", office="yanqing")
    ours = {revard, aiguille, badaling}

    def shown(client: httpx.Client, query: str = "") -> set[str]:
        return {c["user"] for c in first_event(client, "/handoff/events" + query)} & ours

    lea, wei, alice = (
        login(app, "lea", "lea-password-12"),
        login(app, "wei", "wei-password-12"),
        login(app, "alice"),
    )
    assert shown(lea) == {revard}
    assert 'value="chambery_bauges" selected' in lea.get("/handoff").text
    assert shown(lea, "?office=all") == ours  # a reviewer may look wider
    assert shown(lea, "?office=chamonix") == {revard, aiguille}
    assert shown(wei) == shown(wei, "?office=all") == {badaling}  # an editor may not
    assert wei.get(f"/handoff/{aiguille}").status_code == 403
    assert post(wei, f"/handoff/{aiguille}/take").status_code == 403
    assert post(wei, f"/handoff/{badaling}/take").status_code == 200
    assert shown(alice) == ours


def test_each_platforms_window_is_shown_as_it_is():
    now = 1_000_000.0
    assert rule("wechat", 2, now - 47 * 3600, now).open
    assert rule("wechat", 0, now - 49 * 3600, now).note == "handoff_rule_wechat_closed"
    assert rule("whatsapp", 0, now - 23 * 3600, now).open
    assert not rule("whatsapp", 0, now - 25 * 3600, now).open
    assert rule("telegram", 50, now - 30 * 86400, now).open
    assert rule("webchat", 0, None, now).note == "handoff_rule_webchat"


def test_the_inbox_needs_a_session(app):
    anonymous = httpx.Client(base_url=app.url, timeout=10)
    _CLIENTS.append(anonymous)
    page = anonymous.get("/handoff/events")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert anonymous.post(f"/handoff/{TELEGRAM_USER}/take").status_code in (401, 403)


def test_the_app_stops_at_once_with_an_inbox_page_open(tmp_path):
    served = ServedApp(tmp_path, conversations=1).start()
    try:
        bob = login(served, "bob")
        with bob.stream("GET", "/handoff/events") as response:
            next(line for line in response.iter_lines() if line.startswith("data: "))
            served._process.terminate()  # what Ctrl-C or a stopping container sends
            # aiohttp waits a minute for handlers still running; half of that, generous
            # for a loaded machine, tells an app held up by the page from one that is not.
            returncode = served._process.wait(timeout=30)
    finally:
        served.stop()
    assert returncode == 0  # it stopped by itself, not killed
