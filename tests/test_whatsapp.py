"""The WhatsApp channel as Meta and a tourist see it: signed webhook deliveries in
(testkit/fake_graph_api.py's MetaWebhook), what the offline Graph API received
out. Rasa is the stand-in of testkit/rasa.py; the real model is in
test_whatsapp_e2e.py. One channel and one Graph API serve the whole module; each
test has its own tourists."""

from __future__ import annotations

import itertools
import json
import logging
import re
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.whatsapp_messages import Incoming
from bot.core.dedup import DedupStore
from testkit.fake_graph_api import FakeGraphApi, buttons_of, meta_json, signature
from testkit.rasa import RecordingRasa
from testkit.whatsapp_harness import APP_SECRET, VERIFY_TOKEN, RunningWhatsApp

ROOT = Path(__file__).resolve().parent.parent
NOT_TEXT_FR = "Je ne lis que les messages écrits. Posez-moi votre question en quelques mots !"
NOT_TEXT_ZH = "我只能阅读文字消息，请用文字提问！"
PARAGRAPH = "Le Mont-Blanc culmine à 4 806 mètres. " * 60  # about 2,300 characters


def scripted(text: str, metadata: dict) -> list[dict]:
    """What the stand-in Rasa answers: "N buttons", "long", "long titles", else an echo."""
    many = re.search(r"(\d+) boutons", text)
    if many:
        count = int(many.group(1))
        return [
            {
                "text": "Voici les destinations :",
                "buttons": [
                    {"title": f"Destination {i}", "payload": f'/ask_overview{{"place": "p{i}"}}'}
                    for i in range(1, count + 1)
                ],
            }
        ]
    if text == "long":
        return [{"text": "\n\n".join([PARAGRAPH, PARAGRAPH, PARAGRAPH])}]
    if text.startswith("titres longs"):
        count = 2 if text.endswith("2") else 5
        return [
            {
                "text": "Choisissez :",
                "buttons": [
                    {"title": f"Grande Muraille de Badaling numéro {i}", "payload": f"/p{i}"}
                    for i in range(count)
                ],
            }
        ]
    if text == "bouton long":
        return [{"text": "Un choix :", "buttons": [{"title": "Tarifs", "payload": "/ask_price" + "x" * 300}]}]  # fmt: skip
    return [{"text": f"OK: {text}"}]


@pytest.fixture(scope="module")
def rasa():
    return RecordingRasa(scripted)


@pytest.fixture(scope="module")
def api():
    server = FakeGraphApi().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def channel(api, rasa, tmp_path_factory):
    running = RunningWhatsApp(api, rasa, tmp_path_factory.mktemp("whatsapp"), ROOT / "content").start()  # fmt: skip
    yield running
    running.stop()


@pytest.fixture
def meta(channel, api, rasa):
    webhook = channel.meta()
    yield webhook
    webhook.close()
    api.clear_failures()
    rasa.delay = 0.0
    rasa.answer_when = None


_phones = itertools.count(33612000001)


@pytest.fixture
def tourist():
    """A new tourist's WhatsApp id (their phone number, as wa_id)."""
    return lambda: str(next(_phones))


def turns_of(channel, answer_text):
    return [t for t in channel.log.turns() if answer_text in " ".join(t["replies"])]


# Webhook verification


def test_meta_verifying_the_webhook_with_the_offices_token_gets_the_challenge_back(meta):
    status, text = meta.verify({"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"})  # fmt: skip
    assert (status, text) == (200, "1158201444")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
    ],
    ids=["wrong-token", "no-token", "wrong-mode"],
)
def test_a_verification_without_the_right_token_is_refused(meta, params):
    status, text = meta.verify(params)
    assert status == 403 and "1" not in text


# Signatures


@pytest.mark.parametrize("sign", [False, "sha256=" + "0" * 64, "sha1=abc", ""], ids=["missing", "wrong", "other-scheme", "empty"])  # fmt: skip
def test_a_delivery_without_a_valid_signature_is_refused_and_not_answered(meta, api, rasa, tourist, sign):  # fmt: skip
    wa_id = tourist()
    asked = len(rasa.received)
    value = meta.message(wa_id, "bonjour")
    assert meta.post(value, sign=sign) == 403
    time.sleep(0.2)
    assert api.attempts(wa_id) == [] and len(rasa.received) == asked
    assert value["messages"][0]["id"] not in api.read()


