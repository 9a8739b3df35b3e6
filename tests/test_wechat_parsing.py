"""WeChat's input read with generated data (hypothesis): whatever arrives, the parser
returns fields or refuses, the safe mode decrypts or refuses, and the callback
answers a status, never a traceback."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.wechat_crypto import CryptoError, SafeMode, check_signature, signature
from bot.channels.wechat_messages import MessageError, parse, text_reply
from testkit.fake_wechat import FakeWeChatApi, message_xml
from testkit.rasa import RecordingRasa
from testkit.wechat_harness import AES_KEY, RunningWeChat

NAMES = st.sampled_from(
    ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event", "x"]
)
PIECES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["<xml>", "</xml>", "<![CDATA[", "]]>", "&amp;", "&x;", "<!DOCTYPE x>", "<!ENTITY a 'b'>",
         "<?xml version='1.0'?>", "<a>", "</a>", "&#0;", "&#x1F600;", "\x00", "\ufeff"]
    ),
)  # fmt: skip


def read(body: bytes) -> dict[str, str] | None:
    try:
        return parse(body)
    except MessageError:
        return None


@given(st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused(body):
    fields = read(body)
    assert fields is None or all(isinstance(v, str) for v in fields.values())


@given(st.lists(PIECES, max_size=40))
def test_xml_like_text_is_read_or_refused(pieces):
    fields = read("".join(pieces).encode("utf-8", "surrogatepass"))
    assert fields is None or all(isinstance(v, str) for v in fields.values())


@given(st.dictionaries(NAMES, st.text(max_size=200)))
def test_a_message_with_any_field_values_reads_back_as_sent(fields):
    body = message_xml(dict(fields))
    readable = all("]]>" not in v and _xml_chars(v) for v in fields.values())
    parsed = read(body.encode("utf-8", "surrogatepass"))
    if readable and fields:
        assert parsed == {k: v.strip() for k, v in fields.items()}


@given(st.text(max_size=3000))
def test_a_passive_reply_holds_any_answer_text(content):
    if not _xml_chars(content):
        return
    reply = parse(text_reply("o1", "gh", content).encode("utf-8"))
    assert reply["Content"] == content.strip()


@given(st.text(max_size=300), st.text(max_size=20), st.text(max_size=20), st.text(max_size=60))
def test_safe_mode_decrypts_or_refuses_anything(encrypted, timestamp, nonce, msg_signature):
    safe = SafeMode("token123", AES_KEY, "wx0123456789abcdef")
    with pytest.raises(CryptoError):
        safe.decrypt(encrypted, timestamp, nonce, msg_signature)
    # Even with the right msg_signature, what is not WeChat's ciphertext is refused.
    with pytest.raises(CryptoError):
        safe.decrypt(
            encrypted, timestamp, nonce, signature("token123", timestamp, nonce, encrypted)
        )


@given(st.text(max_size=3000))
def test_safe_mode_reads_back_what_it_encrypted(xml):
    safe = SafeMode("token123", AES_KEY, "wx0123456789abcdef")
    try:
        xml.encode("utf-8")
    except UnicodeEncodeError:
        return
    encrypted = safe.encrypt(xml)
    assert safe.decrypt(encrypted, "1", "n", signature("token123", "1", "n", encrypted)) == xml


@given(st.text(max_size=80))
def test_any_signature_is_checked_without_an_error(given_signature):
    assert not check_signature(
        "token123", "1", "n", given_signature
    ) or given_signature.lower() == signature("token123", "1", "n")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    api = FakeWeChatApi().start()
    running = RunningWeChat(
        api, RecordingRasa([{"text": "好"}]), tmp_path_factory.mktemp("fuzz"), deadline=0.3
    ).start()
    yield running
    running.stop()
    api.stop()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.one_of(st.binary(max_size=3000), st.lists(PIECES, max_size=30).map("".join)))
def test_the_callback_answers_any_signed_body_with_a_status_and_no_traceback(served, body):
    delivery = served.sender.post(
        body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    )
    assert delivery.status in (200, 400, 403, 413)
    assert "Traceback" not in delivery.body and "Error" not in delivery.body


def _xml_chars(text: str) -> bool:
    """Characters XML 1.0 can carry (no NUL, no lone surrogate, no U+FFFE...)."""
    return (
        all(
            c in "\t\n\r"
            or 0x20 <= ord(c) <= 0xD7FF
            or 0xE000 <= ord(c) <= 0xFFFD
            or ord(c) >= 0x10000
            for c in text
        )
        and "\r" not in text
    )
