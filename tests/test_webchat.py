"""The web chat's HTTP API, with testkit/rasa.py's RecordingRasa behind the
channel core (no model): which pages may talk to it, conversation tokens,
size and rate limits, order, Rasa down, and requests that are not what the
API takes. The widget in a real browser: tests/test_webchat_browser.py."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels import webchat
from bot.channels.webchat_limits import Limits, Rate
from bot.channels.webchat_requests import BadRequest, new_token, parse_message
from curated.schema import PHRASES
from rasa_extensions.command import ROOT, environment
from testkit.rasa import RecordingRasa
from testkit.webchat_harness import ServedWebChat

OFFICE = "https://www.chamonix.com"
UNAVAILABLE_ZH = "服务暂时不可用，请稍后再试。您的消息我们已经收到。"
TOO_MANY_FR = "Vous envoyez beaucoup de messages : attendez un instant avant le suivant."
TOO_LONG_FR = "Ce message est trop long pour moi : pouvez-vous le raccourcir ?"
HTML_ANSWER = {
    "text": "<b>Chamonix</b> & <script>alert(1)</script>",
    "buttons": [{"title": "Prix", "payload": '/ask_price{"place": "chamonix"}'}],
}


class SlowRasa(RecordingRasa):
    """Answers "slow ..." after a while, and notes when one user had two turns at Rasa at once."""

    def __init__(self) -> None:
        super().__init__(self.answer)
        self.busy: set[str] = set()
        self.overlapped = False

    @staticmethod
    def answer(text: str, metadata: dict) -> list[dict]:
        if text == "html please":
            return [HTML_ANSWER]
        return [{"text": f"answer to {text}"}]

    async def send(self, user: str, text: str, metadata: dict):
        if user in self.busy:
            self.overlapped = True
        self.busy.add(user)
        try:
            if text.startswith("slow"):
                await asyncio.sleep(0.3)
            return await super().send(user, text, metadata)
        finally:
            self.busy.discard(user)


@pytest.fixture(scope="module")
def rasa():
    return SlowRasa()


@pytest.fixture(scope="module")
def chat(rasa, tmp_path_factory):
    """The web chat for an office at OFFICE, without rate limits."""
    with ServedWebChat(rasa, tmp_path_factory.mktemp("webchat"), (OFFICE,), Limits.off()) as served:
        yield served


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    """Tight limits, behind a proxy: each test speaks from addresses of its own."""
    limits = Limits(
        conversation=Rate(burst=3, per_second=0.2),
        address=Rate(burst=5, per_second=0.2),
        new_conversations=Rate(burst=2, per_second=0.1),
    )
    with ServedWebChat(
        RecordingRasa(),
        tmp_path_factory.mktemp("webchat-limited"),
        (OFFICE,),
        limits,
        trust_forwarded_for=True,
    ) as served:
        yield served


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=10, headers={"Origin": OFFICE}) as opened:
        yield opened


def start(client, served, language="fr-FR", **headers) -> str:
    response = client.post(
        served.url + "/api/conversations", json={"language": language}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()["conversation"]


def send(client, served, conversation, text, language="fr-FR", **headers):
    return client.post(
        served.url + "/api/messages",
        json={"conversation": conversation, "text": text, "language": language},
        headers=headers,
    )


# Which pages may talk to it


def test_a_page_of_an_allowed_origin_is_answered(client, chat):
    conversation = start(client, chat)
    response = send(client, chat, conversation, "bonjour")
    assert response.status_code == 200
    assert response.json()["replies"][0]["text"] == "answer to bonjour"
    assert response.headers["Access-Control-Allow-Origin"] == OFFICE
    assert response.headers["Vary"] == "Origin"


def test_the_browsers_preflight_from_an_allowed_origin_lets_it_post_json(client, chat):
    response = client.request(
        "OPTIONS",
        chat.url + "/api/messages",
        headers={
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == OFFICE
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


def test_a_page_of_another_origin_is_refused_and_nothing_reaches_rasa(client, chat, rasa):
    conversation = start(client, chat)
    heard = len(rasa.received)
    for origin in ("https://evil.example", "https://www.chamonix.com.evil.example", "null"):
        refused = send(client, chat, conversation, "bonjour", Origin=origin)
        assert refused.status_code == 403
        assert refused.json()["error"] == "origin_not_allowed"
        assert "Access-Control-Allow-Origin" not in refused.headers
        assert "replies" not in refused.json()
    preflight = client.request(
        "OPTIONS", chat.url + "/api/messages", headers={"Origin": "https://evil.example"}
    )
    assert preflight.status_code == 403
    new = client.post(
        chat.url + "/api/conversations", json={}, headers={"Origin": "https://evil.example"}
    )
    assert new.status_code == 403 and "conversation" not in new.json()
    assert len(rasa.received) == heard


def test_a_request_without_an_origin_is_refused(chat, rasa):
    heard = len(rasa.received)
    response = httpx.post(chat.url + "/api/conversations", json={"language": "fr"})
    assert response.status_code == 403
    assert len(rasa.received) == heard


def test_the_servers_own_origin_is_always_allowed(chat):
    own = httpx.post(chat.url + "/api/conversations", json={}, headers={"Origin": chat.url})
    assert own.status_code == 201


# Conversation tokens


def test_conversation_tokens_are_256_random_bits_never_the_same(client, chat):
    tokens = {start(client, chat) for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        random_part, tag = token.split(".")
        assert len(base64.urlsafe_b64decode(random_part + "=")) == 32
        assert len(base64.urlsafe_b64decode(tag + "==")) == 16


def test_a_made_up_or_altered_token_is_not_a_conversation(client, chat, rasa):
    real = start(client, chat)
    altered = real[:-1] + ("A" if real[-1] != "A" else "B")
    heard = len(rasa.received)
    for token in (altered, "1", "a" * 43 + "." + "b" * 22, new_token(b"another key"), real + "\n"):
        response = send(client, chat, token, "bonjour")
        assert response.status_code == 400
        assert response.json()["error"] == "unknown_conversation"
    assert len(rasa.received) == heard


def test_the_token_reaches_rasa_only_as_a_pseudonym_and_is_never_logged(client, chat, rasa, caplog):
    caplog.set_level(logging.DEBUG)
    conversation = start(client, chat)
    rasa.down = True
    try:
        send(client, chat, conversation, "bonjour")  # Rasa down: the core logs the turn
    finally:
        rasa.down = False
    send(client, chat, conversation, "merci")
    user, _text, metadata = rasa.received[-1]
    assert conversation not in user and conversation.split(".")[0] not in user
    assert metadata["channel"] == "webchat"
    assert caplog.records, "the failed turn should have been logged"
    for record in caplog.records:
        assert conversation.split(".")[0] not in record.getMessage()


# One conversation


def test_the_same_token_continues_the_same_conversation(client, chat, rasa):
    first, second = start(client, chat), start(client, chat)
    send(client, chat, first, "Chamonix")
    send(client, chat, first, "et le prix ?")
    send(client, chat, second, "bonjour")
    users = [user for user, _text, _m in rasa.received[-3:]]
    assert users[0] == users[1] != users[2]


def test_the_window_speaks_the_language_of_the_conversation_after_a_reload(client, chat):
    conversation = start(client, chat, language="en-GB")
    answered = send(client, chat, conversation, "bonjour, comment aller à Chamonix ?", "en-GB")
    assert answered.json()["language"] == "fr"
    reloaded = client.post(
        chat.url + "/api/labels", json={"conversation": conversation, "language": "en-GB"}
    )
    assert reloaded.json()["labels"]["webchat_send"] == "Envoyer"


def test_one_conversations_messages_are_answered_in_the_order_sent(client, chat, rasa):
    conversation = start(client, chat)

    async def both():
        async with httpx.AsyncClient(timeout=10, headers={"Origin": OFFICE}) as async_client:

            async def one(text):
                body = {"conversation": conversation, "text": text, "language": "fr"}
                return await async_client.post(chat.url + "/api/messages", json=body)

            first = asyncio.create_task(one("slow Chamonix"))
            await asyncio.sleep(0.05)
            return await asyncio.gather(first, one("et le prix ?"))

    first, second = asyncio.run(both())
    assert first.json()["replies"][0]["text"] == "answer to slow Chamonix"
    assert second.json()["replies"][0]["text"] == "answer to et le prix ?"
    assert rasa.texts[-2:] == ["slow Chamonix", "et le prix ?"]
    assert not rasa.overlapped


def test_buttons_come_back_with_their_titles_and_payloads_and_text_stays_text(client, chat):
    answer = send(client, chat, start(client, chat), "html please").json()
    [reply] = answer["replies"]
    assert reply["text"] == "<b>Chamonix</b> & <script>alert(1)</script>"
    assert reply["buttons"] == [{"title": "Prix", "payload": '/ask_price{"place": "chamonix"}'}]


def test_rasa_down_gives_the_unavailable_sentence_in_the_tourists_language(client, chat, rasa):
    conversation = start(client, chat, language="zh-CN")
    rasa.down = True
    try:
        response = send(client, chat, conversation, "八达岭门票多少钱", "zh-CN")
    finally:
        rasa.down = False
    assert response.status_code == 200
    assert response.json()["failed"] is True
    assert [r["text"] for r in response.json()["replies"]] == [UNAVAILABLE_ZH]


def test_the_window_speaks_the_browsers_language(client, chat):
    for browser, send_label in (("zh-CN", "发送"), ("fr-CA", "Envoyer"), ("de-DE", "Send")):
        labels = client.post(chat.url + "/api/labels", json={"language": browser}).json()["labels"]
        assert labels["webchat_send"] == send_label
    assert set(webchat.LABELS) <= set(PHRASES)


# Limits


def test_a_message_over_1000_characters_is_refused_in_the_tourists_language(client, chat, rasa):
    conversation = start(client, chat)
    assert send(client, chat, conversation, "é" * 1000).status_code == 200
    heard = len(rasa.received)
    refused = send(client, chat, conversation, "é" * 1001)
    assert refused.status_code == 413
    assert refused.json()["error"] == "too_long"
    assert refused.json()["message"] == TOO_LONG_FR
    assert len(rasa.received) == heard


def test_a_body_over_16_kib_is_refused(client, chat):
    response = client.post(
        chat.url + "/api/messages", content=b'{"text": "' + b"a" * 20_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_too_many_messages_in_one_conversation_get_429_with_retry_after(client, limited):
    address = {"X-Forwarded-For": "203.0.113.10"}
    conversation = start(client, limited, **address)
    statuses = [send(client, limited, conversation, f"question {i}", **address) for i in range(4)]
    assert [s.status_code for s in statuses] == [200, 200, 200, 429]
    refused = statuses[-1]
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["message"] == TOO_MANY_FR
    other = start(client, limited, **address)
    assert send(client, limited, other, "bonjour", **address).status_code == 200


def test_too_many_messages_from_one_address_get_429_across_conversations(client, limited):
    address = {"X-Forwarded-For": "198.51.100.20"}
    conversations = [start(client, limited, **address) for _ in range(2)]
    statuses = [
        send(client, limited, conversations[i % 2], "bonjour", **address).status_code
        for i in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    elsewhere = {"X-Forwarded-For": "198.51.100.21"}
    another = start(client, limited, **elsewhere)
    assert send(client, limited, another, "bonjour", **elsewhere).status_code == 200


def test_too_many_new_conversations_from_one_address_get_429(client, limited):
    address = {"X-Forwarded-For": "192.0.2.30"}
    url = limited.url + "/api/conversations"
    statuses = [client.post(url, json={}, headers=address).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


# Requests that are not what the API takes


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"{", "The body is not JSON in UTF-8."),
        (b"\xff\xfe{}", "The body is not JSON in UTF-8."),
        (b"[]", "The body should be a JSON object."),
        (b'"text"', "The body should be a JSON object."),
        (b'{"text": "bonjour"}', "Unknown conversation: start one with POST /api/conversations."),
    ],
)
def test_a_body_that_is_not_a_message_gets_400_with_a_clear_json_error(client, chat, body, reason):
    response = client.post(chat.url + "/api/messages", content=body)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["reason"] == reason


def test_a_text_that_is_not_a_string_gets_400(client, chat):
    conversation = start(client, chat)
    for text in (None, 12, ["bonjour"], {"a": 1}):
        body = {"conversation": conversation, "text": text}
        response = client.post(chat.url + "/api/messages", json=body)
        assert response.status_code == 400
        assert response.json()["reason"] == '"text" should be a string.'


def test_other_methods_and_paths_get_json_errors(client, chat):
    assert client.get(chat.url + "/api/messages").json()["error"] == "method_not_allowed"
    assert client.post(chat.url + "/api/history", json={}).json()["error"] == "not_found"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "conversation": st.text(max_size=70) | JSON,
        "text": st.text(max_size=1100) | JSON,
        "language": st.text(max_size=20) | JSON,
    },
)


@given(st.binary(max_size=2000) | FIELDS.map(lambda v: json.dumps(v).encode()))
@settings(max_examples=200, deadline=None)
def test_the_parser_refuses_anything_but_a_message_with_bad_request_only(body):
    try:
        message = parse_message(b"key", body)
    except BadRequest as refused:
        assert refused.status in (400, 413) and refused.reason
    else:
        assert isinstance(message.text, str)


@given(
    path=st.sampled_from(["/api/messages", "/api/conversations", "/api/labels"]),
    body=st.binary(max_size=500) | FIELDS.map(lambda v: json.dumps(v).encode()),
)
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_fuzzed_requests_never_crash_the_server_nor_show_a_traceback(client, chat, path, body):
    response = client.post(chat.url + path, content=body)
    assert response.status_code in (200, 201, 400, 413)
    assert "Traceback" not in response.text
    assert isinstance(response.json(), dict)


# The widget, the demo page, start and stop


def test_the_widget_and_the_demo_page_are_served_with_safe_headers(chat):
    page = httpx.get(chat.url + "/")
    assert '<script src="/widget.js" defer></script>' in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    widget = httpx.get(chat.url + "/widget.js")
    assert widget.headers["Content-Type"].startswith("text/javascript")
    assert widget.headers["X-Content-Type-Options"] == "nosniff"
    assert "innerHTML" not in widget.text
    assert httpx.get(chat.url + "/widget.css").status_code == 200


def test_serve_says_where_and_returns_when_stopped_with_the_port_closed(tmp_path, capsys):
    served = ServedWebChat(RecordingRasa(), tmp_path).start()
    served.stop()
    assert f"Serving the web chat at {served.url}/ (demo page)." in capsys.readouterr().out
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", served.port)) != 0


def test_bot_run_serves_the_web_chat_keeps_the_token_out_of_var_and_stops_on_ctrl_c(
    tmp_path, reserve_port
):
    """``python -m bot run`` with WEBCHAT_PORT, Rasa down: the French tourist is told to
    try again, the token is in no log or database, and Ctrl-C stops it all."""
    port = reserve_port()
    env = environment(
        {
            "WEBCHAT_PORT": str(port), "REVIEW_PORT": str(reserve_port()), "VAR_DIR": str(tmp_path),
            "RASA_URL": f"http://127.0.0.1:{reserve_port()}", "RASA_TIMEOUT_SECONDS": "1",
            "LOG_LEVEL": "DEBUG",
        }
    )  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conversation = httpx.post(
                    url + "/api/conversations", json={"language": "fr-FR"}, headers={"Origin": url}
                ).json()["conversation"]
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.2)
        body = {"conversation": conversation, "text": "bonjour", "language": "fr-FR"}
        answer = httpx.post(url + "/api/messages", json=body, headers={"Origin": url}, timeout=30)
        assert answer.json()["replies"][0]["text"].startswith("Le service est momentanément")
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert f"Serving the web chat at {url}/ (demo page)." in output
    secret = conversation.split(".")[0].encode()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path
    assert conversation.split(".")[0] not in output


def test_a_forwarded_for_header_counts_only_behind_a_trusted_proxy():
    from bot.channels.webchat_limits import client_address

    assert client_address("203.0.113.5", "198.51.100.1") == "203.0.113.5"  # a client's own header
    assert client_address("127.0.0.1", "198.51.100.1, 203.0.113.9", True) == "203.0.113.9"
    assert client_address("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert client_address("::ffff:192.0.2.7") == "192.0.2.7"


def test_webchat_trust_forwarded_for_is_read_from_the_environment():
    import settings as settings_module

    read = settings_module.from_environment
    assert read(
        {"WEBCHAT_PORT": "8090", "WEBCHAT_TRUST_FORWARDED_FOR": "1"}
    ).webchat.trust_forwarded_for
    assert not read({"WEBCHAT_PORT": "8090"}).webchat.trust_forwarded_for