def test_the_signature_is_checked_over_the_bytes_meta_sent_not_over_reserialised_json(meta, api, rasa, tourist):  # fmt: skip
    wa_id = tourist()
    text = "Chambéry → Zhangjiakou 🏔️ 长城 https://www.chamonix.com/fr"
    raw = meta_json(meta.delivery(meta.message(wa_id, text)))
    assert b"\\u00e9" in raw and b"\\/" in raw  # as Meta writes it
    reserialised = json.dumps(json.loads(raw), ensure_ascii=False).encode()
    assert meta.post(raw, sign=signature(APP_SECRET, reserialised)) == 403
    assert meta.post(raw, sign=signature(APP_SECRET, raw)) == 200
    assert api.wait_for_messages(wa_id, 1) == [f"OK: {text}"]


# Receiving


def test_the_webhook_answers_200_at_once_and_the_answer_follows(meta, api, rasa, tourist):
    rasa.answer_when = threading.Event()  # Rasa has not answered yet...
    wa_id = tourist()
    try:
        assert meta.post(meta.message(wa_id, "bonjour")) == 200  # ...and Meta has its 200
        assert api.sent(wa_id) == []
    finally:
        rasa.answer_when.set()
    assert api.wait_for_messages(wa_id, 1) == ["OK: bonjour"]


def test_a_message_delivered_again_is_answered_once(meta, api, tourist):
    wa_id = tourist()
    value = meta.message(wa_id, "bonjour")
    assert meta.post(value) == 200
    api.wait_for_messages(wa_id, 1)
    assert meta.post(value) == 200  # Meta retries a delivery it is not sure of
    meta.send(meta.message(wa_id, "merci"))
    api.wait_for_messages(wa_id, 2)
    time.sleep(0.3)
    assert api.texts(wa_id) == ["OK: bonjour", "OK: merci"]


def test_a_message_received_before_a_crash_is_answered_at_the_next_start(api, rasa, tmp_path, tourist):  # fmt: skip
    wa_id = tourist()
    stored = tmp_path / "deliveries.db"
    crashed = DedupStore(stored)  # the last run stored it, then died before answering
    message = Incoming("wamid.CRASHED1", wa_id, {"to": wa_id}, "text", "bonjour")
    assert crashed.receive("whatsapp", message.message_id, message.to_json())
    crashed.close()
    restarted = RunningWhatsApp(api, rasa, tmp_path, ROOT / "content", "restart", deliveries=stored).start()  # fmt: skip
    try:
        assert api.wait_for_messages(wa_id, 1) == ["OK: bonjour"]
        # marked answered once sent, from a thread: a moment after Meta has it
        api.wait_for(lambda: restarted.deliveries.is_answered("whatsapp", "wamid.CRASHED1"))
    finally:
        restarted.stop()


def test_batched_entries_and_changes_are_all_answered(meta, api, tourist):
    first, second, third = tourist(), tourist(), tourist()
    values = [meta.message(first, "un"), meta.message(second, "deux"), meta.message(third, "trois"), meta.message(first, "quatre")]  # fmt: skip
    assert meta.post(meta.delivery(*values, entries=2)) == 200
    assert api.wait_for_messages(first, 2) == ["OK: un", "OK: quatre"]
    assert api.wait_for_messages(second, 1) == ["OK: deux"]
    assert api.wait_for_messages(third, 1) == ["OK: trois"]


def test_one_tourists_messages_are_answered_in_the_order_sent(meta, api, rasa, tourist):
    rasa.delay = 0.15
    wa_id = tourist()
    for text in ("Chamonix", "et le prix ?", "et les horaires ?"):
        meta.send(meta.message(wa_id, text))
    assert api.wait_for_messages(wa_id, 3) == ["OK: Chamonix", "OK: et le prix ?", "OK: et les horaires ?"]  # fmt: skip


def test_each_message_is_marked_read(meta, api, tourist):
    wa_id = tourist()
    message_id = meta.send(meta.message(wa_id, "bonjour"))
    api.wait_for_messages(wa_id, 1)
    assert message_id in api.read()


