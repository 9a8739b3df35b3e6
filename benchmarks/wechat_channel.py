"""The WeChat channel under load, through the offline WeChat (testkit/fake_wechat.py).

    python -m benchmarks.wechat_channel            # about two minutes: 20 s per open loop
    python -m benchmarks.wechat_channel --smoke    # a few seconds per load
    RASA_URL=http://127.0.0.1:5005 python -m benchmarks.wechat_channel   # a running Rasa

Signed callback POST -> the channel -> Rasa -> actions -> the passive reply,
timed from the POST to its HTTP answer (or, when the answer missed the 4 s
passive deadline, to its customer-service message reaching the fake API).
Measured: p50/p95 at 1 and 30 messages per second, the share answered within
WeChat's 5 seconds (and passively), and the channel's overhead against the
same messages straight to Rasa's REST channel (``benchmarks/load.py``, as for
Telegram).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import httpx

import settings as settings_module
from benchmarks import load
from bot.core.rasa_client import RasaClient
from bot.services import Services, train
from language import LANGUAGES
from rasa_extensions.command import latest_model
from testkit.fake_wechat import FakeWeChatApi
from testkit.wechat_harness import RunningWeChat

WECHAT_LIMIT_MS = 5000.0


class WeChatTarget:
    name = "WeChat channel (offline WeChat)"

    def __init__(self, channel: RunningWeChat) -> None:
        self.channel = channel
        self.passive = 0
        self.late = 0
        self._waiting: dict[str, list[asyncio.Future]] = {}  # late answers awaited
        self._early: dict[str, list[str]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: httpx.AsyncClient | None = None
        content = channel.assistant.content.get()
        self.unavailable = {content.phrase("unavailable", code) for code in LANGUAGES}

    async def __aenter__(self) -> WeChatTarget:
        self._loop = asyncio.get_running_loop()
        self._client = httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=500))
        self.channel.api.listeners.append(self._on_call)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.channel.api.listeners.remove(self._on_call)
        assert self._client is not None
        await self._client.aclose()

    def _on_call(self, call) -> None:
        assert self._loop is not None
        text = call.body.get("text", {}).get("content", "")
        self._loop.call_soon_threadsafe(self._resolve, call.body.get("touser"), text)

    def _resolve(self, open_id: str, text: str) -> None:
        waiting = self._waiting.get(open_id, [])
        while waiting:
            future = waiting.pop(0)
            if not future.done():  # (one given up after 60 s is)
                future.set_result(text)
                return
        self._early.setdefault(open_id, []).append(text)  # sent before "success" was read

    async def ask(self, chat: str, language: str, text: str) -> bool:
        """False when the tourist was told to try again (Rasa too slow or down)."""
        assert self._loop is not None and self._client is not None
        open_id = f"oBench-{chat}"
        sender = self.channel.sender
        delivery = await sender.apost(self._client, sender.fields(open_id, "text", Content=text))
        if delivery.text:
            self.passive += 1
            text = delivery.text
        else:  # "success": the answer comes through the customer-service API
            self.late += 1
            early = self._early.get(open_id)
            if early:
                text = early.pop(0)
            else:
                future = self._loop.create_future()
                self._waiting.setdefault(open_id, []).append(future)
                text = await asyncio.wait_for(future, 60)
        return text not in self.unavailable


class Outcomes:
    """A target whose every message is kept with its latency and whether it was answered
    (an error, or the "try again" of a Rasa that did not answer in time, is not)."""

    def __init__(self, target) -> None:
        self.target = target
        self.name = target.name
        self.outcomes: list[tuple[float, bool]] = []

    async def __aenter__(self) -> Outcomes:
        await self.target.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.target.__aexit__(*exc)

    async def ask(self, chat: str, language: str, text: str) -> None:
        started = time.perf_counter()
        try:
            answered = await self.target.ask(chat, language, text) is not False
        except (httpx.HTTPError, asyncio.TimeoutError):
            answered = False
        self.outcomes.append(((time.perf_counter() - started) * 1000, answered))


async def _measure(targets: dict, alone: int, rates: list[int], seconds: float):
    """Each load on every target before the next load: both see the same machine,
    and the heaviest load, which can leave Rasa busy for a while, comes last."""
    table: dict[str, dict[str, dict]] = {name: {} for name in targets}
    for name, factory in targets.items():
        async with Outcomes(factory()) as target:
            await load.closed_loop(target, 2, 2, f"{name[:4]}-warm")
            target.outcomes.clear()
            result = await load.closed_loop(target, 1, alone, f"{name[:4]}-c1")
            table[name]["closed loop, 1 chat"] = _row(result, target)
    for rate in rates:
        for name, factory in targets.items():
            async with Outcomes(factory()) as target:
                result = await load.open_loop(target, rate, seconds, 200, f"{name[:4]}-o{rate}")
                table[name][f"open loop, {rate} msg/s from 200 chats"] = _row(result, target)
    return table


def _row(result: load.Result, target: Outcomes) -> dict:
    answered = [ms for ms, ok in target.outcomes if ok]
    row = load.summary(load.Result(len(answered), result.seconds, answered))
    row["sent"] = len(target.outcomes)
    row["within 5 s"] = sum(ms <= WECHAT_LIMIT_MS for ms in answered) / max(1, row["sent"])
    inner = target.target
    if isinstance(inner, WeChatTarget):
        row["passive"] = inner.passive / max(1, inner.passive + inner.late)
        inner.passive = inner.late = 0
    target.outcomes.clear()
    return row


async def paired(rasa_url: str, channel: RunningWeChat, count: int) -> dict[str, float]:
    """The same messages, one to Rasa's REST channel then one through WeChat, in turn:
    the channel's overhead on a machine whose load changes during the run."""
    rest_ms, wechat_ms = [], []
    async with Outcomes(load.RestTarget(rasa_url)) as rest, Outcomes(WeChatTarget(channel)) as wx:
        for k in range(-len(load.MESSAGES), count):  # a first round to warm both up
            if k == 0:
                rest.outcomes.clear()
                wx.outcomes.clear()
            language, text = load.MESSAGES[k % len(load.MESSAGES)]
            await rest.ask("pair-1", language, text)
            await wx.ask("pair-1", language, text)
        for (r, r_ok), (w, w_ok) in zip(rest.outcomes, wx.outcomes, strict=True):
            if r_ok and w_ok:
                rest_ms.append(r)
                wechat_ms.append(w)
    differences = [w - r for r, w in zip(rest_ms, wechat_ms, strict=True)]
    return {
        "pairs": len(differences),
        "rest_p50": statistics.median(rest_ms) if rest_ms else float("nan"),
        "wechat_p50": statistics.median(wechat_ms) if wechat_ms else float("nan"),
        "added_p50": statistics.median(differences) if differences else float("nan"),
    }


