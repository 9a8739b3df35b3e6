"""Whole conversations through the channel layer, Rasa with the trained model, and the actions."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.assistant import Assistant
from bot.core.rasa_client import RasaClient
from bot.core.user_memory import UserMemory
from curated.live import LiveContent

pytestmark = pytest.mark.e2e

# One question per subject and language, the way tourists type them.
QUESTIONS = [
    ("fr", "comment monter a l'aiguille du midi", "aiguille_du_midi", "getting_there"),
    ("fr", "c'est quoi la grande muraille de badaling", "badaling", "overview"),
    ("fr", "on peut faire du biathlon a la feclaz ?", "bauges", "activities"),
    ("fr", "comment aller a chongli depuis pekin", "chongli", "getting_there"),
    ("fr", "presente moi chambery", "chambery", "overview"),
    ("zh", "勃朗峰什么时候去最好", "mont_blanc", "best_time"),
    ("zh", "八达岭长城门票多少钱", "badaling", "prices"),
    ("zh", "拉费克拉可以玩什么", "bauges", "activities"),
    ("zh", "张家口怎么去", "zhangjiakou", "getting_there"),
    ("zh", "介绍一下延庆", "yanqing", "overview"),
    ("en", "how much is the tramway du mont blanc", "tramway_mont_blanc", "prices"),
    ("en", "what time does mutianyu open", "mutianyu", "hours"),
    ("en", "how do i get to la feclaz from chambery", "bauges", "getting_there"),
    ("en", "what can i do in chongli", "chongli", "activities"),
    ("en", "tell me about the Universite Savoie Mont Blanc", "usmb", "overview"),
]


@pytest.mark.parametrize("language, question, place_id, topic", QUESTIONS)
def test_each_subject_is_answered_from_content_in_the_askers_language(
    new_chat, content, language, question, place_id, topic
):
    answer = new_chat().say(question)
    _, expected = content.topic(place_id, topic)
    assert answer.language == language
    assert expected.text[language] in answer.replies[0].text


@pytest.mark.parametrize(
    "greeting, language, start",
    [("bonjour", "fr", "Bonjour !"), ("你好", "zh", "您好！"), ("hello", "en", "Hello!")],
)
def test_a_greeting_offers_the_destinations_in_the_same_language(
    new_chat, greeting, language, start
):
    answer = new_chat().say(greeting)
    assert answer.language == language
    assert answer.replies[0].text.startswith(start)
    assert [b["payload"] for b in answer.replies[0].buttons][-1] == "/ask_offers"


def test_a_follow_up_without_a_place_uses_the_place_of_the_conversation(new_chat, content):
    chat = new_chat()
    chat.say("comment aller à la Féclaz ?")
    follow_up = chat.text("et le prix ?")
    assert content.places["bauges"].topics["prices"].text["fr"] in follow_up


def test_pressing_a_button_works_like_typing(new_chat, content):
    chat = new_chat()
    buttons = chat.say("你好").replies[0].buttons
    answer = chat.say(buttons[1]["payload"])  # the Great Wall
    assert answer.language == "zh"
    assert content.places["badaling"].topics["overview"].text["zh"] in answer.replies[0].text


def test_a_short_message_keeps_the_language_and_a_request_switches_it(new_chat):
    chat = new_chat()
    assert chat.say("bonjour").language == "fr"
    assert chat.say("ok").language == "fr"
    switched = chat.say("in English please")
    assert (switched.language, switched.replies[0].text) == (
        "en",
        "Sure, I'll continue in English.",
    )
    assert chat.say("merci").language == "en"
    assert chat.say("说中文").replies[0].text == "好的，我会用中文回答。"


@pytest.mark.parametrize(
    "text, language, start",
    [
        ("qui va gagner la coupe du monde de foot", "fr", "Je suis l'assistant de tourisme"),
        ("帮我写一首诗", "zh", "我是勃朗峰—长城旅游助手"),
        (
            "what is the price of bitcoin today",
            "en",
            "I'm the Mont Blanc – Great Wall tourism assistant",
        ),
    ],
)
def test_out_of_scope_gets_a_helpful_answer_in_the_same_language(new_chat, text, language, start):
    answer = new_chat().say(text)
    assert answer.language == language
    assert answer.replies[0].text.startswith(start)


@pytest.mark.parametrize(
    "text, language, entry_id",
    [
        ("il fait combien en janvier à Chongli, vraiment froid ?", "fr", "chongli_january_cold"),
        ("在中国能用外国信用卡吗", "zh", "paying_in_china"),
        ("is a visa needed for france if i am chinese", "en", "schengen_visa_chinese_citizens"),
    ],
)
def test_a_question_of_the_faq_asked_in_other_words_gets_its_answer(
    new_chat, content, text, language, entry_id
):
    # None of these is a way of asking of content/faq.yml: the model routes
    # them to the FAQ (intent faq), the matcher finds the entry.
    entry = next(e for e in content.faq if e.id == entry_id)
    assert text not in entry.questions[language]
    answer = new_chat().say(text)
    assert answer.language == language
    assert answer.replies[0].text.startswith(entry.answer[language])


def test_a_place_that_is_not_covered_is_said_so_kindly(new_chat):
    text = new_chat().text("how do I visit the Eiffel Tower")
    assert text.startswith("I can't help with Eiffel Tower:")


def test_offers_are_answered_with_prices_and_dates(new_chat):
    text = new_chat().text("有什么旅游优惠吗")
    assert text.startswith("当前的旅游优惠：") and "有效期至" in text


@pytest.mark.parametrize(
    "text, language, expected",
    [
        (
            "quels événements à Chamonix cet été ?",
            "fr",
            ["Marathon du Mont-Blanc", "HOKA UTMB Mont-Blanc"],
        ),
        ("延庆冬天有什么节庆", "zh", ["龙庆峡冰灯艺术节"]),
        ("when is the UTMB", "en", ["HOKA UTMB Mont-Blanc"]),
    ],
)
def test_events_are_answered_with_their_dates_source_and_language(
    new_chat, text, language, expected
):
    answer = new_chat().say(text)
    assert answer.language == language
    titles = [r.text.split("📅 ")[1] for r in answer.replies]
    assert [t for t in titles if any(t.startswith(e) for e in expected)] == titles and len(
        titles
    ) == len(expected)
    assert all("https://" in r.text for r in answer.replies)


def test_when_rasa_is_down_the_tourist_is_told_to_try_again_in_their_language(
    settings, tmp_path, reserve_port
):
    down = reserve_port()  # nothing listens there

    async def ask():
        rasa = RasaClient(f"http://127.0.0.1:{down}", timeout=2)
        assistant = Assistant(
            rasa, UserMemory(tmp_path / "bot.db"), b"key", LiveContent(settings.content_dir)
        )
        try:
            return await assistant.handle("test", "someone", "长城几点开门")
        finally:
            await rasa.close()

    answer = asyncio.run(ask())
    assert answer.failed and answer.language == "zh"
    assert answer.replies[0].text == "服务暂时不可用，请稍后再试。您的消息我们已经收到。"


def test_rasa_never_sees_the_users_id(running, new_chat, settings):
    chat = new_chat("secret-telegram-id-4242")
    chat.say("hello")
    tracker_db = (settings.var_dir / "tracker.db").read_bytes()
    assert b"secret-telegram-id-4242" not in tracker_db
    log = (settings.log_dir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "secret-telegram-id-4242" not in log


@pytest.mark.parametrize(
    "language, question, start",
    [
        ("fr", "c'est où Simatai ?", "📍 Grande Muraille de Simatai : 40.65944, 117.27444"),
        ("zh", "司马台长城在哪里？", "📍 司马台长城：40.65944, 117.27444"),
        ("en", "where is simatai?", "📍 Great Wall at Simatai: 40.65944, 117.27444"),
    ],
)
def test_where_is_a_place_is_answered_with_its_coordinates_and_map_links(
    new_chat, language, question, start
):
    [reply] = new_chat().say(question).replies
    assert reply.text.startswith(start)
    assert "https://www.openstreetmap.org/?mlat=40.65944&mlon=117.27444#map=13/" in reply.text
    assert "https://uri.amap.com/marker?position=117.27444,40.65944&" in reply.text


def test_where_is_it_after_a_question_about_a_place_locates_that_place(new_chat):
    chat = new_chat()
    chat.say("comment aller à Mutianyu ?")
    [reply] = chat.say("C'est où ?").replies
    assert reply.text.startswith("📍 Grande Muraille de Mutianyu : 40.43568, 116.56187")