def test_a_tourist_without_a_shared_phone_number_is_answered_by_business_scoped_id(meta, api, rasa):  # fmt: skip
    bsuid = "FR.13491208655302741918"
    meta.send(meta.message(None, "bonjour", user_id=bsuid))
    assert api.wait_for_messages(bsuid, 1) == ["OK: bonjour"]
    assert api.sent(bsuid)[0]["recipient"] == bsuid and "to" not in api.sent(bsuid)[0]
    assert bsuid not in rasa.received[-1][0]  # Rasa sees a pseudonym


def test_pressing_a_reply_button_or_a_list_row_sends_its_payload(meta, api, rasa, tourist):
    wa_id = tourist()
    meta.send(meta.message(wa_id, "Bonjour, je voudrais visiter la région"))
    api.wait_for_messages(wa_id, 1)
    meta.send(meta.button_reply(wa_id, '/ask_price{"place": "chamonix"}', "Tarifs"))
    api.wait_for_messages(wa_id, 2)
    assert json.loads(rasa.texts[-1][len("/ask_price") :]) == {"place": "chamonix", "language": "fr"}  # fmt: skip
    meta.send(meta.button_reply(wa_id, "/ask_events", "Événements", list_reply=True))
    api.wait_for_messages(wa_id, 3)
    assert rasa.texts[-1] == '/ask_events{"language": "fr"}'


def test_a_long_payload_travels_as_a_short_key_and_comes_back_whole(meta, api, rasa, tourist):
    wa_id = tourist()
    meta.send(meta.message(wa_id, "bouton long"))
    api.wait_for_messages(wa_id, 1)
    [button] = buttons_of(api.sent(wa_id)[0])
    assert len(button["id"]) <= 200 and button["id"].startswith("k:")
    meta.send(meta.button_reply(wa_id, button["id"]))
    api.wait_for_messages(wa_id, 2)
    assert rasa.texts[-1].startswith("/ask_price" + "x" * 300)


@pytest.mark.parametrize(
    "kind, content",
    [
        ("image", {"mime_type": "image/jpeg", "sha256": "abc", "id": "1"}),
        ("audio", {"mime_type": "audio/ogg", "id": "2", "voice": True}),
        ("video", {"mime_type": "video/mp4", "id": "3"}),
        ("document", {"filename": "billet.pdf", "id": "4"}),
        ("location", {"latitude": 45.92, "longitude": 6.87, "name": "Chamonix"}),
        ("sticker", {"mime_type": "image/webp", "id": "5", "animated": False}),
        ("reaction", {"message_id": "wamid.X", "emoji": "👍"}),
        (
            "contacts",
            [{"name": {"formatted_name": "Office"}, "phones": [{"phone": "+33450530024"}]}],
        ),
        ("unsupported", None),
    ],
)
def test_what_is_not_text_gets_the_note_in_the_tourists_language(meta, api, rasa, tourist, kind, content):  # fmt: skip
    wa_id = tourist()
    meta.send(meta.message(wa_id, "Bonjour, je voudrais visiter Chamonix"))
    api.wait_for_messages(wa_id, 1)
    asked = len(rasa.received)
    meta.send(meta.message(wa_id, kind=kind, content=content))
    assert api.wait_for_messages(wa_id, 2)[1] == NOT_TEXT_FR
    assert len(rasa.received) == asked  # Rasa is not asked


def test_a_chinese_tourists_voice_note_gets_the_note_in_chinese(meta, api, tourist):
    wa_id = tourist()
    meta.send(meta.message(wa_id, "你好，我想去霞慕尼"))
    api.wait_for_messages(wa_id, 1)
    meta.send(meta.message(wa_id, kind="audio", content={"id": "9", "voice": True}))
    assert api.wait_for_messages(wa_id, 2)[1] == NOT_TEXT_ZH


def test_a_tourist_opening_the_chat_for_the_first_time_is_greeted(meta, api, rasa, tourist):
    wa_id = tourist()
    meta.send(meta.message(wa_id, kind="request_welcome"))
    api.wait_for_messages(wa_id, 1)
    assert rasa.texts[-1].startswith("/greet")


