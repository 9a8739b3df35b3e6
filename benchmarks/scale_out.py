"""Scale-out: the assistant on SQLite with one Rasa process (the default), and on
PostgreSQL + Redis with one and with two Rasa processes, measured in one run.

    python -m benchmarks.scale_out            # about 15 minutes on 2 cores
    python -m benchmarks.scale_out --smoke    # tiny loads, to see that every part runs
    python -m benchmarks.scale_out --out FILE # also writes the section to FILE

For each configuration: latency by turn number in one long conversation
(straight to Rasa's REST channel, routed as the channel core routes it), closed
loops through the Telegram channel on fresh conversations and on conversations
already 50 turns long, open loops at 30 and 60 messages a second, CPU time per
reply summed over every process, and the memory of every process after the
loads. PostgreSQL and Redis are real servers (testkit/servers.py) in a temporary
folder, stopped and removed at the end whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import settings as settings_module
from benchmarks import load
from benchmarks.machine import machine
from benchmarks.targets import TARGETS, verdict
from bot.core.pseudonym import pseudonym
from bot.core.rasa_client import RasaClient
from bot.services import Services, train
from rasa_extensions.command import latest_model
from settings import Settings
from testkit.fake_bot_api import FakeBotApi
from testkit.servers import PostgresServer, RedisServer
from testkit.telegram_harness import RunningBot

REPLY_BUDGET_MS = 5000  # a tourist waits this long at most (the channel's Rasa timeout)
GIVEN_UP = (
    "rest.message.received.timeout"  # Rasa's log line for a turn the channel stopped waiting for
)
TICKS = os.sysconf("SC_CLK_TCK")
BENCHMARK = "benchmark process"  # the channel, the offline Bot API and the load generator
ROLES = [BENCHMARK, "rasa", "rasa-2", "actions", "postgres", "redis"]


@dataclass(frozen=True)
class Plan:
    """How much load each configuration gets."""

    turns: int  # the long conversation
    windows: tuple[tuple[int, int], ...]  # turn numbers (from 1) reported together
    closed: tuple[int, ...]  # chats in the closed loops
    per_chat: int  # messages per chat in a closed loop of several chats
    alone: int  # messages of the one-chat closed loop (fresh conversation)
    alone_long: int  # the same on a conversation already long
    prewarm: int  # turns each long conversation has before its closed loop
    rates: tuple[int, ...]  # open loops, messages a second
    seconds: float  # length of each open loop
    open_chats: int  # chats the open loop's messages come from


FULL = Plan(
    turns=120, windows=((1, 20), (41, 60), (101, 120)), closed=(1, 10, 50, 100),
    per_chat=10, alone=60, alone_long=20, prewarm=50, rates=(30, 60), seconds=20, open_chats=200,
)  # fmt: skip
SMOKE = Plan(
    turns=12, windows=((1, 4), (5, 8), (9, 12)), closed=(1, 2),
    per_chat=3, alone=5, alone_long=3, prewarm=3, rates=(2,), seconds=2, open_chats=4,
)  # fmt: skip


@dataclass(frozen=True)
class Configuration:
    key: str
    name: str
    postgres: bool
    rasa_processes: int


CONFIGURATIONS = [
    Configuration("a", "SQLite, 1 Rasa process (default)", False, 1),
    Configuration("b", "PostgreSQL + Redis, 1 Rasa process", True, 1),
    Configuration("c", "PostgreSQL + Redis, 2 Rasa processes", True, 2),
]


@dataclass
class Measured:
    """One load: its latencies, the CPU it cost by process, the failures the tourist saw."""

    result: load.Result
    cpu_ms: dict[str, float]
    unavailable: int

    def cpu_per_reply(self, roles: list[str]) -> float:
        if not self.result.replies:
            return float("nan")
        return sum(self.cpu_ms.get(role, 0.0) for role in roles) / self.result.replies


@dataclass
class Outcome:
    configuration: Configuration
    turns_ms: list[float] = field(default_factory=list)
    closed: dict[tuple[str, int], Measured] = field(default_factory=dict)  # (fresh|long, chats)
    open: dict[int, Measured] = field(default_factory=dict)  # by rate
    rss_mb: dict[str, float] = field(default_factory=dict)
    pss_mb: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    log_errors: list[str] = field(
        default_factory=list
    )  # ERROR lines of Rasa's and the actions' logs

    @property
    def roles(self) -> list[str]:
        """The processes of this configuration (PostgreSQL and Redis run idle beside the default)."""
        rasa = ["rasa"] + [f"rasa-{n}" for n in range(2, self.configuration.rasa_processes + 1)]
        servers = ["postgres", "redis"] if self.configuration.postgres else []
        return [role for role in ROLES if role in (BENCHMARK, "actions", *rasa, *servers)]


# Processes: every one the benchmark started descends from this process.


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, CPU ticks of the process and of its children already reaped)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # Fields 4 (ppid) and 14-17 (utime, stime, cutime, cstime) of proc(5).
    return int(fields[1]), sum(int(value) for value in fields[11:15])


def _processes(roots: dict[int, str]) -> dict[int, tuple[str, int]]:
    """pid -> (role, CPU ticks) for this process and all its descendants.

    A descendant takes the role of its nearest ancestor named in ``roots``
    (a PostgreSQL backend is "postgres"); this process is the benchmark's.
    A process that ends during a load has its ticks moved to its parent's
    reaped-children count, so sums of deltas stay right."""
    stats: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found = _stat(int(entry.name))
            if found is not None:
                stats[int(entry.name)] = found
    named = {os.getpid(): BENCHMARK, **roots}
    tree: dict[int, tuple[str, int]] = {}
    for pid, (_, ticks) in stats.items():
        ancestor: int | None = pid
        while ancestor is not None and ancestor not in named:
            parent = stats.get(ancestor)
            ancestor = parent[0] if parent and parent[0] > 1 else None
        if ancestor is not None:
            tree[pid] = (named[ancestor], ticks)
    return tree


def _cpu_ms(
    before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]]
) -> dict[str, float]:
    spent: dict[str, float] = {}
    for snapshot, sign in ((after, 1), (before, -1)):
        for role, ticks in snapshot.values():
            spent[role] = spent.get(role, 0.0) + sign * ticks * 1000 / TICKS
    return spent


def _memory(roots: dict[int, str]) -> tuple[dict[str, float], dict[str, float]]:
    """Resident (RSS) and proportional (PSS: shared pages split between their users) MB by role."""
    rss: dict[str, float] = {}
    pss: dict[str, float] = {}
    for pid, (role, _) in _processes(roots).items():
        rss[role] = rss.get(role, 0.0) + _kb(f"/proc/{pid}/status", "VmRSS") / 1024
        pss[role] = pss.get(role, 0.0) + _kb(f"/proc/{pid}/smaps_rollup", "Pss") / 1024
    return rss, pss


def _kb(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            name, _, rest = line.partition(":")
            if name == key:
                return int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class _Unavailable(logging.Handler):
    """Counts the turns the channel answered with "unavailable" (Rasa too slow or failing)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Rasa unavailable"):
            self.count += 1


