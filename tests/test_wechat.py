"""The WeChat Official Account channel through the offline WeChat (testkit/fake_wechat.py):
what a follower sends, what they read back, what reaches Rasa (RecordingRasa: no model)."""

from __future__ import annotations

import logging
import time

import pytest

from bot.channels import wechat
from bot.core.dedup import DedupStore
from curated.live import LiveContent
from testkit.fake_wechat import FakeWeChatApi
from testkit.rasa import RecordingRasa
from testkit.wechat_harness import ROOT, RunningWeChat

PHRASES = LiveContent(ROOT / "content").get()
# The channel's passive deadline (4 s in production): short in the tests of answers that
# are late (Rasa made slower than it), long where the answer must be the passive reply, so
# that a loaded machine never makes an answer late.
DEADLINE = 0.4
PASSIVE = 30.0


def answer_in_language(text, metadata):
    return [
        {
            "fr": {"text": "Chamonix est au pied du Mont-Blanc."},
            "zh": {"text": "八达岭长城门票40元。"},
            "en": {"text": "Chamonix lies below Mont Blanc."},
        }[metadata["language"]]
    ]


@pytest.fixture(scope="module")
def api():
    server = FakeWeChatApi().start()
    yield server
    server.stop()


@pytest.fixture
def channel(api, tmp_path):
    """The channel on RecordingRasa, answering in the language the core decided."""
    running = RunningWeChat(api, RecordingRasa(answer_in_language), tmp_path, deadline=PASSIVE)
    running.start()
    yield running
    running.stop()


def start(api, tmp_path, replies=None, deadline=PASSIVE, **options):
    return RunningWeChat(
        api, RecordingRasa(replies, **options), tmp_path, deadline=deadline
    ).start()


def openid(name: str) -> str:
    return f"oAbC-{name}-{time.monotonic_ns()}"


# The server URL


def test_wechat_verifying_the_server_url_gets_echostr_back(channel):
    delivery = channel.sender.verify("echo-4711")
    assert (delivery.status, delivery.body) == (200, "echo-4711")


@pytest.mark.parametrize("wrong", [{"good_signature": False}, {"age": 301}])
def test_a_verification_with_a_wrong_signature_or_an_old_timestamp_is_refused(channel, wrong):
    delivery = channel.sender.verify("echo-4711", **wrong)
    assert delivery.status == 403 and "echo" not in delivery.body


@pytest.mark.parametrize("wrong", [{"good_signature": False}, {"age": 6 * 60}])
def test_a_message_with_a_wrong_signature_or_an_old_timestamp_is_refused_unread(channel, wrong):
    sender = channel.sender
    delivery = sender.post(sender.fields(openid("a"), "text", Content="八达岭门票多少钱"), **wrong)
    assert delivery.status == 403 and delivery.body == ""
    assert channel.rasa.received == []


# Text


def test_a_chinese_question_is_answered_passively_in_chinese(channel):
    delivery = channel.sender.text(openid("zh"), "八达岭门票多少钱")
    assert delivery.status == 200
    assert delivery.text == "八达岭长城门票40元。"
    assert delivery.fields["MsgType"] == "text"
    assert delivery.fields["FromUserName"] == channel.sender.account
    assert channel.rasa.received[0][2] == {"language": "zh", "channel": "wechat"}


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "Bonjour, comment aller à Chamonix depuis Genève ?",
            "Chamonix est au pied du Mont-Blanc.",
        ),
        ("Hello, how do I get to Chamonix from Geneva?", "Chamonix lies below Mont Blanc."),
    ],
)
def test_french_and_english_followers_are_answered_in_their_language(channel, question, answer):
    assert channel.sender.text(openid("tourist"), question).text == answer


def test_the_openid_reaches_neither_rasa_nor_the_log(channel, caplog):
    follower = openid("private")
    with caplog.at_level(logging.DEBUG):
        channel.sender.text(follower, "崇礼怎么去")
        channel.sender.event(follower, "unsubscribe")
    sent_user = channel.rasa.received[0][0]
    assert follower not in sent_user and sent_user.startswith("u")
    assert all(follower not in record.getMessage() for record in caplog.records)
    assert all(follower not in turn["user"] for turn in channel.turns())