def test_whatsapps_own_notices_are_not_answered(meta, api, rasa, tourist):
    wa_id = tourist()
    notice = {"body": "User changed from one number to another", "type": "user_changed_number"}
    meta.send(meta.message(wa_id, kind="system", content=notice))
    meta.send(meta.message(wa_id, "bonjour"))  # once answered, the notice was handled
    assert api.wait_for_messages(wa_id, 1) == ["OK: bonjour"]
    time.sleep(0.2)
    assert api.texts(wa_id) == ["OK: bonjour"]


def test_messages_of_other_webhook_fields_are_not_answered(meta, api, tourist):
    wa_id = tourist()
    echo = meta.delivery(meta.message(wa_id, "écho de l'office"))
    echo["entry"][0]["changes"][0]["field"] = "smb_message_echoes"
    assert meta.post(echo) == 200
    meta.send(meta.message(wa_id, "bonjour"))
    assert api.wait_for_messages(wa_id, 1) == ["OK: bonjour"]
    time.sleep(0.2)
    assert api.texts(wa_id) == ["OK: bonjour"]


# Statuses


def test_sent_delivered_and_read_statuses_are_counted_and_not_answered(meta, api, channel, tourist):  # fmt: skip
    wa_id = tourist()
    meta.send(meta.message(wa_id, "bonjour"))
    api.wait_for_messages(wa_id, 1)
    [wamid] = api.wamids(wa_id)
    before = dict(channel.channel.statuses)
    for state in ("sent", "delivered", "read"):
        assert meta.post(meta.status(wamid, state, wa_id)) == 200
    api.wait_for(lambda: channel.channel.statuses["read"] > before.get("read", 0))
    time.sleep(0.2)
    assert len(api.sent(wa_id)) == 1
    assert all(channel.channel.statuses[s] == before.get(s, 0) + 1 for s in ("sent", "delivered", "read"))  # fmt: skip


def test_a_failed_status_marks_the_turn_undelivered_in_the_conversation_log(meta, api, channel, tourist):  # fmt: skip
    wa_id = tourist()
    meta.send(meta.message(wa_id, "statut échoué"))
    api.wait_for_messages(wa_id, 1)
    [wamid] = api.wamids(wa_id)
    api.wait_for(lambda: bool(turns_of(channel, "OK: statut échoué")))
    [turn] = turns_of(channel, "OK: statut échoué")
    assert turn["outcome"] == "answered"
    assert meta.post(meta.status(wamid, "failed", wa_id, errors=[131026])) == 200
    api.wait_for(lambda: turns_of(channel, "OK: statut échoué")[0]["outcome"] == "undelivered")


def test_a_failed_status_overtaking_the_sends_own_response_still_marks_the_turn(meta, api, channel, tourist):  # fmt: skip
    wa_id = tourist()

    def failed_at_once(call):  # Meta's webhook arrives before the API call returns
        if call.to == wa_id:
            meta.post(meta.status(call.body["_wamid"], "failed", wa_id, errors=[131026]))

    api.listeners.append(failed_at_once)
    try:
        meta.send(meta.message(wa_id, "statut en avance"))
        api.wait_for(lambda: [t["outcome"] for t in turns_of(channel, "OK: statut en avance")] == ["undelivered"])  # fmt: skip
    finally:
        api.listeners.remove(failed_at_once)


# Errors of the Graph API


def test_after_24_hours_nothing_is_sent_and_the_turn_is_recorded_undelivered(meta, api, channel, tourist):  # fmt: skip
    wa_id = tourist()
    api.fail_next(131047)
    meta.send(meta.message(wa_id, "fenêtre fermée"))
    api.wait_for(lambda: turns_of(channel, "OK: fenêtre fermée") and turns_of(channel, "OK: fenêtre fermée")[0]["outcome"] == "undelivered")  # fmt: skip
    assert [c.code for c in api.attempts(wa_id)] == [131047]  # not retried
    assert api.sent(wa_id) == []


@pytest.mark.parametrize("code", [130429, 131056])
def test_a_rate_limit_is_waited_for_and_the_answer_still_arrives(meta, api, tourist, code):
    wa_id = tourist()
    api.fail_next(code, times=2)
    meta.send(meta.message(wa_id, "bonjour"))
    assert api.wait_for_messages(wa_id, 1) == ["OK: bonjour"]
    attempts = api.attempts(wa_id)
    assert [c.code for c in attempts] == [code, code, None]
    assert attempts[2].at - attempts[1].at > attempts[1].at - attempts[0].at  # backing off


