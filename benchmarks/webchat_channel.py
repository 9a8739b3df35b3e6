"""The web chat's speed: latency over HTTP, and its overhead against Rasa's REST channel.

    python -m benchmarks.webchat_channel            # about two minutes once Rasa is up
    python -m benchmarks.webchat_channel --smoke    # a few seconds of load

The same messages (benchmarks/load.py's MESSAGES, the same closed and open
loops as the Telegram channel's measures in ``python -m benchmarks``) go
- straight to Rasa's REST channel (``load.RestTarget``), and
- through the web chat as the widget sends them: ``POST /api/messages`` with
  the page's Origin and the browser's language -> origin check, limits,
  PerUserOrder -> the channel core (pseudonym, language decision) -> Rasa ->
  actions -> the JSON replies back.
Conversations are opened before the clock starts, as a tourist opens the
window before typing. The web chat's rate limits are off (``Limits.off()``):
every message here comes from one address. It prints the figures; it does
not write BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import httpx

import settings as settings_module
from benchmarks import load
from bot.channels.webchat_limits import Limits
from bot.core.rasa_client import RasaClient
from bot.services import Services, train
from rasa_extensions.command import latest_model
from testkit.webchat_harness import ServedWebChat

BROWSER_LANGUAGES = {"fr": "fr-FR", "zh": "zh-CN", "en": "en-GB"}
OPEN_LOOP_CHATS = 200


class Unanswered(Exception):
    """The web chat answered, but with the core's "try again" sentence (Rasa unreachable)."""


class Counted:
    """A target that times its answered messages and counts the failed ones instead of
    ending the run (on a busy machine Rasa's supervisor may restart it mid-run; its log
    says so): the figures are those of answered messages, the failures said beside them."""

    def __init__(self, target) -> None:
        self.target = target
        self.name = target.name
        self.errors = 0
        self.latencies_ms: list[float] = []

    async def __aenter__(self):
        await self.target.__aenter__()
        return self

    async def __aexit__(self, *exc):
        await self.target.__aexit__(*exc)

    async def ask(self, chat: str, language: str, text: str) -> None:
        started = time.perf_counter()
        try:
            await self.target.ask(chat, language, text)
        except (httpx.HTTPError, Unanswered):
            self.errors += 1
        else:
            self.latencies_ms.append((time.perf_counter() - started) * 1000)

    def answered(self, since: int, seconds: float) -> load.Result:
        """The answered messages from the ``since``-th on, over ``seconds``."""
        latencies = self.latencies_ms[since:]
        return load.Result(len(latencies), seconds, latencies)


class WebChatTarget:
    name = "Web chat channel (HTTP)"

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.AsyncClient(
            timeout=60,
            limits=httpx.Limits(max_connections=500),
            headers={"Origin": url},  # the demo page's own origin
        )
        self.conversations: dict[str, str] = {}

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.client.aclose()

    async def open(self, tag: str, chats: int) -> None:
        """Opens the conversations of ``tag``'s chats, before any timing."""
        for index in range(chats):
            response = await self.client.post(self.url + "/api/conversations", json={})
            response.raise_for_status()
            self.conversations[f"{tag}-{index}"] = response.json()["conversation"]

    async def ask(self, chat: str, language: str, text: str) -> None:
        body = {
            "conversation": self.conversations[chat],
            "text": text,
            "language": BROWSER_LANGUAGES[language],
        }
        response = await self.client.post(self.url + "/api/messages", json=body)
        response.raise_for_status()
        if response.json()["failed"]:
            raise Unanswered()