def test_buttons_are_a_numbered_list_and_a_digit_presses_one(api, tmp_path):
    buttons = [
        {"title": "门票", "payload": '/ask_prices{"place": "badaling"}'},
        {"title": "交通", "payload": '/ask_directions{"place": "badaling"}'},
    ]
    running = start(api, tmp_path, [{"text": "八达岭长城", "buttons": buttons}])
    try:
        follower = openid("buttons")
        shown = running.sender.text(follower, "八达岭").text
        assert shown == "八达岭长城\n\n1. 门票\n2. 交通\n\n" + PHRASES.phrase(
            "choose_by_number", "zh"
        )
        running.sender.text(follower, "2")
        assert running.rasa.texts[-1].startswith('/ask_directions{"place": "badaling"')
    finally:
        running.stop()


def test_a_3000_character_answer_is_cut_under_2048_bytes_on_a_boundary(api, tmp_path):
    paragraphs = ["长城" * 300, "勃朗峰" * 400, "崇礼" * 600]  # 3,000 characters, 9,000 bytes
    running = start(api, tmp_path, [{"text": "\n\n".join(paragraphs)}])
    try:
        text = running.sender.text(openid("long"), "长城").text
        assert len(text.encode("utf-8")) <= 2048
        assert text == paragraphs[0] + "…"  # cut at the blank line, not inside a word
    finally:
        running.stop()


# The five-second rule


def test_a_slow_answer_goes_through_the_api_and_the_retries_do_not_reach_rasa(api, tmp_path):
    running = start(
        api, tmp_path, [{"text": "崇礼在张家口。"}], delay=DEADLINE + 0.4, deadline=DEADLINE
    )
    try:
        follower = openid("slow")
        message = running.sender.fields(follower, "text", Content="崇礼在哪里")
        first = running.sender.post(message)
        assert first.body == "success"  # not kept waiting for an answer not ready by the deadline
        retries = [running.sender.post(message) for _ in range(2)]  # WeChat retries twice
        assert [r.body for r in retries] == ["success", "success"]
        assert api.wait_for_sent(follower) == ["崇礼在张家口。"]
        time.sleep(0.2)
        assert running.rasa.texts == ["崇礼在哪里"]
        assert api.sent(follower) == ["崇礼在张家口。"]  # once
    finally:
        running.stop()


def test_a_retry_of_an_answered_message_gets_the_same_passive_reply_without_rasa(channel):
    message = channel.sender.fields(openid("again"), "text", Content="八达岭门票多少钱")
    first = channel.sender.post(message)
    again = channel.sender.post(message)
    assert again.text == first.text == "八达岭长城门票40元。"
    assert len(channel.rasa.received) == 1


def test_a_retry_reaching_a_restarted_channel_is_not_answered_again(api, tmp_path):
    store = tmp_path / "deliveries.db"
    first = RunningWeChat(
        api, RecordingRasa([{"text": "好"}]), tmp_path / "a", deadline=PASSIVE,
        deliveries=DedupStore(store),
    ).start()  # fmt: skip
    message = first.sender.fields(openid("restart"), "text", Content="你好")
    try:
        assert first.sender.post(message).text == "好"
    finally:
        first.stop()
    second = RunningWeChat(
        api, RecordingRasa([{"text": "好"}]), tmp_path / "b", deadline=PASSIVE,
        deliveries=DedupStore(store),
    ).start()  # fmt: skip
    try:
        assert second.sender.post(message).body == "success"
        assert second.rasa.received == []
    finally:
        second.stop()


def test_one_followers_messages_are_answered_in_order(api, tmp_path):
    def slow_first(text, metadata):
        return [{"text": f"答：{text}"}]

    running = start(api, tmp_path, slow_first, delay=0.1)
    try:
        follower = openid("order")
        assert running.sender.text(follower, "崇礼").text == "答：崇礼"
        assert running.sender.text(follower, "门票呢").text == "答：门票呢"
        assert running.rasa.texts == ["崇礼", "门票呢"]
    finally:
        running.stop()


