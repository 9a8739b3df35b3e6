"""The WeChat channel with the real model: a tourist's question through the offline
WeChat answered from the content, and `python -m bot run` serving WeChat and
Telegram side by side."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import time

import httpx
import pytest

from bot.core.rasa_client import RasaClient
from rasa_extensions.command import ROOT
from rasa_extensions.command import environment as rasa_environment
from testkit.fake_wechat import FakeWeChatApi, WeChatSender
from testkit.wechat_harness import TOKEN, RunningWeChat

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api():
    server = FakeWeChatApi().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def channel(api, running, settings, content, tmp_path_factory):
    rasa = RasaClient(running.rasa_url, timeout=settings.rasa_timeout)
    served = RunningWeChat(api, rasa, tmp_path_factory.mktemp("wechat")).start()
    # Until the actions answer (their lazy parts loaded; on a loaded machine, restarted).
    deadline = time.monotonic() + 120
    for attempt in itertools.count():
        answer = answer_of(served, api, f"oWarm-{attempt}", "崇礼怎么去")
        if answer != content.phrase("unavailable", "zh") or time.monotonic() > deadline:
            break
        time.sleep(1)
    yield served
    served.stop()


def answer_of(channel, api, open_id: str, text: str) -> str:
    """What the tourist reads: the passive reply, or on a slow (loaded) machine the
    customer-service message that follows "success"."""
    delivery = channel.sender.text(open_id, text)
    assert delivery.status == 200
    return delivery.text or api.wait_for_sent(open_id, 1, timeout=30)[0]


def test_a_chinese_question_is_answered_in_chinese_from_the_content(channel, api, content):
    answer = answer_of(channel, api, "oE2E-zh-tourist", "八达岭长城门票多少钱")
    assert content.places["badaling"].topics["prices"].text["zh"] in answer


@pytest.mark.parametrize(
    ("question", "place", "language"),
    [
        ("comment monter à l'aiguille du midi ?", "aiguille_du_midi", "fr"),
        ("how do I get to La Feclaz from Chambery?", "bauges", "en"),
    ],
)
def test_french_and_english_tourists_are_answered_in_their_language(
    channel, api, content, question, place, language
):
    answer = answer_of(channel, api, f"oE2E-{language}-tourist", question)
    assert content.places[place].topics["getting_there"].text[language] in answer


def test_make_run_serves_wechat_and_telegram_at_once(running, tmp_path, bot_api, reserve_port):
    """`python -m bot run` with both channels' settings and the session's Rasa."""
    wechat_api = FakeWeChatApi().start()
    port = reserve_port()
    env = rasa_environment()
    env.update(
        TELEGRAM_BOT_TOKEN=bot_api.token, TELEGRAM_API_BASE_URL=bot_api.base_url,
        WECHAT_TOKEN=TOKEN, WECHAT_APP_ID=wechat_api.app_id,
        WECHAT_APP_SECRET=wechat_api.app_secret, WECHAT_API_BASE_URL=wechat_api.base_url,
        WECHAT_PORT=str(port), VAR_DIR=str(tmp_path), RASA_URL=running.rasa_url,
        REVIEW_PORT=str(reserve_port()),
    )  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    sender = WeChatSender(f"http://127.0.0.1:{port}/wechat", TOKEN, wechat_api.app_id)
    try:
        bot_api.wait_for(lambda: any(c.method == "getUpdates" for c in bot_api.calls), 120)
        bot_api.push_message(1401, "bonjour", language_code="fr")
        reply = _when_listening(lambda: sender.text("oRun-zh", "你好"))
        # The passive reply, or on a loaded machine the message that follows "success".
        assert (reply.text or wechat_api.wait_for_sent("oRun-zh", 1, timeout=60)[0]).startswith(
            "您好"
        )
        assert bot_api.wait_for_messages(1401, 1)[0].startswith("Bonjour")
    finally:
        sender.close()
        wechat_api.stop()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output[-2000:]
    assert f"Serving tourists on WeChat at http://127.0.0.1:{port}/wechat." in output
    leftover = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""
    channel_log = (tmp_path / "log" / "channels.log").read_text(encoding="utf-8")
    assert "oRun-zh" not in channel_log and TOKEN not in channel_log


def _when_listening(send, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return send()
        except httpx.TransportError:  # the channel is not listening yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
