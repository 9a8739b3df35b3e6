"""Tourists from Hong Kong, Taiwan and Macau write Traditional characters.

Their messages reach Rasa in Simplified (the model, the gazetteer and the
actions know Simplified), and they read the replies in Traditional, converted
from the Simplified content as the reply is sent. The script is kept per user.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.assistant import Assistant
from bot.core.rasa_client import RasaUnavailable
from bot.core.user_memory import UserMemory
from curated.live import LiveContent
from language import chinese
from language.decision import decide

ROOT = Path(__file__).resolve().parent.parent

# A Simplified reply, as editors write them.
CHONGLI_RESORTS = "崇礼有万龙、云顶、太舞、富龙等雪场。"


class RecordingRasa:
    """Stands in for Rasa: records what it was sent, answers in Simplified."""

    def __init__(self, replies=None, down: bool = False) -> None:
        self.received = []  # (text, metadata) per message
        self.down = down
        self.replies = replies or [
            {
                "text": CHONGLI_RESORTS,
                "buttons": [{"title": "门票价格", "payload": '/ask_place{"place": "chongli"}'}],
            }
        ]

    async def send(self, user, text, metadata):
        self.received.append((text, dict(metadata)))
        if self.down:
            raise RasaUnavailable("down")
        return self.replies


@pytest.fixture
def chat(tmp_path):
    """A conversation with one tourist through the channel core."""
    rasa = RecordingRasa()
    memory = UserMemory(tmp_path / "bot.db")
    assistant = Assistant(rasa, memory, b"key", LiveContent(ROOT / "content"))

    def say(text, client_language=None):
        return asyncio.run(assistant.handle("telegram", "hk-tourist", text, client_language))

    say.rasa, say.assistant = rasa, assistant
    yield say
    memory.close()


# Conversion


def test_a_traditional_question_is_converted_to_simplified():
    assert chinese.to_simplified("崇禮有哪些滑雪場") == "崇礼有哪些滑雪场"


def test_a_simplified_reply_is_converted_to_traditional():
    assert chinese.to_traditional("八达岭长城门票多少钱") == "八達嶺長城門票多少錢"


def test_replies_use_the_traditional_forms_readers_know():
    assert chinese.to_traditional("为您介绍勃朗峰，这里") == "為您介紹勃朗峰，這裡"


def test_simplified_content_is_left_as_it_is_by_the_conversion_to_simplified():
    assert chinese.to_simplified("夜场几点结束，著名景点显著") == "夜场几点结束，著名景点显著"


def test_text_without_chinese_is_left_as_it_is():
    assert chinese.to_traditional("Chamonix, 8 €") == "Chamonix, 8 €"
    assert chinese.to_simplified("") == ""


# The script of a message and of the user


@pytest.mark.parametrize("text", ["崇禮有哪些滑雪場", "說中文", "八達嶺", "長城幾點開門"])
def test_traditional_only_characters_make_the_user_traditional(text):
    decision = decide(text, previous="zh-Hans")
    assert (decision.language, decision.variant) == ("zh", "zh-Hant")


@pytest.mark.parametrize("text", ["崇礼有哪些滑雪场", "长城几点开门", "说中文"])
def test_simplified_only_characters_switch_back_to_simplified(text):
    decision = decide(text, previous="zh-Hant")
    assert (decision.language, decision.variant) == ("zh", "zh-Hans")


@pytest.mark.parametrize("text", ["你好", "台北", "好的", "中文"])
def test_characters_common_to_both_scripts_keep_the_users_script(text):
    assert decide(text, previous="zh-Hant").variant == "zh-Hant"
    assert decide(text, previous="zh-Hans").variant == "zh-Hans"


def test_a_user_remembered_before_scripts_were_told_apart_is_simplified():
    assert decide("你好", previous="zh").variant == "zh-Hans"


@pytest.mark.parametrize("code", ["zh-hant", "zh-TW", "zh-hk", "zh_HK", "zh-Hant-TW", "zh-mo"])
def test_a_traditional_client_gives_a_new_user_traditional(code):
    assert decide("你好", client_code=code).variant == "zh-Hant"


@pytest.mark.parametrize("code", ["zh-hans", "zh-cn", "zh", None])
def test_other_chinese_clients_give_a_new_user_simplified(code):
    assert decide("你好", client_code=code).variant == "zh-Hans"


def test_french_and_english_have_no_script_variant():
    assert decide("bonjour tout le monde").variant == "fr"
    assert decide("hello there, how are you", previous="zh-Hant").variant == "en"


@pytest.mark.parametrize(
    "text, previous, variant",
    [("请用繁体中文", "zh-Hans", "zh-Hant"), ("請用簡體中文", "zh-Hant", "zh-Hans")],
)
def test_a_request_naming_a_script_gets_that_script(text, previous, variant):
    assert decide(text, previous=previous).variant == variant


def test_a_traditional_request_for_english_switches_to_english():
    decision = decide("請用英文回答", previous="zh-Hant")
    assert (decision.language, decision.reason) == ("en", "explicit-request")


# Through the channel core


def test_a_traditional_question_reaches_rasa_in_simplified(chat):
    chat("崇禮有哪些滑雪場")
    [(text, metadata)] = chat.rasa.received
    assert text == "崇礼有哪些滑雪场"
    assert metadata["language"] == "zh"


def test_the_reply_to_a_traditional_question_is_in_traditional(chat):
    answer = chat("崇禮有哪些滑雪場")
    assert answer.replies[0].text == "崇禮有萬龍、雲頂、太舞、富龍等雪場。"
    assert answer.language == "zh" and answer.variant == "zh-Hant"


def test_button_titles_are_in_traditional_and_payloads_untouched(chat):
    [button] = chat("崇禮有哪些滑雪場").replies[0].buttons
    assert button == {"title": "門票價格", "payload": '/ask_place{"place": "chongli"}'}


def test_a_traditional_user_keeps_traditional_replies_for_common_characters(chat):
    chat("崇禮有哪些滑雪場")
    assert chat("你好").replies[0].text == "崇禮有萬龍、雲頂、太舞、富龍等雪場。"


def test_a_traditional_user_pressing_a_button_reads_traditional(chat):
    chat("崇禮有哪些滑雪場")
    answer = chat('/ask_place{"place": "chongli"}')
    assert chat.rasa.received[-1][0] == '/ask_place{"place": "chongli", "language": "zh"}'
    assert answer.replies[0].text == "崇禮有萬龍、雲頂、太舞、富龍等雪場。"


def test_a_user_who_switches_back_to_simplified_reads_simplified(chat):
    chat("崇禮有哪些滑雪場")
    answer = chat("崇礼有哪些滑雪场")
    assert answer.replies[0].text == CHONGLI_RESORTS
    assert answer.variant == "zh-Hans"


def test_a_simplified_user_reads_simplified_and_rasa_gets_the_text_unchanged(chat):
    answer = chat("崇礼有哪些滑雪场")
    assert chat.rasa.received[0][0] == "崇礼有哪些滑雪场"
    assert answer.replies[0].text == CHONGLI_RESORTS


def test_a_new_user_whose_client_is_traditional_reads_traditional(chat):
    assert chat("你好", client_language="zh-hant").replies[0].text.startswith("崇禮有萬龍")


def test_the_users_script_is_remembered(chat, tmp_path):
    chat("崇禮有哪些滑雪場")
    assert chat.assistant.known_language("telegram", "hk-tourist") == "zh-Hant"


def test_when_rasa_is_down_a_traditional_user_is_told_in_traditional(chat):
    chat.rasa.down = True
    answer = chat("長城幾點開門")
    assert answer.failed
    assert answer.replies[0].text == chinese.to_traditional(
        chat.assistant.content.get().phrase("unavailable", "zh")
    )
    assert "務" in answer.replies[0].text  # 服务 reads 服務


def test_the_channels_own_sentences_follow_the_users_script(chat):
    chat("崇禮有哪些滑雪場")
    reads = chat.assistant.language_of("telegram", "hk-tourist")
    help_text = chat.assistant.phrase("help", reads)
    assert help_text == chinese.to_traditional(chat.assistant.phrase("help", "zh"))
    assert help_text != chat.assistant.phrase("help", "zh")


# The tables: no work at import time, loaded once per process


def _python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_importing_the_channel_core_loads_no_conversion_table():
    loaded = _python(
        "import sys, bot.core.assistant, language.chinese, language.decision;"
        "print('opencc' in sys.modules)"
    )
    assert loaded == "False"


def test_the_tables_are_loaded_once_per_process_whatever_the_threads():
    counts = _python(
        "import collections, threading, opencc\n"
        "made = collections.Counter()\n"
        "Original = opencc.OpenCC\n"
        "class Counting(Original):\n"
        "    def __init__(self, conversion=None):\n"
        "        made[conversion] += 1\n"
        "        super().__init__(conversion)\n"
        "opencc.OpenCC = Counting\n"
        "from language import chinese\n"
        "def work():\n"
        "    for _ in range(20):\n"
        "        chinese.to_simplified('崇禮'); chinese.to_traditional('崇礼'); chinese.script('崇禮')\n"
        "threads = [threading.Thread(target=work) for _ in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(sorted(made.items()))\n"
    )
    assert counts == "[('s2tw', 1), ('t2s', 1)]"


# With the trained model: the same answer as in Simplified, in Traditional.


@pytest.mark.e2e
@pytest.mark.parametrize(
    "traditional, simplified, place",
    [
        ("崇禮有哪些滑雪場", "崇礼有哪些滑雪场", "崇禮"),
        ("八達嶺長城門票多少錢", "八达岭长城门票多少钱", "八達嶺"),
        ("慕田峪長城幾點開門", "慕田峪长城几点开门", "慕田峪"),
        ("張家口怎麼去", "张家口怎么去", "張家口"),
    ],
)
def test_a_traditional_question_gets_the_simplified_answer_in_traditional(
    new_chat, traditional, simplified, place
):
    expected = new_chat().say(simplified)
    answer = new_chat().say(traditional)
    assert answer.variant == "zh-Hant"
    assert [r.text for r in answer.replies] == [
        chinese.to_traditional(r.text) for r in expected.replies
    ]
    assert place in answer.replies[0].text


@pytest.mark.e2e
def test_a_traditional_greeting_offers_the_destinations_in_traditional(new_chat):
    answer = new_chat().say("您好，請問")
    assert answer.replies[0].text.startswith("您好！")
    titles = [b["title"] for b in answer.replies[0].buttons]
    assert titles and all(t == chinese.to_traditional(t) for t in titles)
    assert [b["payload"] for b in answer.replies[0].buttons][-1] == "/ask_offers"


# On Telegram: the client's language code tells a new user's script.


@pytest.mark.e2e
@pytest.mark.parametrize("chat, code", [(8101, "zh-hant"), (8102, "zh-TW"), (8103, "zh-hk")])
def test_a_new_telegram_user_with_a_traditional_client_is_greeted_in_traditional(
    bot_api, telegram_bot, chat, code
):
    bot_api.push_message(chat, "/start", language_code=code)
    [greeting] = bot_api.wait_for_messages(chat, 1)
    assert greeting.startswith("您好！") and "旅遊助手" in greeting
    keyboard = bot_api.sent(chat)[0]["reply_markup"]["inline_keyboard"]
    assert keyboard[1][0]["text"] == "八達嶺長城"


@pytest.mark.e2e
def test_a_traditional_user_choosing_chinese_in_the_menu_stays_traditional(bot_api, telegram_bot):
    bot_api.push_message(8201, "長城幾點開門", language_code="en")
    bot_api.wait_for_messages(8201, 1)
    bot_api.push_message(8201, "/language", language_code="en")
    bot_api.wait_for_messages(8201, 2)
    bot_api.push_button(8201, "lang:zh", language_code="en")
    assert bot_api.wait_for_messages(8201, 3)[2] == "好的，我會用中文回答。"