# The API: access token and refusals


def test_a_refused_token_is_refreshed_exactly_once(api, tmp_path):
    running = start(api, tmp_path, [{"text": "好的"}], delay=DEADLINE + 0.2, deadline=DEADLINE)
    try:
        follower = openid("token")
        running.sender.text(follower, "你好")
        api.wait_for_sent(follower)  # the first token is fetched for this message
        before = api.token_requests
        api.fail_next("custom/send", 40001)
        running.sender.text(follower, "还有吗")
        assert api.wait_for_sent(follower, 2) == ["好的", "好的"]
        assert api.token_requests == before + 1
    finally:
        running.stop()


@pytest.mark.parametrize("code", [45015, 45047])
def test_a_closed_window_or_used_quota_is_recorded_as_undelivered(api, tmp_path, code):
    running = start(api, tmp_path, [{"text": "好的"}], delay=DEADLINE + 0.2, deadline=DEADLINE)
    try:
        api.fail_next("custom/send", code)
        running.sender.text(openid("window"), "你好")
        api.wait_for(lambda: any(c.errcode == code for c in api.refused()))
        running.log.flush()
        deadline = time.monotonic() + 5
        while running.turns()[-1]["outcome"] != "undelivered" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert running.turns()[-1]["outcome"] == "undelivered"
        assert len([c for c in api.refused() if c.errcode == code]) == 1  # not retried
    finally:
        running.stop()


def test_a_long_late_answer_is_sent_in_pieces_that_fit(api, tmp_path):
    running = start(
        api, tmp_path, [{"text": "长城" * 1500}], delay=DEADLINE + 0.2, deadline=DEADLINE
    )
    try:
        follower = openid("pieces")
        running.sender.text(follower, "长城")
        api.wait_for(lambda: "".join(api.sent(follower)) == "长城" * 1500)
        assert all(len(piece.encode("utf-8")) <= 2048 for piece in api.sent(follower))
    finally:
        running.stop()


# Voice, media, events


def test_a_voice_message_with_recognition_is_answered_as_text(channel):
    reply = channel.sender.voice(openid("voice"), recognition="八达岭门票多少钱")
    assert reply.text == "八达岭长城门票40元。"
    assert channel.rasa.texts == ["八达岭门票多少钱"]


def test_a_voice_message_without_recognition_gets_the_note_that_only_text_is_read(channel):
    follower = openid("voice")
    channel.sender.text(follower, "你好")
    reply = channel.sender.voice(follower)
    assert reply.text == PHRASES.phrase("not_text", "zh")
    assert channel.rasa.texts == ["你好"]


@pytest.mark.parametrize("kind", ["image", "location", "link", "video", "shortvideo"])
def test_media_get_the_note_in_the_followers_language(channel, kind):
    follower = openid(kind)
    channel.sender.text(follower, "Bonjour, je prépare un voyage à Chamonix")
    reply = channel.sender.post(channel.sender.fields(follower, kind, PicUrl="http://x/y.jpg"))
    assert reply.text == PHRASES.phrase("not_text", "fr")
    assert len(channel.rasa.received) == 1


@pytest.mark.parametrize("scene", [None, "qrscene_chamonix"])
def test_following_the_account_greets_in_chinese_with_the_language_menu(api, tmp_path, scene):
    running = start(api, tmp_path, [{"text": "您好！我是勃朗峰—长城交叉旅游助手。"}])
    try:
        follower = openid("new")
        reply = running.sender.event(follower, "subscribe", scene)
        assert running.rasa.texts == ['/greet{"language": "zh"}']
        assert reply.text == (
            "您好！我是勃朗峰—长城交叉旅游助手。\n\n"
            + PHRASES.phrase("choose_language", "zh")
            + "\n\n1. Français\n2. 中文\n3. English\n\n"
            + PHRASES.phrase("choose_by_number", "zh")
        )
        running.sender.text(follower, "3")
        assert running.rasa.texts[-1].startswith('/change_language{"language": "en"')
    finally:
        running.stop()


