"""Load against the assistant: closed and open loops, through Telegram or straight to Rasa.

Two targets answer the same messages:
- ``RestTarget``: Rasa's REST channel, as the channel layer calls it;
- ``TelegramTarget``: the offline Bot API (testkit/fake_bot_api.py) -> the real
  python-telegram-bot Application -> Rasa -> actions -> back, timed from the
  update being available to the reply reaching the Bot API. Telegram's flood
  limits are the Bot API's to enforce, so the channel's own limiters are off.
  Given the channel's ``answered`` listeners (``RunningBot.answered_listeners``),
  a message is timed to its answer's last message, found by update id: an
  answer of several messages ("any offers" has two) would otherwise have its
  second message taken for the reply to the chat's next message, and every
  later message of the chat would be timed against the previous one's reply.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import httpx

if TYPE_CHECKING:
    from testkit.fake_bot_api import Call, FakeBotApi

MESSAGES = [
    ("fr", "bonjour"),
    ("fr", "comment aller a chamonix depuis geneve"),
    ("fr", "et le prix ?"),
    ("zh", "八达岭门票多少钱"),
    ("zh", "崇礼怎么去"),
    ("zh", "什么时候去最好"),
    ("en", "how do I get to la feclaz"),
    ("en", "what can i do in chongli"),
    ("en", "opening hours?"),
    ("fr", "merci"),
    ("en", "any offers"),
    ("zh", "谢谢"),
]


@dataclass
class Result:
    replies: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.replies / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class RestTarget:
    name = "Rasa REST channel"

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/") + "/webhooks/rest/webhook"
        self.client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> RestTarget:
        self.client = httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=500))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    async def ask(self, chat: str, language: str, text: str) -> None:
        if self.client is None:
            raise RuntimeError("RestTarget asks inside `async with`")
        response = await self.client.post(
            self.url,
            json={
                "sender": chat,
                "message": text,
                "metadata": {"language": language, "channel": "bench"},
            },
        )
        response.raise_for_status()


class TelegramTarget:
    name = "Telegram channel (offline Bot API)"

    def __init__(
        self,
        api: FakeBotApi,
        chat_base: int,
        answered: list[Callable[[str], None]] | None = None,
    ) -> None:
        self.api = api
        self.chat_base = chat_base
        self.answered = answered  # the channel's, to time each update to its whole answer
        self._waiting: dict[str, list[asyncio.Future]] = {}
        self._updates: dict[int, asyncio.Future] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> TelegramTarget:
        self._loop = asyncio.get_running_loop()
        if self.answered is not None:
            self.answered.append(self._on_answered)
        else:
            self.api.listeners.append(self._on_call)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.answered is not None:
            self.answered.remove(self._on_answered)
        else:
            self.api.listeners.remove(self._on_call)

    def _on_answered(self, delivery_id: str) -> None:
        """Told by the channel (in its own thread) of each update it has answered."""
        if self._loop is not None:
            update_id = int(delivery_id.rsplit(":", 1)[1])
            self._loop.call_soon_threadsafe(self._resolve_update, update_id)

    def _resolve_update(self, update_id: int) -> None:
        future = self._updates.pop(update_id, None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    def _on_call(self, call: Call) -> None:
        """Told by the Bot API (in its own thread) of each call the bot made."""
        if call.method != "sendMessage" or self._loop is None:
            return
        chat = str(call.params.get("chat_id"))
        self._loop.call_soon_threadsafe(self._resolve, chat)

    def _resolve(self, chat: str) -> None:
        waiting = self._waiting.get(chat)
        if waiting:
            future = waiting.pop(0)
            if not future.done():
                future.set_result(time.perf_counter())

    async def ask(self, chat: str, language: str, text: str) -> None:
        chat_id = self.chat_base + int(chat.rsplit("-", 1)[1])
        if self._loop is None:
            raise RuntimeError("TelegramTarget asks inside `async with`")
        future = self._loop.create_future()
        code = {"fr": "fr", "zh": "zh-hans", "en": "en"}[language]
        if self.answered is not None:
            update = self.api.push_message(chat_id, text, language_code=code)
            self._updates[update["update_id"]] = future
        else:
            self._waiting.setdefault(str(chat_id), []).append(future)
            self.api.push_message(chat_id, text, language_code=code)
        await asyncio.wait_for(future, 60)


class Target(Protocol):
    """What a load is sent to: a channel or Rasa itself, asked one message at a time."""

    name: str

    async def ask(self, chat: str, language: str, text: str) -> Any: ...


async def closed_loop(target: Target, chats: int, per_chat: int, tag: str) -> Result:
    """Each chat sends its next message when the reply to the last one arrives."""
    latencies: list[float] = []

    async def one_chat(index: int) -> None:
        offset = random.Random(index).randrange(len(MESSAGES))
        for k in range(per_chat):
            language, text = MESSAGES[(offset + k) % len(MESSAGES)]
            started = time.perf_counter()
            await target.ask(f"{tag}-{index}", language, text)
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(one_chat(i) for i in range(chats)))
    return Result(len(latencies), time.perf_counter() - started, latencies)


async def open_loop(target: Target, rate: float, seconds: float, chats: int, tag: str) -> Result:
    """Messages arrive at a fixed rate from ``chats`` chats, answered or not."""
    latencies: list[float] = []
    tasks = []
    order = itertools.cycle(range(chats))

    async def one(index: int, k: int) -> None:
        language, text = MESSAGES[(index + k) % len(MESSAGES)]
        started = time.perf_counter()
        await target.ask(f"{tag}-{index}", language, text)
        latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    total = int(rate * seconds)
    for k in range(total):
        due = started + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(next(order), k)))
    await asyncio.gather(*tasks)
    return Result(len(latencies), time.perf_counter() - started, latencies)


def summary(result: Result) -> dict[str, float]:
    return {
        "replies/s": result.per_second,
        "p50": result.percentile(50),
        "p95": result.percentile(95),
        "p99": result.percentile(99),
        "n": result.replies,
        "mean": statistics.fmean(result.latencies_ms) if result.latencies_ms else float("nan"),
    }