async def measure(
    rest: Counted, web: Counted, alone: int, rate: float, seconds: float
) -> dict[str, dict[str, dict]]:
    """One chat alone, each message to Rasa then to the web chat in turn (a machine whose
    load changes weighs on both alike); then the open loop on each."""
    open_name = f"open loop, {rate:g} msg/s from {OPEN_LOOP_CHATS} chats"
    table: dict[str, dict[str, dict]] = {rest.name: {}, web.name: {}}
    async with rest, web:
        for tag, chats in (("warm", 2), ("c1", 1), ("o", OPEN_LOOP_CHATS)):
            await web.target.open(f"web-{tag}", chats)
        for target, tag in ((rest, "rest"), (web, "web")):
            await load.closed_loop(target, 2, 2, f"{tag}-warm")  # the model's lazy parts
        marks = {target.name: len(target.latencies_ms) for target in (rest, web)}
        started = time.perf_counter()
        for k in range(alone):
            language, text = load.MESSAGES[k % len(load.MESSAGES)]
            for target, tag in ((rest, "rest"), (web, "web")):
                await target.ask(f"{tag}-c1-0", language, text)
        elapsed = (time.perf_counter() - started) / 2
        for target, tag in ((rest, "rest"), (web, "web")):
            result = target.answered(marks[target.name], elapsed)
            table[target.name]["closed loop, 1 chat"] = load.summary(result)
            mark = len(target.latencies_ms)
            loop = await load.open_loop(target, rate, seconds, OPEN_LOOP_CHATS, f"{tag}-o")
            table[target.name][open_name] = load.summary(target.answered(mark, loop.seconds))
    return table


def report(table: dict[str, dict[str, dict]], rate: float) -> str:
    lines = [
        "| target | load | replies/s | p50 | p95 | p99 | replies |",
        "|---|---|---|---|---|---|---|",
    ]
    for target, rows in table.items():
        for name, r in rows.items():
            lines.append(
                f"| {target} | {name} | {r['replies/s']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | "
                f"{r['p99']:.0f} | {int(r['n'])} |"
            )
    web, rest = table[WebChatTarget.name], table[load.RestTarget.name]
    alone_web, alone_rest = web["closed loop, 1 chat"]["p50"], rest["closed loop, 1 chat"]["p50"]
    open_name = f"open loop, {rate:g} msg/s from {OPEN_LOOP_CHATS} chats"
    lines += [
        "",
        f"- web chat, one chat alone: p50 {alone_web:.0f} ms against {alone_rest:.0f} ms straight "
        f"to Rasa: overhead {alone_web - alone_rest:.0f} ms, {alone_web / alone_rest - 1:.0%} of Rasa's latency",
        f"- web chat at {rate:g} msg/s: p50 {web[open_name]['p50']:.0f} ms, p95 {web[open_name]['p95']:.0f} ms "
        f"(Rasa REST: p50 {rest[open_name]['p50']:.0f} ms, p95 {rest[open_name]['p95']:.0f} ms)",
    ]
    return "\n".join(lines)


def failures(rest: Counted, web: Counted) -> str:
    return (
        f"- messages not answered (left out of the figures above): {rest.errors} straight to "
        f"Rasa (an HTTP error), {web.errors} through the web chat (the tourist read the core's "
        '"try again" sentence, or an HTTP error)'
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few seconds of load")
    parser.add_argument("--rate", type=float, default=30.0, help="messages a second (30)")
    args = parser.parse_args(argv)
    alone, seconds = (5, 2) if args.smoke else (60, 20)
    print(f"Load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        settings = replace(settings_module.from_environment(), var_dir=work / "var", rasa_url="")
        model = latest_model(settings.models_dir) or train(settings)
        print("Starting Rasa and the action server...", flush=True)
        with Services(settings, model) as services:
            rasa = RasaClient(services.rasa_url, timeout=60)
            with ServedWebChat(rasa, work, limits=Limits.off()) as chat:
                print("Measuring...", flush=True)
                rest = Counted(load.RestTarget(services.rasa_url))
                web = Counted(WebChatTarget(chat.url))
                table = asyncio.run(measure(rest, web, alone, args.rate, seconds))
    print(report(table, args.rate))
    print(failures(rest, web))
    print(f"Load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