def report(table: dict[str, dict[str, dict]], pairs: dict[str, float] | None) -> str:
    lines = [
        "| target | load | replies/s | p50 ms | p95 ms | within 5 s | passive | answered / sent |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for target, rows in table.items():
        for load_name, r in rows.items():
            passive = f"{r['passive']:.0%}" if "passive" in r else "-"
            lines.append(
                f"| {target} | {load_name} | {r['replies/s']:.1f} | {r['p50']:.0f} | "
                f"{r['p95']:.0f} | {r['within 5 s']:.0%} | {passive} | {int(r['n'])} / {r['sent']} |"
            )
    wechat, rest = table.get(WeChatTarget.name, {}), table.get(load.RestTarget.name, {})
    notes = []
    for load_name in wechat:
        if load_name in rest and rest[load_name]["p50"]:
            overhead = wechat[load_name]["p50"] - rest[load_name]["p50"]
            notes.append(
                f"- {load_name}: the channel adds {overhead:.0f} ms to Rasa's p50 "
                f"({overhead / rest[load_name]['p50']:.0%})"
            )
    if pairs is None:
        return "\n".join(lines)
    notes.append(
        f"- paired (REST then WeChat, same message, in turn; {pairs['pairs']:.0f} pairs): "
        f"Rasa REST p50 {pairs['rest_p50']:.0f} ms, through WeChat {pairs['wechat_p50']:.0f} ms; "
        f"the channel adds {pairs['added_p50']:.0f} ms (median of the differences), "
        f"{pairs['added_p50'] / pairs['rest_p50']:.0%} of Rasa's p50"
    )
    return "\n".join(lines) + "\n\n" + "\n".join(notes)


def channel_only(alone: int, rates: list[int], seconds: float) -> str:
    """What the channel itself costs and sustains, Rasa's time taken out (50 ms a message)."""
    from testkit.rasa import RecordingRasa

    with tempfile.TemporaryDirectory() as tmp:
        api = FakeWeChatApi().start()
        stand_in = RecordingRasa([{"text": "八达岭长城门票40元。"}], delay=0.05)
        channel = RunningWeChat(api, stand_in, Path(tmp)).start()
        try:
            targets = {"WeChat channel on a 50 ms stand-in for Rasa": lambda: WeChatTarget(channel)}
            table = asyncio.run(_measure(targets, alone, rates, seconds))
        finally:
            channel.stop()
            api.stop()
    return report(table, None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="short loads")
    parser.add_argument(
        "--channel-only",
        action="store_true",
        help="the channel alone, on a stand-in Rasa answering in 50 ms (testkit/rasa.py)",
    )
    args = parser.parse_args(argv)
    logging.disable(logging.ERROR)  # the failures of an overloaded Rasa are counted, not printed
    alone, seconds = (5, 3.0) if args.smoke else (40, 20.0)
    rates = [1, 30]
    started = time.perf_counter()
    if args.channel_only:
        print(channel_only(alone, rates, seconds))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = settings_module.from_environment()
        settings = replace(base, var_dir=work / "var", rasa_url="")
        rasa_url = os.environ.get("RASA_URL", "").rstrip("/")
        services = None
        if not rasa_url:
            model = latest_model(settings.models_dir) or train(settings)
            services = Services(settings, model).start()
            rasa_url = services.rasa_url
        api = FakeWeChatApi().start()
        channel = RunningWeChat(
            api, RasaClient(rasa_url, timeout=settings.rasa_timeout), work
        ).start()
        try:
            pairs = asyncio.run(paired(rasa_url, channel, alone))
            targets = {
                load.RestTarget.name: lambda: load.RestTarget(rasa_url),
                WeChatTarget.name: lambda: WeChatTarget(channel),
            }
            table = asyncio.run(_measure(targets, alone, rates, seconds))
        finally:
            channel.stop()
            api.stop()
            if services is not None:
                services.stop()
    print(report(table, pairs))
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