def test_unfollowing_is_recorded_and_answered_with_nothing(channel):
    reply = channel.sender.event(openid("gone"), "unsubscribe")
    assert reply.body == "success"
    assert channel.rasa.received == []
    assert [t["text_in"] for t in channel.turns()] == ["[unsubscribe]"]


@pytest.mark.parametrize(
    ("key", "sent"),
    [("offers", "/ask_offers"), ("events", "/ask_events"), ("contact", "/contact_human")],
)
def test_a_menu_click_asks_its_topic(channel, key, sent):
    channel.sender.event(openid("menu"), "CLICK", key)
    assert channel.rasa.texts[0].startswith(sent + "{")


def test_the_language_menu_key_shows_the_languages_as_a_numbered_list(channel):
    reply = channel.sender.event(openid("menu"), "CLICK", "language")
    assert "1. Français\n2. 中文\n3. English" in reply.text
    assert channel.rasa.received == []


@pytest.mark.parametrize("event", [("CLICK", "unknown"), ("VIEW", "https://x"), ("LOCATION", None)])
def test_other_events_are_answered_with_nothing(channel, event):
    assert channel.sender.event(openid("other"), *event).body == "success"
    assert channel.rasa.received == []


def test_a_click_event_retried_by_wechat_reaches_rasa_once(channel):
    message = channel.sender.fields(openid("twice"), "event", Event="CLICK", EventKey="offers")
    channel.sender.post(message)
    channel.sender.post(message)
    assert len(channel.rasa.received) == 1


# Safe mode


@pytest.fixture
def safe_channel(api, tmp_path):
    running = RunningWeChat(
        api, RecordingRasa(answer_in_language), tmp_path, safe=True, deadline=PASSIVE
    ).start()
    yield running
    running.stop()


def test_safe_mode_decrypts_the_message_and_encrypts_the_reply(safe_channel):
    delivery = safe_channel.sender.text(openid("safe"), "八达岭门票多少钱")
    assert "<Encrypt>" in delivery.body and "八达岭" not in delivery.body
    assert delivery.text == "八达岭长城门票40元。"


def test_safe_mode_refuses_a_message_for_another_appid(safe_channel):
    from bot.channels.wechat_crypto import SafeMode

    safe_channel.sender.safe = SafeMode(
        safe_channel.settings.token, safe_channel.settings.encoding_aes_key, "wxanotheraccount00"
    )
    assert safe_channel.sender.text(openid("other-app"), "你好").status == 403
    assert safe_channel.rasa.received == []


def test_safe_mode_refuses_a_wrong_msg_signature_and_a_plain_message(safe_channel):
    sender = safe_channel.sender
    params, body = sender.request(
        "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType></xml>"
    )
    params["msg_signature"] = "0" * 40
    assert sender._client.post(sender.url, params=params, content=body).status_code == 403
    sender.safe = None  # a plain message to a server in safe mode
    assert sender.text(openid("plain"), "你好").status == 403
    assert safe_channel.rasa.received == []


# Hostile requests


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&c;</Content><MsgId>1</MsgId></xml>"
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType><Content>&x;</Content></xml>"
)
UNDECLARED = (
    "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType><Content>&x;</Content></xml>"
)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (BILLION_LAUGHS, 400),
        (EXTERNAL, 400),
        (UNDECLARED, 400),
        ("<xml><FromUserName>o1" + "<a>" * 5000, 400),
        ("not xml at all", 400),
        (b"<xml>" + b"x" * (1024 * 1024) + b"</xml>", 413),
    ],
    ids=["entities", "external-entity", "undeclared-entity", "deep", "not-xml", "1MB"],
)
def test_hostile_xml_is_refused_without_a_traceback(channel, caplog, body, status):
    with caplog.at_level(logging.DEBUG):
        delivery = channel.sender.post(body)
    assert delivery.status == status
    assert "Traceback" not in delivery.body and "passwd" not in delivery.body
    assert channel.rasa.received == []
    assert not [r for r in caplog.records if r.exc_info]


