"""The review app over HTTP: no data without a session, roles, CSRF, injection.

The app runs as ``python -m review serve`` on a free loopback port over a
temporary database seeded with fr/zh/en conversations (testkit.review_app).
"""

from __future__ import annotations

import asyncio
import collections
import csv
import io
import json
import re

import httpx
import markupsafe
import pytest
import sqlalchemy as sa
import yaml

from review import i18n, schema, throttle
from testkit.review_app import ACCOUNTS, ServedApp

GET_ROUTES = [
    "/conversations",
    "/conversations?language=zh",
    "/conversations/1",
    "/export.csv",
    "/export.jsonl",
    "/unanswered",
    "/dashboard",
    "/admin/users",
    "/api/conversations",
    "/api/conversations/1",
]
POST_ROUTES = [
    "/logout",
    "/conversations/1/flag",
    "/conversations/1/reviewed",
    "/conversations/1/note",
    "/conversations/1/tags",
    "/conversations/1/tags/remove",
    "/conversations/1/delete",
    "/unanswered/export",
    "/admin/users",
    "/admin/users/1/delete",
    "/admin/users/1/role",
    "/admin/erase",
]
ADMIN_POSTS = {
    "/conversations/1/delete": {},
    "/admin/users": {"name": "mallory", "role": "admin", "password": "mallory-password"},
    "/admin/users/1/delete": {},
    "/admin/users/2/role": {"role": "admin"},
    "/admin/erase": {"pseudonym": "PLACEHOLDER", "confirm": "yes"},
}
INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE conversations; --",
    "' UNION SELECT password_hash, 1 FROM accounts --",
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "%",
    "_",
    "\\",
    "长城' --",
    "../../etc/passwd",
    "{{7*7}}",
    "1e999",
    "-1",
    "\x00",
    "a" * 3000,
]
FILTER_FIELDS = [
    "date_from",
    "date_to",
    "language",
    "channel",
    "intent",
    "below",
    "fallback",
    "handoff",
    "flagged",
    "reviewed",
    "tag",
    "q",
    "after",
    "before",
]
# The only INJECTIONS that are a valid value of their field (a name, a tag, a search);
# any other is refused with a 400 that says what the field takes.
VALID_INJECTIONS = {
    "channel": {"_", "1e999", "-1"},
    "intent": {"_", "1e999", "-1"},
    "tag": {"_", "1e999", "-1"},
    "q": {p for p in INJECTIONS if len(p) <= 200 and p != "\x00"},
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with ServedApp(tmp_path_factory.mktemp("review-routes"), conversations=80) as served:
        yield served


_OPEN_CLIENTS: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_clients():
    """Every client a test opened is closed after it (no socket left to the collector)."""
    yield
    while _OPEN_CLIENTS:
        _OPEN_CLIENTS.pop().close()


def _client(app) -> httpx.Client:
    client = httpx.Client(base_url=app.url, follow_redirects=False, timeout=30)
    _OPEN_CLIENTS.append(client)
    return client


def login(app, name: str) -> httpx.Client:
    client = _client(app)
    token = client.get("/login").cookies["review_login_csrf"]
    response = client.post(
        "/login", data={"name": name, "password": ACCOUNTS[name][1], "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return client


def csrf_of(client: httpx.Client, path: str = "/conversations") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def _counts(app):
    with app.engine.connect() as connection:
        return tuple(
            connection.execute(sa.select(sa.func.count()).select_from(t)).scalar()
            for t in (schema.conversations, schema.turns, schema.accounts, schema.tags)
        )


def _secrets(app):
    """Strings that must never appear in an answer given without a session."""
    with app.engine.connect() as connection:
        users = connection.execute(sa.select(schema.conversations.c.user).limit(5)).scalars().all()
    return users + ["长城", "bonjour", "intent", "scrypt$"]


@pytest.mark.parametrize("path", GET_ROUTES)
@pytest.mark.parametrize("cookie", [None, "forged-session-token"])
def test_no_page_api_or_export_answers_without_a_session(app, path, cookie):
    client = _client(app)
    if cookie:
        client.cookies.set("review_session", cookie)
    response = client.get(path)
    if path.startswith(("/api/", "/export")):
        assert response.status_code == 401
    else:
        assert response.status_code == 303 and response.headers["location"].startswith(
            "/login?next="
        )
    for secret in _secrets(app):
        assert secret not in response.text


@pytest.mark.parametrize("path", POST_ROUTES)
def test_no_form_is_accepted_without_a_session(app, path):
    before = _counts(app)
    response = _client(app).post(
        path,
        data={
            "csrf_token": "x",
            "flagged": "yes",
            "tag": "t",
            "note": "n",
            "name": "eve",
            "role": "admin",
            "password": "eve-password-1",
        },
    )
    assert response.status_code == 401
    assert _counts(app) == before


def test_a_logged_out_or_expired_session_opens_nothing(app):
    client = login(app, "bob")
    old = client.cookies["review_session"]
    assert client.get("/conversations").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert response.status_code == 303 and response.headers["location"] == "/login?bye=1"
    stale = _client(app)
    stale.cookies.set("review_session", old)
    assert stale.get("/api/conversations").status_code == 401
    assert stale.get("/conversations").headers["location"].startswith("/login")


def test_wrong_password_and_unknown_user_are_refused(app):
    client = _client(app)
    token = client.get("/login").cookies["review_login_csrf"]
    for name, password in [("alice", "wrong-password"), ("nobody", "whatever-pass"), ("alice", "")]:
        response = client.post(
            "/login", data={"name": name, "password": password, "csrf_token": token}
        )
        assert response.status_code == 401 and "review_session" not in response.cookies


@pytest.mark.parametrize("path, data", ADMIN_POSTS.items())
def test_a_reviewer_cannot_manage_accounts_or_delete_data(app, path, data):
    client = login(app, "bob")
    token = csrf_of(client)
    before = _counts(app)
    response = client.post(path, data=dict(data, csrf_token=token))
    assert response.status_code == 403
    assert _counts(app) == before
    assert client.get("/admin/users").status_code == 403


def test_pages_for_a_reviewer_do_not_offer_admin_actions(app):
    client = login(app, "bob")
    assert "/admin/users" not in client.get("/conversations").text
    assert "/delete" not in client.get("/conversations/1").text


@pytest.mark.parametrize("token", ["", "forged", "a" * 43])
def test_a_forged_or_missing_csrf_token_is_refused(app, token):
    client = login(app, "alice")
    response = client.post("/conversations/1/flag", data={"flagged": "yes", "csrf_token": token})
    assert response.status_code == 403
    assert client.get("/api/conversations/1").json()["flagged"] is False


def test_a_csrf_token_only_works_with_its_own_session(app):
    alice, bob = login(app, "alice"), login(app, "bob")
    response = bob.post(
        "/conversations/1/flag", data={"flagged": "yes", "csrf_token": csrf_of(alice)}
    )
    assert response.status_code == 403
    response = alice.post(
        "/admin/users",
        data={
            "name": "x-user",
            "role": "admin",
            "password": "x-password-1",
            "csrf_token": csrf_of(bob),
        },
    )
    assert response.status_code == 403


def test_a_cross_origin_post_is_refused_even_with_a_token(app):
    client = login(app, "alice")
    response = client.post(
        "/conversations/1/flag",
        data={"flagged": "yes", "csrf_token": csrf_of(client)},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_login_form_needs_its_csrf_cookie(app):
    client = _client(app)
    response = client.post(
        "/login", data={"name": "alice", "password": ACCOUNTS["alice"][1], "csrf_token": "forged"}
    )
    assert response.status_code == 403 and "review_session" not in response.cookies


def test_flag_tag_note_and_review_round_trip(app):
    client = login(app, "bob")
    token = csrf_of(client)
    conversation = client.get("/api/conversations?language=zh").json()["conversations"][0]["id"]
    for path, data in [
        ("flag", {"flagged": "yes"}),
        ("tags", {"tag": "à revoir"}),
        ("note", {"note": "<b>manque</b> prix, appeler 06 12 34 56 78"}),
        ("reviewed", {"reviewed": "yes"}),
    ]:
        response = client.post(
            f"/conversations/{conversation}/{path}",
            data=dict(data, csrf_token=token, filters="language=zh&q=%27"),
        )
        assert response.status_code == 303
        assert response.headers["location"].startswith(f"/conversations/{conversation}?language=zh")
    found = client.get(f"/api/conversations/{conversation}").json()
    assert (found["flagged"], found["reviewed"], found["tags"]) == (True, True, ["à revoir"])
    assert found["note"] == "<b>manque</b> prix, appeler [phone]"
    page = client.get(f"/conversations/{conversation}").text
    assert "&lt;b&gt;manque&lt;/b&gt;" in page and "<b>manque</b>" not in page
    listed = client.get("/api/conversations?tag=%C3%A0%20revoir&flagged=yes&reviewed=yes").json()
    assert [c["id"] for c in listed["conversations"]] == [conversation]
    bad = client.post(
        f"/conversations/{conversation}/tags", data={"tag": "<script>", "csrf_token": token}
    )
    assert bad.status_code == 303 and "msg=invalid_tag" in bad.headers["location"]


@pytest.mark.parametrize("field", FILTER_FIELDS)
def test_injection_in_every_filter_leaks_and_breaks_nothing(app, field):
    client = login(app, "alice")
    before = _counts(app)
    for payload in INJECTIONS:
        for path in ("/conversations", "/api/conversations", "/export.jsonl"):
            ignored = path == "/export.jsonl" and field in ("after", "before")  # not its own
            valid = ignored or payload in VALID_INJECTIONS.get(field, ())
            expected = 200 if valid else 400
            response = client.get(path, params={field: payload})
            assert response.status_code == expected, (path, field, payload, response.text[:300])
            assert "scrypt$" not in response.text and "<script>alert" not in response.text
            assert "onerror=alert" not in response.text.replace("onerror=alert(1)&gt;", "")
            if path == "/api/conversations" and field == "q" and expected == 200:
                assert response.json()["total"] == 0, payload  # no text contains these
            if expected == 400:
                assert _says_invalid(response, "fr", field), (path, field, payload)
    assert _counts(app) == before


@pytest.mark.parametrize("path", ["/unanswered", "/dashboard"])
def test_injection_in_unanswered_and_dashboard_parameters(app, path):
    client = login(app, "alice")
    for field in ("language", "date_from", "date_to", "threshold", "days"):
        ignored = path == "/dashboard" and field in ("language", "threshold")  # not its own
        for payload in INJECTIONS:
            response = client.get(path, params={field: payload})
            assert response.status_code == (200 if ignored else 400), (field, payload)
            assert "<script>alert" not in response.text and "scrypt$" not in response.text
            if not ignored:
                assert _says_invalid(response, "fr", field), (field, payload)


LABELS = {"q": "search", "after": "page_cursor", "before": "page_cursor"}


def _says_invalid(response, lang: str, field: str) -> bool:
    """The refusal says, in the staff member's language, that ``field`` is invalid."""
    t = i18n.translator(lang)
    words = [t("invalid_filters"), t(LABELS.get(field, field))]
    kind = response.headers["content-type"]
    if kind.startswith("application/json"):
        body = response.json()
        return field in body["invalid_filters"] and all(w in body["error"] for w in words)
    if kind.startswith("text/html"):
        words = [str(markupsafe.escape(w)) for w in words]
    return all(w in response.text for w in words)


REFUSED_FILTERS = [
    ("/conversations", {"date_to": "9999-12-31"}, "date_to"),
    ("/conversations", {"date_from": "0001-01-01", "date_to": "9999-12-31"}, "date_to"),
    ("/conversations/1", {"date_to": "9999-12-31"}, "date_to"),
    ("/api/conversations", {"date_to": "9999-12-31"}, "date_to"),
    ("/export.csv", {"date_to": "9999-12-31"}, "date_to"),
    ("/export.jsonl", {"date_from": "0001-01-01", "date_to": "9999-12-31"}, "date_to"),
    ("/dashboard", {"date_to": "0001-01-01"}, "date_to"),
    ("/dashboard", {"date_to": "2024-01-01", "date_from": "0001-01-01"}, "date_from"),
    ("/unanswered", {"date_to": "0001-01-05"}, "date_to"),
    ("/dashboard", {"days": "²"}, "days"),
    ("/unanswered", {"days": "²"}, "days"),
    ("/unanswered", {"threshold": "nan"}, "threshold"),
    ("/unanswered", {"language": "de"}, "language"),
    ("/conversations", {"below": "1e999"}, "below"),
    ("/api/conversations", {"after": "9_9_9"}, "after"),
]


@pytest.mark.parametrize("path, params, field", REFUSED_FILTERS)
def test_out_of_range_or_malformed_filters_are_a_400_in_the_staff_language(
    app, path, params, field
):
    client = login(app, "bob")
    for lang in i18n.UI_LANGUAGES:
        client.cookies.set("review_lang", lang)
        response = client.get(path, params=params)
        assert response.status_code == 400, (lang, response.text[:300])
        assert _says_invalid(response, lang, field), (lang, response.text[:1000])
        if field.startswith("date"):
            assert "2000-01-01" in response.text and "2099-12-31" in response.text
        if path.startswith("/export"):  # a message to read, not a file half downloaded
            assert response.headers["content-type"].startswith("text/plain")
            assert "content-disposition" not in response.headers


def test_a_refused_filter_links_to_the_same_page_without_it(app):
    client = login(app, "bob")
    response = client.get("/conversations", params={"date_to": "9999-12-31", "language": "zh"})
    assert response.status_code == 400
    assert 'href="/conversations?language=zh"' in response.text
    assert client.get("/conversations?language=zh").status_code == 200


@pytest.mark.parametrize(
    "path, params",
    [
        ("/conversations", {"date_from": "2000-01-01", "date_to": "2099-12-31"}),
        ("/export.csv", {"date_to": "2099-12-31"}),
        ("/dashboard", {"date_to": "2000-01-01", "days": "3660"}),
        ("/unanswered", {"date_from": "2099-12-31", "date_to": "2000-01-01", "threshold": "1"}),
    ],
)
def test_the_first_and_last_accepted_days_work(app, path, params):
    assert login(app, "bob").get(path, params=params).status_code == 200


def test_injection_in_forms_is_stored_as_text_and_shown_escaped(app):
    client = login(app, "alice")
    token = csrf_of(client)
    before = _counts(app)
    for payload in INJECTIONS[:5]:
        assert (
            client.post(
                "/conversations/2/note", data={"note": payload, "csrf_token": token}
            ).status_code
            == 303
        )
        assert client.get("/api/conversations/2").json()["note"] == payload
        page = client.get("/conversations/2").text
        assert "<script>alert" not in page and "<img src=x" not in page
        response = client.post("/conversations/2/tags", data={"tag": payload, "csrf_token": token})
        assert response.status_code == 303
        response = client.post(
            "/admin/erase", data={"pseudonym": payload, "confirm": "yes", "csrf_token": token}
        )
        assert response.status_code == 400
    assert _counts(app) == before
    for path in (
        "/conversations/abc",
        "/conversations/1%20OR%201=1",
        "/api/conversations/9999999999999",
    ):
        assert client.get(path).status_code == 404


def test_exports_follow_the_filters_and_mask_personal_data(app):
    client = login(app, "alice")
    lines = client.get("/export.jsonl", params={"language": "en"}).text.splitlines()
    records = [json.loads(line) for line in lines]
    assert records and all(r["language"] == "en" or r["conversation_id"] for r in records)
    text = client.get("/export.jsonl").text
    assert "@example" not in text and "13812345678" not in text and "06 12 34 56 78" not in text
    response = client.get("/export.csv", params={"fallback": "yes"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows and {r["conversation_id"] for r in rows} == {
        str(c["id"]) for c in _all(client, {"fallback": "yes"})
    }


def _all(client, params):
    found, after = [], ""
    while True:
        page = client.get("/api/conversations", params=dict(params, after=after)).json()
        found += page["conversations"]
        if not page["next"]:
            return found
        after = page["next"]


def test_unanswered_questions_export_as_nlu_yaml(app):
    client = login(app, "bob")
    page = client.get("/unanswered", params={"language": "zh", "threshold": "0.5"}).text
    texts = re.findall(r'name="text" value="([^"]+)"', page)
    assert texts
    response = client.post(
        "/unanswered/export",
        data={
            "csrf_token": csrf_of(client, "/unanswered"),
            "language": "zh",
            "intent": "",
            "new_intent": "ask_pets",
            "format": "nlu",
            "text": texts[:2],
        },
    )
    assert response.status_code == 200
    assert 'filename="nlu-zh-review_ask_pets.yml"' in response.headers["content-disposition"]
    document = yaml.safe_load(response.text)
    assert document["nlu"][0]["intent"] == "ask_pets"
    assert response.text.startswith("# nlu/zh/review_ask_pets.yml")
    refused = client.post(
        "/unanswered/export",
        data={
            "csrf_token": csrf_of(client, "/unanswered"),
            "language": "zh",
            "new_intent": "Bad Intent!",
            "format": "nlu",
            "text": texts[:1],
        },
    )
    assert refused.status_code == 303 and "msg=select_some" in refused.headers["location"]


def test_admin_manages_accounts_and_erases_a_user(app):
    client = login(app, "alice")
    token = csrf_of(client)
    response = client.post(
        "/admin/users",
        data={
            "name": "gina",
            "role": "reviewer",
            "password": "gina-password-1",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert "gina" in client.get("/admin/users").text
    user = client.get("/api/conversations").json()["conversations"][-1]["user"]
    response = client.post(
        "/admin/erase", data={"pseudonym": user, "confirm": "yes", "csrf_token": token}
    )
    assert response.status_code == 200 and 'id="erased"' in response.text
    assert all(c["user"] != user for c in _all(client, {}))


def test_security_headers(app):
    response = _client(app).get("/login")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


@pytest.mark.parametrize(
    "target, expected",
    [
        ("//evil.example", "/conversations"),
        ("/\t/evil.example", "/conversations"),
        ("https://evil.example", "/conversations"),
        ("/dashboard?days=7", "/dashboard?days=7"),
    ],
)
def test_redirects_after_login_and_language_change_stay_on_the_site(app, target, expected):
    response = _client(app).get("/lang/zh", params={"next": target})
    assert response.status_code == 303 and response.headers["location"] == expected
    client = _client(app)
    token = client.get("/login").cookies["review_login_csrf"]
    response = client.post(
        "/login",
        data={"name": "bob", "password": ACCOUNTS["bob"][1], "csrf_token": token, "next": target},
    )
    assert response.status_code == 303 and response.headers["location"] == expected
    assert _client(app).get("/lang/fr", params={"next": "/conversations?q=长城"}).status_code == 303


# ---------------------------------------------------------------- login throttle
# Each test has an app of its own: the throttle's memory is the server's.


BURST = 40  # attempts sent at once: four times the largest limit


class Clock:
    """The login throttle's clock, moved on by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def fresh_app(tmp_path, clock):
    with ServedApp(tmp_path, conversations=5, throttle_clock=clock) as served:
        yield served


def _logins(app, attempts, source="127.0.0.1"):
    """All ``(name, password)`` attempts sent at once from ``source``; their responses."""

    async def send():
        transport = httpx.AsyncHTTPTransport(local_address=source)
        async with httpx.AsyncClient(
            base_url=app.url, transport=transport, timeout=120, headers={"Accept-Language": "en"}
        ) as client:
            token = (await client.get("/login")).cookies["review_login_csrf"]
            return await asyncio.gather(
                *(
                    client.post("/login", data={"name": n, "password": p, "csrf_token": token})
                    for n, p in attempts
                )
            )

    return asyncio.run(send())


def _statuses(responses):
    return collections.Counter(r.status_code for r in responses)


def test_simultaneous_wrong_guesses_cannot_exceed_the_limits(fresh_app):
    # The throttle's clock stands still: no wait passes during a burst, however long it lasts.
    # 40 wrong guesses at one account at once: its free failures are checked, no more.
    responses = _logins(fresh_app, [("alice", f"guess-{i:04d}-xx") for i in range(BURST)])
    statuses = _statuses(responses)
    assert statuses == {
        401: throttle.ACCOUNT_FREE_FAILURES,
        429: BURST - throttle.ACCOUNT_FREE_FAILURES,
    }
    for refused in (r for r in responses if r.status_code == 429):
        assert 1 <= int(refused.headers["retry-after"]) <= throttle.ACCOUNT_MAX_DELAY
        assert "Too many attempts: try again in " in refused.text
        assert "review_session" not in refused.cookies
    # 29 wrong and the right one together: no more checks than the limit allows.
    attempts = [("bob", f"guess-{i:04d}-xx") for i in range(29)] + [("bob", ACCOUNTS["bob"][1])]
    statuses = _statuses(_logins(fresh_app, attempts, source="127.0.0.3"))
    assert statuses[401] + statuses[303] == throttle.ACCOUNT_FREE_FAILURES, statuses
    # 40 names at once from one address: the address's limit is checked, no more.
    names = [(f"user{i}", "guess-0000-xx") for i in range(BURST)]
    statuses = _statuses(_logins(fresh_app, names, source="127.0.0.4"))
    assert statuses == {
        401: throttle.ADDRESS_MAX_FAILURES,
        429: BURST - throttle.ADDRESS_MAX_FAILURES,
    }


def test_a_flood_from_one_address_does_not_lock_the_owner_out(fresh_app, clock):
    flood = [("alice", f"guess-{i:04d}-xx") for i in range(BURST)]
    assert _statuses(_logins(fresh_app, flood, source="127.0.0.2"))[429] > 0
    waited = []
    for _ in range(4):
        (response,) = _logins(fresh_app, [("alice", ACCOUNTS["alice"][1])], source="127.0.0.1")
        if response.status_code != 429:
            break
        waited.append(int(response.headers["retry-after"]))
        clock.now += waited[-1]
    assert response.status_code == 303, (response.status_code, waited)
    assert sum(waited) <= throttle.ACCOUNT_MAX_DELAY, waited  # slowed down, never locked out
    # the flooding address is still slowed down
    (again,) = _logins(fresh_app, [("alice", "guess-9999-xx")], source="127.0.0.2")
    assert again.status_code in (401, 429)


# ---------------------------------------------------------------- exports fail before streaming


async def test_an_export_whose_first_query_fails_is_a_clean_500_not_a_cut_download(
    tmp_path, monkeypatch
):
    """In-process (aiohttp's test server), to make the export's query fail."""
    from dataclasses import replace

    from aiohttp.test_utils import TestClient, TestServer

    from review import auth, db, store, web
    from review import config as config_module

    config = replace(
        config_module.from_environment(),
        var_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'review.db'}",
        import_seconds=0,
    )
    engine = db.connect(config.database_url)
    token = auth.open_session(engine, auth.add_account(engine, "carol", "reviewer", "carol-pw-123"))

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")
        yield  # a generator, like the real one

    monkeypatch.setattr(store, "export_turns", broken)
    async with TestClient(TestServer(web.make_app(config, engine))) as client:
        client.session.cookie_jar.update_cookies({"review_session": token})
        for path in ("/export.csv", "/export.jsonl"):
            response = await client.get(path)
            assert response.status == 500 and await response.text() == "Internal error"
            assert "content-disposition" not in response.headers
    engine.dispose()