def test_server_errors_are_retried_a_few_times_and_never_in_a_loop(meta, api, channel, tourist):
    wa_id = tourist()
    api.fail_next(http_status=502, times=2)
    meta.send(meta.message(wa_id, "bonjour"))
    assert api.wait_for_messages(wa_id, 1) == ["OK: bonjour"]
    assert [c.status for c in api.attempts(wa_id)] == [502, 502, 200]
    other = tourist()
    api.fail_next(http_status=503, times=20)
    meta.send(meta.message(other, "toujours en panne"))
    api.wait_for(lambda: turns_of(channel, "OK: toujours en panne") and turns_of(channel, "OK: toujours en panne")[0]["outcome"] == "undelivered")  # fmt: skip
    time.sleep(0.3)
    assert len(api.attempts(other)) == 4  # then given up


def test_an_expired_token_is_logged_once_and_the_channel_keeps_serving(meta, api, tourist, caplog):  # fmt: skip
    caplog.set_level(logging.ERROR, logger="bot.channels.whatsapp")
    first, second = tourist(), tourist()
    api.fail_next(190, times=2)
    meta.send(meta.message(first, "bonjour"))
    meta.send(meta.message(second, "bonjour"))
    api.wait_for(lambda: len(api.attempts(first)) + len(api.attempts(second)) == 2)
    api.wait_for(lambda: any("code 190" in r.getMessage() for r in list(caplog.records)))
    time.sleep(0.2)  # time for a second line, if there were one
    assert sum("code 190" in r.getMessage() for r in caplog.records) == 1
    meta.send(meta.message(first, "encore là ?"))  # the token was replaced
    assert api.wait_for_messages(first, 1) == ["OK: encore là ?"]


# Sending


def test_a_long_answer_is_split_at_paragraphs_under_4096_characters(meta, api, tourist):
    wa_id = tourist()
    meta.send(meta.message(wa_id, "long"))
    pieces = api.wait_for_messages(wa_id, 2)
    time.sleep(0.2)
    pieces = api.texts(wa_id)
    assert all(len(p) <= 4096 for p in pieces) and len(pieces) >= 2
    assert pieces[0].endswith(PARAGRAPH.strip())  # cut between two paragraphs
    assert "".join(pieces).replace("\n", "").replace(" ", "") == (PARAGRAPH * 3).replace(" ", "")


@pytest.mark.parametrize("count", [2, 3])
def test_two_or_three_buttons_are_reply_buttons(meta, api, tourist, count):
    wa_id = tourist()
    meta.send(meta.message(wa_id, f"Montrez-moi {count} boutons, s'il vous plaît"))
    api.wait_for_messages(wa_id, 1)
    [message] = api.sent(wa_id)
    assert message["interactive"]["type"] == "button"
    assert message["interactive"]["body"]["text"] == "Voici les destinations :"
    assert [b["title"] for b in buttons_of(message)] == [f"Destination {i}" for i in range(1, count + 1)]  # fmt: skip
    assert buttons_of(message)[0]["id"] == '/ask_overview{"place": "p1"}'


@pytest.mark.parametrize("count, rows", [(4, 4), (10, 10), (12, 10)])
def test_four_to_ten_buttons_are_a_list_and_more_keep_the_first_ten(meta, api, tourist, count, rows):  # fmt: skip
    wa_id = tourist()
    meta.send(meta.message(wa_id, f"Montrez-moi {count} boutons, s'il vous plaît"))
    api.wait_for_messages(wa_id, 1)
    [message] = api.sent(wa_id)
    assert message["interactive"]["type"] == "list"
    assert (
        message["interactive"]["action"]["button"] == "Voir les choix"
    )  # from content/phrases.yml
    assert [b["title"] for b in buttons_of(message)] == [f"Destination {i}" for i in range(1, rows + 1)]  # fmt: skip


def test_long_titles_are_cut_to_what_whatsapp_shows(meta, api, tourist):
    wa_id = tourist()
    meta.send(meta.message(wa_id, "titres longs 2"))
    meta.send(meta.message(wa_id, "titres longs 5"))
    api.wait_for_messages(wa_id, 2)
    buttons, rows = (buttons_of(m) for m in api.sent(wa_id))
    assert all(len(b["title"]) <= 20 and b["title"].endswith("…") for b in buttons)
    assert all(len(r["title"]) <= 24 and r["title"].endswith("…") for r in rows)
    assert (
        rows[0]["description"] == "Grande Muraille de Badaling numéro 0"
    )  # the whole title, below