# The menu command


def test_the_menu_command_creates_the_menu_in_chinese(api, monkeypatch, capsys):
    from bot import cli

    for name, value in {
        "WECHAT_TOKEN": "wechatTestToken1",
        "WECHAT_APP_ID": api.app_id,
        "WECHAT_APP_SECRET": api.app_secret,
        "WECHAT_API_BASE_URL": api.base_url,
    }.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["wechat-menu"]) == 0
    menu = api.menus()[-1]
    first = [b["name"] for b in menu["button"]]
    assert first == [
        PHRASES.phrase(k, "zh")
        for k in ("wechat_menu_offers", "wechat_menu_events", "wechat_menu_more")
    ]
    keys = [b.get("key") for b in menu["button"]] + [
        b["key"] for b in menu["button"][2]["sub_button"]
    ]
    assert keys == ["offers", "events", None, "contact", "language"]
    assert set(keys) - {None} == set(wechat.MENU_PAYLOADS) | {wechat.LANGUAGE_KEY}
    assert "当前优惠" in capsys.readouterr().out


def test_the_menu_is_sent_as_utf8_not_escaped(api, monkeypatch):
    import asyncio

    from bot.channels.wechat_api import WeChatApi

    seen = []
    api.listeners.append(lambda call: seen.append(call))
    client = WeChatApi(api.base_url, api.app_id, api.app_secret)

    async def create():
        await client.create_menu(
            {"button": [{"type": "click", "name": "当前优惠", "key": "offers"}]}
        )
        await client.close()

    asyncio.run(create())
    api.listeners.clear()
    assert "当前优惠".encode() in seen[-1].raw and b"\\u" not in seen[-1].raw


def test_a_message_a_stopped_process_had_not_answered_is_answered_at_the_next_start(api, tmp_path):
    from testkit.fake_wechat import message_xml

    store = DedupStore(tmp_path / "deliveries.db")
    follower = openid("crash")
    raw = message_xml(
        {"ToUserName": "gh", "FromUserName": follower, "CreateTime": 1, "MsgType": "text",
         "Content": "崇礼怎么去", "MsgId": 987654321}
    )  # fmt: skip
    store.receive("wechat", "987654321", raw)  # received, then the process was killed
    running = RunningWeChat(
        api, RecordingRasa([{"text": "从北京坐高铁到太子城站。"}]), tmp_path, deadline=DEADLINE,
        deliveries=store,
    ).start()  # fmt: skip
    try:
        assert api.wait_for_sent(follower) == ["从北京坐高铁到太子城站。"]
        assert running.rasa.texts == ["崇礼怎么去"]
    finally:
        running.stop()


def test_many_answers_at_once_fetch_one_token(api):
    import asyncio

    from bot.channels.wechat_api import WeChatApi

    client = WeChatApi(api.base_url, api.app_id, api.app_secret)
    before = api.token_requests
    follower = openid("many")

    async def send_all():
        await asyncio.gather(*(client.send_text(follower, f"答{i}") for i in range(10)))
        await client.close()

    asyncio.run(send_all())
    assert api.token_requests == before + 1
    assert sorted(api.sent(follower)) == sorted(f"答{i}" for i in range(10))


class SlowToMark(DedupStore):
    """A store whose mark "answered" takes longer than the passive deadline (a busy disk)."""

    def answered(self, channel: str, message_id: str) -> None:
        time.sleep(DEADLINE * 3)
        super().answered(channel, message_id)


def test_an_answer_ready_in_time_reaches_the_follower_however_slow_the_store(api, tmp_path):
    running = RunningWeChat(
        api, RecordingRasa([{"text": "崇礼在张家口。"}]), tmp_path, deadline=DEADLINE,
        deliveries=SlowToMark(":memory:"),
    ).start()  # fmt: skip
    try:
        follower = openid("slow-store")
        first = running.sender.text(follower, "崇礼在哪里")
        assert first.text == "崇礼在张家口。" or api.wait_for_sent(follower, 1, timeout=10) == [
            "崇礼在张家口。"
        ]
    finally:
        running.stop()