@contextlib.contextmanager
def _counting_unavailable() -> Iterator[_Unavailable]:
    handler = _Unavailable()
    assistant_log = logging.getLogger("bot.core.assistant")
    assistant_log.addHandler(handler)
    try:
        yield handler
    finally:
        assistant_log.removeHandler(handler)


# Servers


@contextlib.contextmanager
def _servers(work: Path) -> Iterator[tuple[PostgresServer, RedisServer]]:
    """PostgreSQL and Redis under ``work``, stopped and removed on the way out."""
    postgres: PostgresServer | None = None
    redis: RedisServer | None = None
    try:
        postgres = PostgresServer().start()
        redis = RedisServer(work / "redis").start()
        yield postgres, redis
    finally:
        if redis is not None:
            redis.stop()
        if postgres is not None:
            postgres.remove()


def _server_roots(postgres: PostgresServer, redis: RedisServer) -> dict[int, str]:
    """Named in every configuration, so the idle servers are never counted as the benchmark's."""
    roots = {}
    if postgres.process is not None:
        roots[postgres.process.pid] = "postgres"
    if redis.process is not None:
        roots[redis.process.pid] = "redis"
    return roots


# The section


def scale_out_section(work: Path, smoke: bool) -> str:
    """The "## Scale-out" section of BENCHMARKS.md, every configuration measured in this run."""
    plan = SMOKE if smoke else FULL
    work.mkdir(parents=True, exist_ok=True)
    base = replace(settings_module.from_environment(), rasa_url="", rasa_urls=())
    model = latest_model(base.models_dir) or train(base)
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    with _servers(work / "servers") as (postgres, redis):
        for configuration in CONFIGURATIONS:
            print(f"scale-out: {configuration.name}...", file=sys.stderr, flush=True)
            outcome = Outcome(configuration)
            outcomes.append(outcome)
            settings = replace(base, var_dir=work / configuration.key / "var")
            try:
                if configuration.postgres:
                    url = postgres.create_database(f"tracker_{configuration.key}")
                    settings = replace(settings, tracker_store_url=url, redis_url=redis.url)
                _measure(outcome, settings, model, plan, _server_roots(postgres, redis))
            except Exception as error:  # the other configurations are still measured
                traceback.print_exc()
                outcome.error = f"{type(error).__name__}: {error}"
    elapsed = time.perf_counter() - started
    return _report(outcomes, plan, smoke, elapsed)


