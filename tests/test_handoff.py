"""A person of the tourism office takes a conversation over, and gives it back.

The shared hold (handoff/store.py), the channel core that stays silent while a
person holds a conversation (bot/core/assistant.py) and sends staff replies
through the tourist's own channel (bot/core/outbox.py, handoff_relay.py), on the
offline WhatsApp and WeChat fakes with a stand-in Rasa."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.assistant import Assistant
from bot.core.conversation_log import ConversationLog
from bot.core.handoff_relay import Relay
from bot.core.outbox import Sent
from bot.core.pseudonym import pseudonym
from bot.core.user_memory import UserMemory
from curated.live import LiveContent
from handoff.store import HandoffStore
from testkit.fake_graph_api import FakeGraphApi
from testkit.fake_wechat import FakeWeChatApi
from testkit.rasa import RecordingRasa
from testkit.telegram_harness import RunningBot
from testkit.wechat_harness import RunningWeChat
from testkit.whatsapp_harness import RunningWhatsApp

ROOT = Path(__file__).resolve().parent.parent
BACK_FR = "Vous discutez à nouveau avec l'assistant. Posez-moi vos questions !"
BACK_ZH = "您已回到智能助手，欢迎继续提问！"


def echo(text: str, metadata: dict) -> list[dict]:
    return [{"text": f"assistant: {text}"}]


@pytest.fixture
def holds(tmp_path):
    store = HandoffStore(f"sqlite:///{tmp_path / 'tracker.db'}")
    yield store
    store.close()


def held(holds: HandoffStore, user: str, channel: str, staff: str = "amelie") -> None:
    holds.request(user, channel, "fr")
    assert holds.take(user, staff)


# The hold


def test_a_waiting_conversation_is_taken_once_and_others_see_it_taken(holds):
    assert holds.request("p1", "telegram", "fr", place="chamonix")
    assert not holds.request("p1", "telegram", "fr")  # already waiting
    assert holds.take("p1", "amelie")
    assert not holds.take("p1", "wang")
    [open_one] = holds.open_conversations()
    assert (open_one.state, open_one.taken_by, open_one.place) == ("held", "amelie", "chamonix")


def test_only_the_staff_member_holding_it_replies_or_hands_it_back(holds):
    held(holds, "p1", "telegram")
    assert holds.reply("p1", "wang", "Bonjour") is None
    assert holds.reply("p1", "amelie", "Bonjour") is not None
    assert not holds.hand_back("p1", "wang")
    assert holds.hand_back("p1", "amelie")
    assert holds.active("p1") is None
    assert [(m.sender, m.text) for m in holds.pending()] == [
        ("staff", "Bonjour"),
        ("notice", "handoff_returned"),
    ]


def test_a_quiet_held_conversation_returns_to_the_assistant_after_the_quiet_time(tmp_path):
    holds = HandoffStore(f"sqlite:///{tmp_path / 'tracker.db'}", quiet_seconds=30 * 60)
    holds.request("p1", "wechat", "zh-Hans", now=1000.0)
    holds.take("p1", "wang", now=1000.0)
    assert holds.end_quiet(now=1000.0 + 29 * 60) == []
    assert holds.end_quiet(now=1000.0 + 31 * 60) == ["p1"]
    assert holds.active("p1") is None
    holds.close()


def test_the_assistant_never_answers_a_held_conversation(tmp_path, holds):
    rasa = RecordingRasa(echo)
    memory = UserMemory(tmp_path / "bot.db")
    log = ConversationLog(tmp_path / "conversations.db")
    assistant = Assistant(rasa, memory, b"k", LiveContent(ROOT / "content"), log, holds=holds)
    user = pseudonym(b"k", "telegram", "42")

    async def talk() -> list:
        first = await assistant.handle("telegram", "42", "bonjour")
        held(holds, user, "telegram")
        second = await assistant.handle("telegram", "42", "je voudrais un guide")
        holds.hand_back(user, "amelie")
        third = await assistant.handle("telegram", "42", "merci")
        return [first, second, third]

    first, second, third = asyncio.run(talk())
    assert rasa.texts == ["bonjour", "merci"]  # nothing while held
    assert second.replies == [] and first.replies and third.replies
    kept = [m.text for m in holds.messages_of(user) if m.sender == "tourist"]
    assert kept == ["je voudrais un guide"]
    log.flush()
    assert [t["outcome"] for t in log.turns()] == ["answered", "held", "answered"]
    log.close()
    memory.close()


def test_a_hold_taken_through_one_channel_process_silences_every_other(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"  # PostgreSQL in a region: the same URL for all
    first, second = HandoffStore(url), HandoffStore(url)
    rasa = RecordingRasa(echo)
    memories = [UserMemory(tmp_path / f"bot-{n}.db") for n in (1, 2)]
    processes = [
        Assistant(rasa, memory, b"k", LiveContent(ROOT / "content"), holds=store)
        for memory, store in zip(memories, (first, second), strict=True)
    ]
    user = pseudonym(b"k", "wechat", "oXYZ")
    held(first, user, "wechat")
    answers = [asyncio.run(p.handle("wechat", "oXYZ", "还在吗")) for p in processes]
    assert [a.replies for a in answers] == [[], []] and rasa.texts == []
    for memory in memories:
        memory.close()
    first.close()
    second.close()


def test_a_tourist_waiting_for_a_person_is_still_answered_and_read_by_staff(tmp_path, holds):
    rasa = RecordingRasa(echo)
    memory = UserMemory(tmp_path / "bot.db")
    assistant = Assistant(rasa, memory, b"k", LiveContent(ROOT / "content"), holds=holds)
    user = pseudonym(b"k", "telegram", "43")
    holds.request(user, "telegram", "fr")
    answer = asyncio.run(assistant.handle("telegram", "43", "c'est long ?"))
    assert answer.replies[0].text == "assistant: c'est long ?"
    assert [m.text for m in holds.messages_of(user)] == ["c'est long ?"]
    memory.close()


def test_the_action_asking_for_a_person_puts_the_conversation_in_the_inbox(tmp_path, holds):
    def offer(text: str, metadata: dict) -> list[dict]:
        return [
            {"text": "Je préviens l'équipe."},
            {"custom": {"handoff": {"place": "chamonix", "office": "chamonix"}}},
        ]

    memory = UserMemory(tmp_path / "bot.db")
    assistant = Assistant(
        RecordingRasa(offer), memory, b"k", LiveContent(ROOT / "content"), holds=holds
    )
    answer = asyncio.run(assistant.handle("whatsapp", "33600", "/request_person"))
    assert [r.text for r in answer.replies] == ["Je préviens l'équipe."]
    [waiting] = holds.open_conversations()
    assert (waiting.user, waiting.channel, waiting.state, waiting.place) == (
        pseudonym(b"k", "whatsapp", "33600"),
        "whatsapp",
        "waiting",
        "chamonix",
    )
    memory.close()


# Through the channels


@pytest.fixture(scope="module")
def graph():
    server = FakeGraphApi().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def wechat_api():
    server = FakeWeChatApi().start()
    yield server
    server.stop()


def test_whatsapp_staff_talk_with_a_tourist_and_hand_back(graph, tmp_path, holds):
    rasa = RecordingRasa(echo)
    running = RunningWhatsApp(graph, rasa, tmp_path, ROOT / "content", holds=holds).start()
    meta = running.meta()
    try:
        meta.send(meta.message("33611", "bonjour"))
        graph.wait_for_messages("33611", 1)
        user = pseudonym(running.assistant.key, "whatsapp", "33611")
        held(holds, user, "whatsapp")
        meta.send(meta.message("33611", "vous êtes là ?"))
        holds.reply(user, "amelie", "Oui, Amélie de l'office de Chamonix.")
        assert graph.wait_for_messages("33611", 2)[1] == "Oui, Amélie de l'office de Chamonix."
        holds.hand_back(user, "amelie")
        assert graph.wait_for_messages("33611", 3)[2] == BACK_FR
        meta.send(meta.message("33611", "merci"))
        assert graph.wait_for_messages("33611", 4)[3] == "assistant: merci"
        assert rasa.texts == ["bonjour", "merci"]
        assert [m.status for m in holds.messages_of(user) if m.sender != "tourist"] == [
            "sent",
            "sent",
        ]
        outcomes = [(t["text_in"], t["outcome"]) for t in running.log.turns()]
        assert ("vous êtes là ?", "held") in outcomes  # not answered by the assistant
        assert ("[staff: amelie]", "staff") in outcomes  # who answered, in the turn log
    finally:
        meta.close()
        running.stop()


def test_whatsapp_a_staff_reply_outside_the_24_hour_window_is_refused_and_shown(
    graph, tmp_path, holds
):
    running = RunningWhatsApp(graph, RecordingRasa(echo), tmp_path, ROOT / "content", holds=holds)
    running.start()
    meta = running.meta()
    try:
        meta.send(meta.message("33622", "bonjour"))
        graph.wait_for_messages("33622", 1)
        user = pseudonym(running.assistant.key, "whatsapp", "33622")
        held(holds, user, "whatsapp")
        graph.fail_next(131047)  # Meta: more than 24 h since the tourist's last message
        message_id = holds.reply(user, "amelie", "Êtes-vous toujours là ?")
        graph.wait_for(
            lambda: [m.status for m in holds.messages_of(user) if m.id == message_id] == ["refused"]
        )
        [refused] = [m for m in holds.messages_of(user) if m.id == message_id]
        assert refused.why == "window_closed"
    finally:
        meta.close()
        running.stop()


def test_whatsapp_a_restart_while_a_person_holds_the_conversation_loses_nothing(
    graph, tmp_path, holds
):
    addresses = tmp_path / "addresses.db"
    rasa = RecordingRasa(echo)
    first = RunningWhatsApp(graph, rasa, tmp_path, ROOT / "content", holds=holds, addresses=addresses)  # fmt: skip
    first.start()
    meta = first.meta()
    meta.send(meta.message("33633", "bonjour"))
    graph.wait_for_messages("33633", 1)
    user = pseudonym(first.assistant.key, "whatsapp", "33633")
    held(holds, user, "whatsapp")
    meta.close()
    first.stop()
    holds.reply(user, "amelie", "Je regarde les horaires du train.")  # written while it is down
    second = RunningWhatsApp(graph, rasa, tmp_path, ROOT / "content", "again", holds=holds, addresses=addresses)  # fmt: skip
    second.start()
    meta = second.meta()  # the restarted webhook
    try:
        assert graph.wait_for_messages("33633", 2)[1] == "Je regarde les horaires du train."
        meta.send(meta.message("33633", "merci beaucoup"))
        graph.wait_for(lambda: "merci beaucoup" in [m.text for m in holds.messages_of(user)])
        assert rasa.texts == ["bonjour"]  # the assistant stayed silent after the restart too
    finally:
        meta.close()
        second.stop()


def test_wechat_staff_replies_go_out_as_customer_service_messages_in_order(
    wechat_api, tmp_path, holds
):
    running = RunningWeChat(wechat_api, RecordingRasa(echo), tmp_path, holds=holds).start()
    open_id = "oAbC-handoff-1"
    try:
        running.sender.text(open_id, "你好")
        user = pseudonym(b"test-key", "wechat", open_id)
        holds.request(user, "wechat", "zh-Hans")
        holds.take(user, "wang")
        delivery = running.sender.text(open_id, "我想找人工客服")
        assert delivery.body == "success"  # no answer from the assistant while held
        for n in range(1, 4):
            holds.reply(user, "wang", f"第{n}条")
        assert wechat_api.wait_for_sent(open_id, 3) == ["第1条", "第2条", "第3条"]
        assert holds.staff_since_tourist(user)[0] == 3  # of the 5 WeChat allows
        holds.hand_back(user, "wang")
        assert wechat_api.wait_for_sent(open_id, 4)[3] == BACK_ZH
    finally:
        running.stop()


def test_telegram_staff_talk_with_a_tourist_and_the_assistant_answers_again(
    bot_api, settings, tmp_path, holds
):
    rasa = RecordingRasa(echo)
    running = RunningBot(bot_api, "http://127.0.0.1:9", replace(settings, var_dir=tmp_path), "handoff", holds=holds)  # fmt: skip
    running.assistant.rasa = rasa  # the stand-in Rasa: no model needed
    running.start()
    try:
        bot_api.push_message(771, "bonjour", language_code="fr")
        bot_api.wait_for_messages(771, 1)
        user = pseudonym(running.assistant.key, "telegram", "771")
        held(holds, user, "telegram")
        bot_api.push_message(771, "<b>vous êtes là ?</b>", language_code="fr")
        bot_api.wait_for(
            lambda: "<b>vous êtes là ?</b>" in [m.text for m in holds.messages_of(user)]
        )
        holds.reply(user, "amelie", "Oui : <Amélie> de l'office.")
        assert bot_api.wait_for_messages(771, 2)[1] == "Oui : &lt;Amélie&gt; de l'office."
        holds.hand_back(user, "amelie")
        assert bot_api.wait_for_messages(771, 3)[2] == BACK_FR
        bot_api.push_message(771, "merci", language_code="fr")
        assert bot_api.wait_for_messages(771, 4)[3] == "assistant: merci"
        assert rasa.texts == ["bonjour", "merci"]
    finally:
        running.stop()


def test_hand_off_transcripts_follow_erasure_and_retention(holds):
    holds.request("p1", "telegram", "fr", now=1000.0)
    holds.keep("p1", "mon numéro : 0612345678", now=1000.0)
    holds.request("p2", "wechat", "zh-Hans", now=5000.0)
    holds.keep("p2", "你好", now=5000.0)
    assert holds.erase("p1") == 2
    assert holds.messages_of("p1") == [] and holds.active("p1") is None
    holds.take("p2", "wang", now=5000.0)
    holds.hand_back("p2", "wang", now=5001.0)
    assert holds.forget_before(6000.0) == 3  # two messages (one the notice) and the hand-off
    assert holds.messages_of("p2") == []


def test_a_channel_that_fails_to_send_marks_the_reply_refused_and_the_next_goes_out(
    tmp_path, holds
):
    class Flaky:
        def __init__(self) -> None:
            self.sent: list[str] = []

        async def send_texts(self, channel_user, address, texts):
            if texts == ["boom"]:
                raise ConnectionError("platform down")
            self.sent += texts
            return Sent(True)

    memory = UserMemory(tmp_path / "bot.db")
    assistant = Assistant(
        RecordingRasa(echo), memory, b"k", LiveContent(ROOT / "content"), holds=holds
    )
    flaky = Flaky()
    assistant.outbox.register("telegram", flaky)
    user = assistant.outbox.remember("telegram", "99")
    held(holds, user, "telegram")
    first = holds.reply(user, "amelie", "boom")
    holds.reply(user, "amelie", "ça va ?")
    assert asyncio.run(Relay(assistant, holds).once()) == 1
    assert flaky.sent == ["ça va ?"]
    assert [m.status for m in holds.messages_of(user) if m.id == first] == ["refused"]
    memory.close()


# After two refusals in a row, on the trained model and the real action server


@pytest.mark.e2e
def test_two_unanswerable_questions_in_a_row_offer_a_person_and_an_answer_between_does_not(
    new_chat,
):
    chat = new_chat()
    offer = {"title": "Talk to a person", "payload": "/request_person"}

    def offered(text: str) -> list[str]:
        return [r.text for r in chat.say(text).replies if offer in r.buttons]

    assert not offered("what is the price of bitcoin today")
    assert not offered("how do I get to Badaling?")  # answered: the count starts again
    assert not offered("who will win the football world cup?")
    # The office of the conversation's place (Badaling), its hours in the tourist's language.
    assert offered("write me a poem about cats") == [
        "A person from the Yanqing visitor centre can answer you here: every day, 8:30 am to "
        "5:30 pm Beijing time."
    ]
