"""`python -m bot run` with the settings of all four channels serves them side by
side on one assistant: a tourist on each is answered in their language, and
Ctrl-C stops everything (nothing left running)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx
import pytest

from rasa_extensions.command import ROOT
from rasa_extensions.command import environment as rasa_environment
from testkit.fake_graph_api import FakeGraphApi, MetaWebhook
from testkit.fake_wechat import FakeWeChatApi, WeChatSender
from testkit.wechat_harness import TOKEN as WECHAT_TOKEN
from testkit.whatsapp_harness import APP_SECRET, VERIFY_TOKEN

pytestmark = pytest.mark.e2e


def _until_listening(call, process, timeout: float = 90.0):
    """The call's result once the channel listens (the process is still starting)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except httpx.TransportError:
            assert process.poll() is None, "python -m bot run stopped"
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_one_run_serves_telegram_wechat_whatsapp_and_the_web_chat(
    running, tmp_path, bot_api, reserve_port
):
    wechat_api, graph_api = FakeWeChatApi().start(), FakeGraphApi().start()
    wechat_port, whatsapp_port, webchat_port = reserve_port(), reserve_port(), reserve_port()
    env = rasa_environment()
    env.update(
        TELEGRAM_BOT_TOKEN=bot_api.token, TELEGRAM_API_BASE_URL=bot_api.base_url,
        WECHAT_TOKEN=WECHAT_TOKEN, WECHAT_APP_ID=wechat_api.app_id,
        WECHAT_APP_SECRET=wechat_api.app_secret, WECHAT_API_BASE_URL=wechat_api.base_url,
        WECHAT_PORT=str(wechat_port),
        WHATSAPP_ACCESS_TOKEN=graph_api.token, WHATSAPP_PHONE_NUMBER_ID=graph_api.phone_number_id,
        WHATSAPP_APP_SECRET=APP_SECRET, WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
        WHATSAPP_API_BASE_URL=graph_api.base_url, WHATSAPP_PORT=str(whatsapp_port),
        WEBCHAT_PORT=str(webchat_port),
        VAR_DIR=str(tmp_path), RASA_URL=running.rasa_url, REVIEW_PORT=str(reserve_port()),
    )  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    wechat = WeChatSender(f"http://127.0.0.1:{wechat_port}/wechat", WECHAT_TOKEN, wechat_api.app_id)
    meta = MetaWebhook(f"http://127.0.0.1:{whatsapp_port}/whatsapp", APP_SECRET)
    webchat = f"http://127.0.0.1:{webchat_port}"
    try:
        # WeChat, in Chinese (a passive reply, or a moment later through the API)
        reply = _until_listening(lambda: wechat.text("oAll-zh", "你好"), process)
        chinese = reply.text or wechat_api.wait_for_sent("oAll-zh", 1, 60)[0]
        assert chinese.startswith("您好")
        # Telegram, in English
        bot_api.push_message(1501, "hello", language_code="en")
        assert bot_api.wait_for_messages(1501, 1)[0].startswith("Hello")
        # WhatsApp, in French
        _until_listening(lambda: meta.send(meta.message("33611223344", "bonjour")), process)
        assert graph_api.wait_for_messages("33611223344", 1, 60)[0].startswith("Bonjour")
        # The web chat, in French from a French browser
        headers = {"Origin": webchat}
        started = _until_listening(
            lambda: httpx.post(
                webchat + "/api/conversations", json={"language": "fr-FR"}, headers=headers
            ),
            process,
        )
        body = {
            "conversation": started.json()["conversation"],
            "text": "bonjour",
            "language": "fr-FR",
        }
        answer = httpx.post(webchat + "/api/messages", json=body, headers=headers, timeout=60)
        assert answer.json()["replies"][0]["text"].startswith("Bonjour")
    finally:
        wechat.close()
        meta.close()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
        wechat_api.stop()
        graph_api.stop()
    assert process.returncode == 0, output[-2000:]
    leftover = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""
