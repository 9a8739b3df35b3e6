"""How long a staff reply takes to reach the tourist, per channel, on the offline fakes.

``python -m benchmarks.handoff_delay [--replies N]``: for Telegram, WeChat and
WhatsApp, a tourist writes once, a person takes the conversation, then N replies
are written into the hand-off store one after the other (as the review app does)
and each is timed until the platform's fake receives it. The web chat is timed
until the tourist's page would have it: the page asks every POLL_MS (2 s in
widget.js), so its delay is the relay's plus up to one poll; measured here as
the time until ``/api/updates`` first returns it when asked every 50 ms, and the
poll period is added in the printed line. The relay runs as ``python -m bot run``
starts it (a pass every 0.2 s). Prints one line per channel: median and worst.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import httpx

import settings as settings_module
from bot.core.handoff_relay import TICK_SECONDS
from bot.core.pseudonym import load_key, pseudonym
from handoff.store import HandoffStore
from testkit.fake_bot_api import FakeBotApi
from testkit.fake_graph_api import FakeGraphApi
from testkit.fake_wechat import FakeWeChatApi
from testkit.rasa import RecordingRasa
from testkit.telegram_harness import RunningBot
from testkit.webchat_harness import ServedWebChat
from testkit.wechat_harness import RunningWeChat
from testkit.whatsapp_harness import RunningWhatsApp

ROOT = Path(__file__).resolve().parent.parent
WIDGET_POLL_SECONDS = 2.0  # POLL_MS in bot/channels/webchat_static/widget.js


def _echo(text: str, metadata: dict) -> list[dict]:
    return [{"text": "ok"}]


def _wait(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the reply did not arrive")
        time.sleep(0.002)


_numbers = itertools.count(1)


def _timed(holds: HandoffStore, user: str, arrived, replies: int) -> list[float]:
    delays = []
    for _ in range(replies):
        text = f"reply {next(_numbers)}"  # each one a text not sent before
        started = time.perf_counter()
        holds.reply(user, "staff", text)
        _wait(lambda text=text: arrived(text))
        delays.append(time.perf_counter() - started)
    return delays


def _take(holds: HandoffStore, user: str, channel: str) -> None:
    holds.request(user, channel, "fr")
    holds.take(user, "staff")


def telegram(var: Path, replies: int) -> list[float]:
    holds = HandoffStore(f"sqlite:///{var / 'tracker.db'}")
    api = FakeBotApi().start()
    base = replace(settings_module.from_environment(), var_dir=var)
    bot = RunningBot(api, "http://127.0.0.1:9", base, "delay", per_chat_rate=100, holds=holds)
    bot.assistant.rasa = RecordingRasa(_echo)  # type: ignore[assignment]  # a stand-in Rasa
    bot.start()
    try:
        api.push_message(5, "bonjour", language_code="fr")
        api.wait_for_messages(5, 1)
        user = pseudonym(bot.assistant.key, "telegram", "5")
        _take(holds, user, "telegram")
        return _timed(holds, user, lambda text: text in api.texts(5), replies)
    finally:
        bot.stop()
        api.stop()
        holds.close()


def wechat(var: Path, replies: int) -> list[float]:
    holds = HandoffStore(f"sqlite:///{var / 'tracker.db'}")
    api = FakeWeChatApi().start()
    running = RunningWeChat(api, RecordingRasa(_echo), var, holds=holds).start()
    try:
        running.sender.text("oDelay", "你好")
        user = pseudonym(b"test-key", "wechat", "oDelay")
        _take(holds, user, "wechat")
        delays = []
        for start in range(0, replies, 5):  # 5 customer-service messages per tourist message
            running.sender.text("oDelay", f"还有问题 {start}")
            delays += _timed(holds, user, lambda text: text in api.sent("oDelay"), min(5, replies - start))  # fmt: skip
        return delays
    finally:
        running.stop()
        api.stop()
        holds.close()


def whatsapp(var: Path, replies: int) -> list[float]:
    holds = HandoffStore(f"sqlite:///{var / 'tracker.db'}")
    api = FakeGraphApi().start()
    running = RunningWhatsApp(api, RecordingRasa(_echo), var, ROOT / "content", holds=holds)
    running.start()
    meta = running.meta()
    try:
        meta.send(meta.message("33699", "bonjour"))
        api.wait_for_messages("33699", 1)
        user = pseudonym(running.assistant.key, "whatsapp", "33699")
        _take(holds, user, "whatsapp")
        return _timed(holds, user, lambda text: text in api.texts("33699"), replies)
    finally:
        meta.close()
        running.stop()
        api.stop()
        holds.close()


def webchat(var: Path, replies: int) -> list[float]:
    holds = HandoffStore(f"sqlite:///{var / 'tracker.db'}")
    served = ServedWebChat(RecordingRasa(_echo), var, holds=holds).start()
    headers = {"Origin": served.url}
    client = httpx.Client(timeout=10, headers=headers)
    try:
        token = client.post(served.url + "/api/conversations", json={}).json()["conversation"]
        client.post(served.url + "/api/messages", json={"conversation": token, "text": "bonjour"})
        user = pseudonym(load_key(var), "webchat", token)
        _take(holds, user, "webchat")
        received: list[str] = []

        def arrived(text: str) -> bool:
            answer = client.post(served.url + "/api/updates", json={"conversation": token})
            received.extend(m["text"] for m in answer.json()["messages"])
            if text not in received:
                time.sleep(0.05)
            return text in received

        return _timed(holds, user, arrived, replies)
    finally:
        client.close()
        served.stop()
        holds.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replies", type=int, default=20)
    args = parser.parse_args(argv)
    print(f"relay pass every {TICK_SECONDS} s; {args.replies} staff replies per channel")
    for name, measure in (
        ("telegram", telegram),
        ("wechat", wechat),
        ("whatsapp", whatsapp),
        ("webchat", webchat),
    ):
        with tempfile.TemporaryDirectory() as var:
            delays = measure(Path(var), args.replies)
        median, worst = statistics.median(delays) * 1000, max(delays) * 1000
        extra = f" (+ up to {WIDGET_POLL_SECONDS:.0f} s: the page asks every {WIDGET_POLL_SECONDS:.0f} s)" if name == "webchat" else ""  # fmt: skip
        print(f"{name:9} median {median:6.0f} ms  worst {worst:6.0f} ms{extra}", flush=True)


if __name__ == "__main__":
    main()