def test_the_language_menu_is_three_reply_buttons(meta, api, tourist):
    wa_id = tourist()
    meta.send(meta.message(wa_id, "langue"))
    api.wait_for_messages(wa_id, 1)
    [message] = api.sent(wa_id)
    assert [b["id"] for b in buttons_of(message)] == ["lang:fr", "lang:zh", "lang:en"]


# Privacy and robustness


def test_whatsapp_ids_never_reach_the_logs(meta, api, tourist, caplog):
    caplog.set_level(logging.DEBUG)
    wa_id = tourist()
    api.fail_next(131047)
    meta.send(meta.message(wa_id, "bonjour"))
    meta.send(meta.message(wa_id, kind="sticker", content={"id": "7"}))
    api.wait_for(lambda: len(api.attempts(wa_id)) == 2)
    [wamid] = api.wamids(wa_id)
    meta.post(meta.status(wamid, "failed", wa_id, errors=[131026]))
    api.wait_for(lambda: "undelivered" in caplog.text or "could not be delivered" in caplog.text)
    logged = caplog.text
    assert wa_id not in logged and wamid not in logged and "wamid.IN" not in logged


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "from",
                    "type",
                    "text",
                    "body",
                    "interactive",
                    "button_reply",
                    "messages",
                    "contacts",
                    "statuses",
                    "value",
                    "changes",
                    "entry",
                    "wa_id",
                    "user_id",
                    "status",
                    "errors",
                    "code",
                ]
            ),
            children,
            max_size=5,
        )
    ),  # fmt: skip
    max_leaves=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(value=json_values, text=st.text(max_size=50))
def test_any_signed_delivery_gets_200_and_never_a_traceback_to_a_tourist(meta, api, value, text):
    wa_id = "33699999999"
    odd = {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"messages": [{"id": f"wamid.F{time.monotonic_ns()}", "from": wa_id, "type": "text", "text": value}], "statuses": value}}]}]}  # fmt: skip
    assert meta.post(odd) == 200
    assert meta.post(meta.message(wa_id, text)) == 200
    assert meta.post(meta_json(value) + b"\xff") == 200  # signed, not JSON: nothing to do
    assert not any("Traceback" in t for t in api.texts(wa_id))


def test_serve_says_where_it_listens_answers_and_returns_once_stopped(
    api, tmp_path, capsys, reserve_port
):
    """What `make run` calls: bot/channels/whatsapp.py's serve(), until its stop event."""
    import asyncio

    import httpx

    from bot.channels import whatsapp
    from bot.core.assistant import Assistant
    from bot.core.user_memory import UserMemory
    from curated.live import LiveContent
    from settings import WhatsAppSettings
    from testkit.fake_graph_api import MetaWebhook

    port = reserve_port()
    config = WhatsAppSettings(api.token, api.phone_number_id, APP_SECRET, VERIFY_TOKEN, "127.0.0.1", port, api.base_url)  # fmt: skip
    memory, deliveries = UserMemory(tmp_path / "bot.db"), DedupStore(":memory:")
    assistant = Assistant(RecordingRasa(), memory, b"k", LiveContent(ROOT / "content"))
    url = f"http://127.0.0.1:{port}/whatsapp"

    async def main():
        stop = asyncio.Event()
        served = asyncio.create_task(whatsapp.serve(assistant, config, deliveries, stop))
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                try:
                    await client.get(url)
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            meta = MetaWebhook(url, APP_SECRET, api.phone_number_id)
            assert await asyncio.to_thread(meta.post, meta.message("33698765432", "bonjour")) == 200
            await asyncio.to_thread(api.wait_for_messages, "33698765432", 1)
            meta.close()
        stop.set()
        await asyncio.wait_for(served, 15)

    try:
        asyncio.run(main())
    finally:
        memory.close()
        deliveries.close()
    assert f"Serving tourists on WhatsApp at {url}" in capsys.readouterr().out
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)  # nothing left listening