def _measure(
    outcome: Outcome, settings: Settings, model: Path, plan: Plan, servers: dict[int, str]
) -> None:
    configuration = outcome.configuration
    with Services(settings, model, rasa_processes=configuration.rasa_processes) as services:

        def roots() -> dict[int, str]:
            """The processes by role, read again at each measure (a restarted child has a new pid)."""
            named = dict(servers)
            for name in services.supervisor.children:
                process = services.process(name)
                if process is not None:
                    named[process.pid] = name
            return named

        api = FakeBotApi().start()
        bot = RunningBot(
            api, services.rasa_urls, settings, "scale", per_chat_rate=1000, rate_limited=False
        ).start()
        try:
            asyncio.run(
                _loads(
                    outcome,
                    api,
                    bot.answered_listeners,
                    bot.assistant.key,
                    services.rasa_urls,
                    plan,
                    roots,
                )
            )
            outcome.rss_mb, outcome.pss_mb = _memory(roots())
        finally:
            bot.stop()
            api.stop()
    outcome.log_errors = _log_errors(settings.log_dir)


def _log_errors(log_dir: Path) -> list[str]:
    """The errors the child processes logged during the run ("file: line")."""
    found = []
    for path in sorted(log_dir.glob("*.log")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if " ERROR " in line or "Traceback" in line:
                found.append(f"{path.name}: {line.strip()[:200]}")
    return found


async def _loads(
    outcome: Outcome,
    api: FakeBotApi,
    answered: list[Callable[[str], None]],
    key: bytes,
    urls: list[str],
    plan: Plan,
    roots: Callable[[], dict[int, str]],
) -> None:
    """Every measured load of one configuration, in the order reported."""
    rasa = RasaClient(urls, timeout=60)
    chat_bases = iter(range(1_000_000, 100_000_000, 1_000_000))  # fresh chats for each load

    def telegram() -> load.TelegramTarget:
        return load.TelegramTarget(api, next(chat_bases), answered)

    try:
        # Warm-up: the model's lazy parts, in every Rasa process.
        for url in urls:
            async with load.RestTarget(url) as rest:
                await load.closed_loop(rest, 2, 2, "warm-rest")
        async with telegram() as target:
            await load.closed_loop(target, 2 * len(urls), 2, "warm-tg")

        outcome.turns_ms = await _long_conversation(rasa, plan.turns)

        for chats in plan.closed:
            async with telegram() as target:
                per_chat = plan.alone if chats == 1 else plan.per_chat
                outcome.closed[("fresh", chats)] = await _measured(
                    load.closed_loop(target, chats, per_chat, "fresh"), roots
                )

        # Long conversations: each closed loop of 1, 10 and 50 chats has chats of
        # its own, the 100-chat loop all of them (50 to 70 turns long when it starts).
        base, biggest = next(chat_bases), max(plan.closed)
        await _prewarm(rasa, key, [base + i for i in range(biggest)], plan.prewarm)
        end = biggest  # chats from `end` on are taken by a smaller loop
        for chats in plan.closed:
            first = 0 if chats == biggest else max(0, end - chats)
            end = end if chats == biggest else first
            async with load.TelegramTarget(api, base + first, answered) as target:
                per_chat = plan.alone_long if chats == 1 else plan.per_chat
                outcome.closed[("long", chats)] = await _measured(
                    load.closed_loop(target, chats, per_chat, "long"), roots
                )

        for rate in plan.rates:
            async with telegram() as target:
                outcome.open[rate] = await _measured(
                    load.open_loop(target, rate, plan.seconds, plan.open_chats, "open"), roots
                )
    finally:
        await rasa.close()


async def _settled(roots: Callable[[], dict[int, str]], most_seconds: float = 60.0) -> None:
    """Waits until every server is idle again (under a tenth of a core for half a
    second): an overloaded load leaves turns queued in Rasa that would otherwise
    be counted against the next one."""
    deadline = time.monotonic() + most_seconds
    while time.monotonic() < deadline:
        before = _processes(roots())
        await asyncio.sleep(0.5)
        spent = _cpu_ms(before, _processes(roots()))
        servers = sum(ms for role, ms in spent.items() if role != BENCHMARK)
        if servers < 50:
            return


async def _measured(
    run: Coroutine[Any, Any, load.Result], roots: Callable[[], dict[int, str]]
) -> Measured:
    await _settled(roots)
    with _counting_unavailable() as unavailable:
        before = _processes(roots())
        result = await run
        after = _processes(roots())
    return Measured(result, _cpu_ms(before, after), unavailable.count)


async def _long_conversation(rasa: RasaClient, turns: int) -> list[float]:
    """Milliseconds of each turn of one sender's conversation, MESSAGES cycled."""
    latencies = []
    for turn in range(turns):
        language, text = load.MESSAGES[turn % len(load.MESSAGES)]
        started = time.perf_counter()
        await rasa.send("long-conversation", text, {"language": language, "channel": "bench"})
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def _prewarm(rasa: RasaClient, key: bytes, chats: list[int], turns: int) -> None:
    """``turns`` turns for each Telegram chat, straight to Rasa under the chat's pseudonym."""

    async def one(chat: int) -> None:
        sender = pseudonym(key, "telegram", str(chat))
        for turn in range(turns):
            language, text = load.MESSAGES[(chat + turn) % len(load.MESSAGES)]
            await rasa.send(sender, text, {"language": language, "channel": "telegram"})

    await asyncio.gather(*(one(chat) for chat in chats))


# The report


def _percentile(values: list[float], p: float) -> float:
    return load.Result(len(values), 1.0, values).percentile(p)


def _window(outcome: Outcome, window: tuple[int, int]) -> list[float]:
    return outcome.turns_ms[window[0] - 1 : window[1]]


def _report(outcomes: list[Outcome], plan: Plan, smoke: bool, elapsed: float) -> str:
    first, _, last = plan.windows
    lines = [
        "## Scale-out\n",
        f"Generated by `python -m benchmarks.scale_out{' --smoke' if smoke else ''}` on "
        f"{dt.datetime.now():%Y-%m-%d %H:%M}, in {elapsed:.0f} s"
        + (" (smoke run: tiny loads, figures mean nothing)" if smoke else "")
        + f". Machine: {machine()}.\n",
        "How to read: three configurations of the same assistant, measured one after the other in",
        "this run: (a) SQLite with one Rasa process, today's default; (b) PostgreSQL as Rasa's",
        "tracker store and Redis as its lock store, one Rasa process; (c) the same with two Rasa",
        "processes, each chat routed to one of them by the channel core (rendezvous hashing on",
        "the pseudonym). PostgreSQL and Redis are real local servers (no fsync) on the same cores.",
        "Latencies are milliseconds from a message being available to its answer: through the",
        "Telegram channel (offline Bot API -> python-telegram-bot -> channel core -> Rasa ->",
        "actions -> back, flood limiters off), except the long conversation, sent straight to",
        "Rasa's REST channel to show a turn's cost against the conversation's length.",
        "*Unavailable* counts the turns the tourist was told to try again (Rasa slower than the",
        f"{REPLY_BUDGET_MS / 1000:.0f} s budget). CPU per reply is the user + system time of every",
        "process over the load (the benchmark's own, which runs the channel, the offline Bot API",
        "and the load; Rasa; the action server; PostgreSQL and Redis with their children),",
        "divided by the replies: cores needed = replies/s x CPU ms / 1000. Memory is resident",
        "(RSS) after the loads; PSS splits shared pages (PostgreSQL's shared buffers, counted in",
        "every backend's RSS) between the processes sharing them. Each measured load starts",
        "once every server is idle again, so turns an overloaded load left queued in Rasa are",
        "not counted against the next one.\n",
    ]
    failed = [o for o in outcomes if o.error]
    for outcome in failed:
        lines.append(f"**{outcome.configuration.name} failed**: `{outcome.error}`\n")

    lines += [
        f"### Latency by turn number, one conversation of {plan.turns} turns (Rasa REST)\n",
        "| configuration | "
        + " | ".join(f"turns {a}-{b} p50 | p95" for a, b in plan.windows)
        + f" | turns {last[0]}-{last[1]} p50 against {first[0]}-{first[1]} |",
        "|---|" + "---|---|" * len(plan.windows) + "---|",
    ]
    for outcome in outcomes:
        if len(outcome.turns_ms) < plan.turns:
            continue
        cells = []
        for window in plan.windows:
            values = _window(outcome, window)
            cells += [f"{statistics.median(values):.0f}", f"{_percentile(values, 95):.0f}"]
        growth = _growth(outcome, plan)
        lines.append(
            f"| {outcome.configuration.name} | " + " | ".join(cells) + f" | {growth:+.0%} |"
        )

    lines += [
        "\n### Closed loops through the Telegram channel\n",
        "Each chat sends its next message when the reply arrives; *long*: every chat's",
        f"conversation already had {plan.prewarm} turns (sent straight to Rasa, not timed) before the",
        f"loop (the {max(plan.closed)}-chat loop reuses the chats of the smaller ones: {plan.prewarm} "
        f"to {plan.prewarm + max(plan.alone_long, plan.per_chat)} turns). Each message is timed to",
        "the last message of its answer.\n",
        "| configuration | conversations | chats | replies/s | p50 | p95 | p99 | replies | unavailable | CPU ms/reply |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in ("fresh", "long"):
        for outcome in outcomes:
            for chats in plan.closed:
                m = outcome.closed.get((kind, chats))
                if m is None:
                    continue
                r = load.summary(m.result)
                lines.append(
                    f"| {outcome.configuration.name} | {kind} | {chats} | {r['replies/s']:.1f} | "
                    f"{r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {int(r['n'])} | "
                    f"{m.unavailable} | {m.cpu_per_reply(outcome.roles):.1f} |"
                )

    lines += [
        "\n### Open loops through the Telegram channel\n",
        f"Messages arrive at a fixed rate for {plan.seconds:.0f} s from {plan.open_chats} chats, "
        "answered or not.\n",
        f"| configuration | msg/s | replies/s | p50 | p95 | max | within {REPLY_BUDGET_MS / 1000:.0f} s | unavailable | CPU ms/reply |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        for rate, m in outcome.open.items():
            r, latencies = load.summary(m.result), m.result.latencies_ms
            within = sum(1 for value in latencies if value <= REPLY_BUDGET_MS)
            lines.append(
                f"| {outcome.configuration.name} | {rate} | {r['replies/s']:.1f} | {r['p50']:.0f} | "
                f"{r['p95']:.0f} | {max(latencies, default=float('nan')):.0f} | "
                f"{within} of {len(latencies)} | {m.unavailable} | {m.cpu_per_reply(outcome.roles):.1f} |"
            )

    biggest = 50 if 50 in plan.closed else max(plan.closed)
    rate = 30 if 30 in plan.rates else plan.rates[0]
    lines += [
        "\n### CPU milliseconds per reply, by process\n",
        "| configuration | load | " + " | ".join(ROLES) + " | all |",
        "|---|---|" + "---|" * (len(ROLES) + 1),
    ]
    for outcome in outcomes:
        for label, m in (
            (f"closed loop, {biggest} fresh chats", outcome.closed.get(("fresh", biggest))),
            (f"open loop, {rate} msg/s", outcome.open.get(rate)),
        ):
            if m is None:
                continue
            cells = [
                f"{m.cpu_per_reply([role]):.1f}" if role in outcome.roles else "-" for role in ROLES
            ]
            lines.append(
                f"| {outcome.configuration.name} | {label} | "
                + " | ".join(cells)
                + f" | **{m.cpu_per_reply(outcome.roles):.1f}** |"
            )

    lines += [
        "\n### Memory after the loads (MB)\n",
        "The totals are the assistant's servers (Rasa, the action server, PostgreSQL, Redis);",
        "the benchmark process, which stands in for the channel, is shown apart: it also holds",
        "the load generator and, in `make benchmark`, what the earlier sections loaded (the",
        "channel alone is measured in section 4).\n",
        "| configuration | " + " | ".join(ROLES) + " | servers (RSS) | servers (PSS) |",
        "|---|" + "---|" * (len(ROLES) + 2),
    ]
    for outcome in outcomes:
        if not outcome.rss_mb:
            continue
        cells = [
            f"{outcome.rss_mb.get(role, 0):.0f}" if role in outcome.roles else "-" for role in ROLES
        ]
        lines.append(
            f"| {outcome.configuration.name} | "
            + " | ".join(cells)
            + f" | **{_total(outcome, outcome.rss_mb):.0f}** | {_total(outcome, outcome.pss_mb):.0f} |"
        )

    lines += [
        "\n### Errors logged by Rasa and the action server\n",
        "*Given up*: Rasa's REST channel logs `rest.message.received.timeout` for each turn the",
        "channel stopped waiting for after its 5 s budget (the tourist was told to try again):",
        "overload, counted apart from any other error.\n",
    ]
    for outcome in outcomes:
        given_up = [e for e in outcome.log_errors if GIVEN_UP in e]
        others = [e for e in outcome.log_errors if GIVEN_UP not in e]
        shown = others[:5]
        more = len(others) - len(shown)
        lines.append(
            f"- {outcome.configuration.name}: {len(given_up)} turns given up; other errors: "
            + ("none" if not shown else f"{len(others)} lines, the first:")
        )
        lines += [f"  - `{line}`" for line in shown]
        if more:
            lines.append(f"  - and {more} more")

    lines += ["\n### Targets\n"]
    for outcome in outcomes:
        lines += _targets(outcome, plan, smoke)
    return "\n".join(lines) + "\n"


def _total(outcome: Outcome, by_role: dict[str, float]) -> float:
    """The assistant's servers. The benchmark process is left out: it stands in for the
    channel but also holds the load generator, the offline Bot API and, in ``make
    benchmark``, whatever the earlier sections loaded (the channel alone: section 4)."""
    return sum(mb for role, mb in by_role.items() if role in outcome.roles and role != BENCHMARK)


def _growth(outcome: Outcome, plan: Plan) -> float:
    first = statistics.median(_window(outcome, plan.windows[0]))
    last = statistics.median(_window(outcome, plan.windows[-1]))
    return last / first - 1


def _targets(outcome: Outcome, plan: Plan, smoke: bool) -> list[str]:
    name = outcome.configuration.name
    if outcome.error:
        return [f"- {name}: not measured ({outcome.error})"]
    notes = []
    fifty = outcome.closed.get(("fresh", 50))
    if fifty is not None:
        value = fifty.result.per_second
        notes.append(
            f"replies/s at 50 chats end to end {value:.1f} (target 100: "
            f"{verdict(value, TARGETS['closed_50_rps'], True)})"
        )
    thirty = outcome.open.get(30)
    if thirty is not None:
        value = thirty.result.percentile(95)
        notes.append(
            f"p95 at 30 msg/s {value:.0f} ms (target 100 ms: "
            f"{verdict(value, TARGETS['open_30_p95_ms'], False)})"
        )
    if len(outcome.turns_ms) >= plan.turns:
        growth = _growth(outcome, plan)
        (a, b), (c, d) = plan.windows[-1], plan.windows[0]
        judged = verdict(round(growth * 100, 1), 20, False)
        notes.append(
            f"turns {a}-{b} median {growth:+.0%} against turns {c}-{d} (target within +20%: "
            f"{judged}{'' if judged == 'met' else ' percentage points'})"
        )
    if outcome.rss_mb:
        total = _total(outcome, outcome.rss_mb)
        if outcome.configuration.key == "a":
            notes.append(
                f"memory of the servers {total:.0f} MB, with the channel's of section 4 to add "
                f"(target under 1,500 MB for all in the default configuration: "
                f"{verdict(total, TARGETS['memory_mb'], False)} for the servers)"
            )
        else:
            notes.append(f"memory of the servers {total:.0f} MB (reported)")
    if smoke:
        notes.append("throughput and p95 targets are judged on the full run only")
    return [f"- {name}: " + "; ".join(notes) + "."]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny loads, to see that it runs")
    parser.add_argument("--out", type=Path, help="also write the section to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scale-out-") as tmp:
        text = scale_out_section(Path(tmp), args.smoke)
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")
    return 1 if "failed**:" in text else 0


if __name__ == "__main__":
    sys.exit(main())
