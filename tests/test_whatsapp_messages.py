"""Reading WhatsApp webhook deliveries and writing replies as Graph API messages
(bot/channels/whatsapp_messages.py), without a server: whatever Meta (or anyone
holding the app secret) sends, the parser does not raise."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.whatsapp_messages import BUTTON, TEXT, parse
from fitting.whatsapp import Labels, messages_for
from testkit.fake_graph_api import MetaWebhook, meta_json

META = MetaWebhook("http://127.0.0.1:9/whatsapp", "secret")
LABELS = Labels("Voir les choix", "Que souhaitez-vous savoir ?")


def test_a_text_is_read_with_its_sender_and_id():
    value = META.message("33612345678", "Bonjour, comment aller à Chamonix ?")
    [message] = parse(meta_json(META.delivery(value))).messages
    assert (message.user, message.address, message.kind, message.text) == (
        "33612345678", {"to": "33612345678"}, TEXT, "Bonjour, comment aller à Chamonix ?",
    )  # fmt: skip
    assert message.message_id == value["messages"][0]["id"]


def test_a_sender_without_a_phone_number_is_keyed_by_the_business_scoped_id_of_the_contact():
    value = META.message(None, "bonjour", user_id="FR.1502576394655843")
    del value["messages"][0]["from_user_id"]  # only in the contacts array
    [message] = parse(meta_json(META.delivery(value))).messages
    assert message.user == "FR.1502576394655843"
    assert message.address == {"recipient": "FR.1502576394655843"}


def test_button_and_list_replies_carry_their_id_as_the_text():
    button = META.button_reply("336", "/ask_price", "Tarifs")
    row = META.button_reply("336", "/ask_events", "Événements", list_reply=True)
    read = parse(meta_json(META.delivery(button, row))).messages
    assert [(m.kind, m.text) for m in read] == [(BUTTON, "/ask_price"), (BUTTON, "/ask_events")]


def test_statuses_are_read_with_their_error_codes():
    value = META.status("wamid.OUT1", "failed", "336", errors=[131047])
    [status] = parse(meta_json(META.delivery(value))).statuses
    assert (status.message_id, status.status, status.errors) == ("wamid.OUT1", "failed", [131047])


def test_entries_and_changes_of_one_delivery_are_all_read():
    values = [META.message(str(n), f"message {n}") for n in range(5)]
    read = parse(meta_json(META.delivery(*values, entries=3))).messages
    assert sorted(m.text for m in read) == [f"message {n}" for n in range(5)]


def test_a_text_over_the_body_limit_goes_before_the_buttons():
    text = ("Chamonix. " * 90).strip() + "\n\n" + ("Yanqing. " * 50).strip()
    buttons = [{"title": "Tarifs", "payload": "/a"}, {"title": "Accès", "payload": "/b"}]
    first, second = messages_for(text, buttons, {}, LABELS)
    assert first["type"] == "text" and first["text"]["body"].startswith("Chamonix.")
    assert second["interactive"]["body"]["text"].startswith("Yanqing.")
    assert len(second["interactive"]["body"]["text"]) <= 1024


def test_buttons_without_text_get_the_phrase_as_body():
    [message] = messages_for("", [{"title": "Tarifs", "payload": "/a"}], {}, LABELS)
    assert message["interactive"]["body"]["text"] == "Que souhaitez-vous savoir ?"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "object",
                    "entry",
                    "changes",
                    "value",
                    "messages",
                    "contacts",
                    "statuses",
                    "id",
                    "from",
                    "from_user_id",
                    "type",
                    "text",
                    "body",
                    "interactive",
                    "button_reply",
                    "list_reply",
                    "button",
                    "payload",
                    "wa_id",
                    "user_id",
                    "status",
                    "errors",
                    "code",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),  # fmt: skip
    max_leaves=40,
)


@given(st.binary(max_size=2000))
def test_any_bytes_are_parsed_without_raising(raw):
    delivery = parse(raw)
    assert all(isinstance(m.text, str) and m.user for m in delivery.messages)


@given(json_values)
def test_any_json_is_parsed_without_raising_and_yields_only_well_formed_messages(value):
    for body in (value, {"entry": value}, {"entry": [{"changes": [{"value": value}]}]}):
        delivery = parse(json.dumps(body).encode())
        for message in delivery.messages:
            assert message.message_id and message.user and isinstance(message.text, str)
            assert list(message.address.values()) == [message.user]
        for status in delivery.statuses:
            assert all(isinstance(code, int) for code in status.errors)


def test_deeply_nested_json_is_parsed_without_raising():
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"entry":' * 50_000 + b"1" + b"}" * 50_000):
        delivery = parse(body)
        assert delivery.messages == [] and delivery.statuses == []
