"""The WhatsApp channel's latency against Rasa's REST channel, on the same Rasa.

    python -m benchmarks.whatsapp_channel            # about two minutes after Rasa is up
    python -m benchmarks.whatsapp_channel --smoke    # a few seconds of load

Two targets answer the same messages (``benchmarks/load.py``'s closed and open
loops, as the Telegram channel is measured):
- Rasa's REST channel, as the channel core calls it;
- the WhatsApp channel: a delivery signed as Meta signs it, POSTed to the webhook
  -> 200 -> the channel core -> Rasa -> actions -> every message of the answer
  accepted by the offline Graph API (``testkit/fake_graph_api.py``), timed from the
  POST to the answer's last message.

Prints a table (replies/s, p50, p95, p99 in ms) and the channel's overhead.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

import settings as settings_module
from benchmarks import load
from bot.services import Services, train
from rasa_extensions.command import latest_model
from testkit.fake_graph_api import FakeGraphApi, MetaWebhook, meta_json, signature
from testkit.rasa import RecordingRasa
from testkit.whatsapp_harness import APP_SECRET, RunningWhatsApp

BARE = "WhatsApp channel, stand-in Rasa answering at once"


class RestTarget(load.RestTarget):
    """Rasa's REST channel, idle connections dropped before Sanic's 5 s keep-alive ends
    (httpx keeps them 5 s too: at 30 msg/s a reused connection was sometimes closed
    under the request, a ReadError that ended the run)."""

    async def __aenter__(self):
        self.client = httpx.AsyncClient(
            timeout=60, limits=httpx.Limits(max_connections=500, keepalive_expiry=2.0)
        )
        return self


class WhatsAppTarget:
    name = "WhatsApp channel (offline Graph API)"

    def __init__(self, channel: RunningWhatsApp, name: str = "") -> None:
        self.channel = channel
        self.name = name or self.name
        self.meta = MetaWebhook(channel.url, APP_SECRET, channel.api.phone_number_id)
        self._numbers: dict[str, str] = {}
        self._waiting: dict[str, list[asyncio.Future]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: httpx.AsyncClient | None = None
        self._original: Any = None

    async def __aenter__(self):
        self._loop = asyncio.get_running_loop()
        self._client = httpx.AsyncClient(
            timeout=60, limits=httpx.Limits(max_connections=200, keepalive_expiry=2.0)
        )
        whatsapp = self.channel.channel
        assert whatsapp is not None, "the channel is started first"
        self._original = whatsapp._send_answer
        loop = self._loop

        async def timed(address, answer):  # runs in the channel's thread
            await self._original(address, answer)
            if not loop.is_closed():  # an answer later than the run: not timed
                loop.call_soon_threadsafe(self._resolve, next(iter(address.values())))

        whatsapp._send_answer = timed  # type: ignore[method-assign]
        return self

    async def __aexit__(self, *exc):
        assert self.channel.channel is not None and self._client is not None
        self.channel.channel._send_answer = self._original  # type: ignore[method-assign]
        await self._client.aclose()
        self.meta.close()

    def _resolve(self, wa_id: str) -> None:
        waiting = self._waiting.get(wa_id)
        if waiting:
            future = waiting.pop(0)
            if not future.done():
                future.set_result(time.perf_counter())

    async def ask(self, chat: str, language: str, text: str) -> None:
        wa_id = self._numbers.setdefault(chat, str(33700000000 + len(self._numbers)))
        assert self._loop is not None and self._client is not None, "inside `async with`"
        future = self._loop.create_future()
        self._waiting.setdefault(wa_id, []).append(future)
        raw = meta_json(self.meta.delivery(self.meta.message(wa_id, text)))
        response = await self._client.post(
            self.meta.url,
            content=raw,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": signature(APP_SECRET, raw),
            },  # fmt: skip
        )
        response.raise_for_status()
        await asyncio.wait_for(future, 60)


async def open_loop(target, rate: float, seconds: float, chats: int, tag: str) -> tuple[load.Result, int]:  # fmt: skip
    """``load.open_loop``, counting the messages that got no answer (a Rasa saturated by
    other work on the machine refuses connections) instead of ending the run."""
    latencies: list[float] = []
    failed = 0
    order = itertools.cycle(range(chats))

    async def one(index: int, k: int) -> None:
        nonlocal failed
        language, text = load.MESSAGES[(index + k) % len(load.MESSAGES)]
        started = time.perf_counter()
        try:
            await target.ask(f"{tag}-{index}", language, text)
        except (httpx.HTTPError, asyncio.TimeoutError):
            failed += 1
            return
        latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    tasks = []
    for k in range(int(rate * seconds)):
        delay = started + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(next(order), k)))
    await asyncio.gather(*tasks)
    return load.Result(len(latencies), time.perf_counter() - started, latencies), failed


async def measure(targets, per_chat: int, alone: int, rate: float, seconds: float) -> dict:
    table: dict[str, dict[str, dict]] = {}
    for make in targets:
        async with make() as target:
            await load.closed_loop(target, 2, 3, f"{id(target)}-warm")  # the model's lazy parts
            rows = {
                "closed loop, 1 chat": load.summary(
                    await load.closed_loop(target, 1, alone, f"{id(target)}-c1")
                ),  # fmt: skip
                "closed loop, 10 chats": load.summary(
                    await load.closed_loop(target, 10, per_chat, f"{id(target)}-c10")
                ),  # fmt: skip
            }
            result, failed = await open_loop(target, rate, seconds, 200, f"{id(target)}-o")
            rows[f"open loop, {rate:g} msg/s from 200 chats"] = {**load.summary(result), "failed": failed}  # fmt: skip
            table[target.name] = rows
    return table


def report(table: dict[str, dict[str, dict]], rate: float) -> str:
    lines = [
        "| target | load | replies/s | p50 | p95 | p99 | replies | no answer |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for target, rows in table.items():
        for name, r in rows.items():
            lines.append(
                f"| {target} | {name} | {r['replies/s']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {int(r['n'])} | {r.get('failed', 0)} |"  # fmt: skip
            )
    rest, channel = table[load.RestTarget.name], table[WhatsAppTarget.name]
    for name in ("closed loop, 1 chat", f"open loop, {rate:g} msg/s from 200 chats"):
        for p in ("p50", "p95"):
            extra = channel[name][p] - rest[name][p]
            lines.append(
                f"- overhead of the channel, {name}, {p}: {extra:+.0f} ms ({extra / rest[name][p]:+.0%} of Rasa REST's)"  # fmt: skip
            )
    load1, load5, _ = os.getloadavg()
    lines.append(f"- machine: {os.cpu_count()} cores, load average {load1:.1f} (1 min), {load5:.1f} (5 min) at the end")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few seconds of load")
    parser.add_argument("--rate", type=float, default=30.0, help="messages per second (open loop)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the open loop")
    args = parser.parse_args(argv)
    seconds = 2.0 if args.smoke else args.seconds
    per_chat, alone = (2, 5) if args.smoke else (10, 60)
    with tempfile.TemporaryDirectory() as tmp:
        base = settings_module.from_environment()
        settings = replace(base, var_dir=Path(tmp) / "var", rasa_url="")
        settings.var_dir.mkdir(parents=True)
        model = latest_model(settings.models_dir) or train(settings)
        with Services(settings, model) as services:
            # Rasa saturated at 30 msg/s on a shared machine answers its health check late;
            # restarting it would end the measure (this measures latency, not supervision).
            services.supervisor.health_timeout = 15.0
            api = FakeGraphApi().start()
            channel = RunningWhatsApp(
                api,
                services.rasa_url,
                settings.var_dir,
                settings.content_dir,
                "bench",
                rasa_timeout=60.0,  # fmt: skip
            ).start()
            # The channel alone: the stand-in Rasa answers at once (its own cost, no understanding).
            bare = RunningWhatsApp(api, RecordingRasa(), settings.var_dir, settings.content_dir, "bare").start()  # fmt: skip
            try:
                table = asyncio.run(
                    measure(
                        [
                            lambda: RestTarget(services.rasa_url),
                            lambda: WhatsAppTarget(channel),
                            lambda: WhatsAppTarget(bare, BARE),
                        ],
                        per_chat,
                        alone,
                        args.rate,
                        seconds,
                    )  # fmt: skip
                )
            finally:
                bare.stop()
                channel.stop()
                api.stop()
    print(report(table, args.rate))


if __name__ == "__main__":
    main()
