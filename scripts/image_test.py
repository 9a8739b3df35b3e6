"""The region's stack of docker-compose.yml run with podman, and put through the
faults the process-based scale-out tests (tests/test_scale_out.py) put `make run`
through, as a tourist on Telegram sees them (testkit's offline Bot API).

`make image-test` runs it, as root, once the stand-in base images and the
project's image are built (scripts/image-test.sh). Every container runs in one
pod whose network namespace has nothing but a loopback interface: the services
reach each other by their compose names, which a hosts file mounted into each
container maps to 127.0.0.1, and this script enters the same namespace (setns) to play Telegram
and to look at the databases. Nothing is reachable from outside the machine,
or from the machine's own network.

What differs from `docker compose up`, and why:
- one network namespace for all (no bridge network, no other address): rasa-2
  listens on 5006 (RASA_PORT), its health check and the channels' RASA_URLS
  follow, and the review app `bot run` starts inside the channels container
  takes 8001 (REVIEW_PORT); the published ports (`ports:`) are checked, not
  published;
- the health checks are run by this script, at each service's interval, as the
  engine does (podman runs them from systemd timers, which these machines lack);
- depends_on's conditions are waited for by this script, as Compose does.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.pseudonym import pseudonym  # noqa: E402
from bot.core.rasa_client import RasaClient  # noqa: E402
from curated.content import load as load_content  # noqa: E402
from testkit.fake_bot_api import FakeBotApi  # noqa: E402

PROJECT = "ctt-image"
PODMAN = ["podman"]  # runc and the limits: CONTAINERS_CONF (scripts/image-test.sh)
SECOND_RASA_PORT = "5006"
TELEGRAM_TOKEN = "123456:IMAGE-TEST-TOKEN"
CLONE_NEWNET = 0x40000000


class CheckFailed(AssertionError):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)
    print(f"  ok   {what}", flush=True)


def podman(*args: str, check_rc: bool = True, timeout: float = 300) -> str:
    done = subprocess.run(
        [*PODMAN, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check_rc and done.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


# The compose file, as Compose reads it

_VARIABLE = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}|\$\$")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's ${NAME}, ${NAME:-default}, ${NAME:?message} and $$ in every string."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, kind, rest = match.group(1), match.group(2), match.group(3)
        found = env.get(name, "")
        if kind == "?" and not found:
            raise SystemExit(f"docker-compose.yml needs {name}: {rest}")
        return found or (rest if kind == "-" else "")

    return _VARIABLE.sub(one, value)


def load_compose(env: dict[str, str]) -> dict[str, Any]:
    raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return interpolate({k: v for k, v in raw.items() if not k.startswith("x-")}, env)


def seconds(duration: str | None, default: float) -> float:
    if not duration:
        return default
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * units[u] for n, u in re.findall(r"([\d.]+)(ms|s|m|h)", str(duration)))


def in_one_namespace(services: dict[str, Any]) -> dict[str, Any]:
    """The departures one shared loopback needs (module docstring)."""
    second = services["rasa-2"]
    second["environment"] = {**second["environment"], "RASA_PORT": SECOND_RASA_PORT}
    second["healthcheck"] = {
        **second["healthcheck"],
        "test": [
            part.replace(":5005/", f":{SECOND_RASA_PORT}/")
            for part in second["healthcheck"]["test"]
        ],
    }
    channels = services["channels"]["environment"]
    channels["RASA_URLS"] = channels["RASA_URLS"].replace(
        "rasa-2:5005", f"rasa-2:{SECOND_RASA_PORT}"
    )
    # bot run's own review app (unreachable, as the compose file says) and the
    # review service would both want 8000.
    channels["REVIEW_PORT"] = "8001"
    return services


# The stack


@dataclass
class Service:
    name: str
    spec: dict[str, Any]
    container: str = ""
    last_check: float = 0.0

    @property
    def healthcheck(self) -> dict[str, Any] | None:
        return self.spec.get("healthcheck")


@dataclass
class Stack:
    services: dict[str, Service]
    pod: str = PROJECT
    checker: threading.Thread | None = None
    stopping: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def from_compose(cls, compose: dict[str, Any]) -> Stack:
        services = in_one_namespace(compose["services"])
        return cls(
            {name: Service(name, spec, f"{PROJECT}-{name}") for name, spec in services.items()}
        )

    @property
    def hosts(self) -> Path:
        return ROOT / "var" / f"{PROJECT}-hosts"

    def create(self) -> None:
        podman("pod", "rm", "--force", "--time", "5", self.pod, check_rc=False)
        # podman writes no --add-host entries into a pod without a network: each
        # container mounts this file as its /etc/hosts instead.
        self.hosts.parent.mkdir(exist_ok=True)
        self.hosts.write_text(f"127.0.0.1 localhost {' '.join(self.services)}\n")
        podman("pod", "create", "--name", self.pod, "--network", "none")
        podman("pod", "start", self.pod)

    def network_namespace(self) -> str:
        infra = podman("pod", "inspect", "--format", "{{.InfraContainerID}}", self.pod).strip()
        pid = podman("inspect", "--format", "{{.State.Pid}}", infra).strip()
        return f"/proc/{pid}/ns/net"

    def run(self, name: str) -> None:
        service = self.services[name]
        spec = service.spec
        args = ["run", "--detach", "--pod", self.pod, "--name", service.container]
        args += ["--volume", f"{self.hosts}:/etc/hosts:ro"]
        if spec.get("init"):
            args.append("--init")
        if spec.get("restart"):
            args += ["--restart", spec["restart"]]
        if spec.get("stop_grace_period"):
            args += ["--stop-timeout", str(int(seconds(spec["stop_grace_period"], 10)))]
        environment = spec.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        for key, value in environment.items():
            args += ["--env", f"{key}={'' if value is None else value}"]
        for volume in spec.get("volumes", []):
            source, target = volume.split(":", 1)
            if not source.startswith((".", "/")):
                source = f"{PROJECT}_{source}"
            args += ["--volume", f"{source}:{target}"]
        check_ = service.healthcheck
        if check_:
            test = check_["test"]
            if test[0] == "CMD":
                args += ["--health-cmd", json.dumps(test[1:])]
            else:
                args += ["--health-cmd", test[1] if len(test) == 2 else " ".join(test[1:])]
            # Run by this script (module docstring), not by systemd timers.
            args += [
                "--health-interval",
                "disable",
                "--health-retries",
                str(check_.get("retries", 3)),
                "--health-timeout",
                check_.get("timeout", "30s"),
                "--health-start-period",
                check_.get("start_period", "0s"),
            ]
        image = spec.get("image") or PROJECT
        args.append(image)
        args += [str(part) for part in spec.get("command", [])]
        podman(*args)

    def up(self) -> None:
        """Each service once those it depends on are healthy (or started), as Compose does."""
        started: set[str] = set()
        self.start_health_checks()
        while len(started) < len(self.services):
            for name, service in self.services.items():
                if name in started:
                    continue
                needs = service.spec.get("depends_on") or {}
                if all(self.ready(dep, cond.get("condition")) for dep, cond in needs.items()):
                    print(f"starting {name}", flush=True)
                    self.run(name)
                    started.add(name)
            time.sleep(2)

    def ready(self, name: str, condition: str | None) -> bool:
        state = self.state(name)
        if condition == "service_healthy":
            return state.get("Health", {}).get("Status") == "healthy"
        return state.get("Running", False)

    def state(self, name: str) -> dict[str, Any]:
        out = podman(
            "inspect", "--format", "{{json .State}}", self.services[name].container, check_rc=False
        )
        return json.loads(out) if out.strip() else {}

    def restarts(self, name: str) -> int:
        out = podman("inspect", "--format", "{{.RestartCount}}", self.services[name].container)
        return int(out.strip() or 0)

    def start_health_checks(self) -> None:
        def loop() -> None:
            while not self.stopping.wait(1):
                now = time.monotonic()
                for service in self.services.values():
                    spec = service.healthcheck
                    if not spec or now - service.last_check < seconds(spec.get("interval"), 30):
                        continue
                    service.last_check = now
                    if self.state(service.name).get("Running"):
                        podman("healthcheck", "run", service.container, check_rc=False)

        self.checker = threading.Thread(target=loop, daemon=True)
        self.checker.start()

    def wait_healthy(self, names: list[str], timeout: float) -> float:
        """Seconds until every one of ``names`` is healthy (running, without a health check)."""
        began = time.monotonic()
        while True:
            waiting = [
                n
                for n in names
                if not self.ready(n, "service_healthy" if self.services[n].healthcheck else None)
            ]
            if not waiting:
                return time.monotonic() - began
            if time.monotonic() - began > timeout:
                raise CheckFailed(f"not healthy after {timeout:.0f} s: {', '.join(waiting)}")
            time.sleep(1)

    def main_process(self, name: str) -> int:
        """The host pid of the service's own process: the child of catatonit with
        ``init: true``, else the container's first process."""
        container = self.services[name].container
        pid = int(podman("inspect", "--format", "{{.State.Pid}}", container).strip())
        if not self.services[name].spec.get("init"):
            return pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return int(children[0])

    def environment(self, name: str) -> str:
        return podman("inspect", "--format", "{{json .Config.Env}}", self.services[name].container)

    def logs(self, name: str) -> str:
        done = subprocess.run(
            [*PODMAN, "logs", self.services[name].container],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout + done.stderr

    def remove(self) -> None:
        self.stopping.set()  # ends the health checks
        podman("pod", "rm", "--force", "--time", "5", self.pod, check_rc=False)

    def remove_volumes(self) -> None:
        for volume in ("postgres-data", "redis-data", "var"):
            podman("volume", "rm", "--force", f"{PROJECT}_{volume}", check_rc=False)


def enter(namespace: str) -> None:
    """Move this process (still one thread) into the pod's network namespace."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(namespace, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {namespace}")
    finally:
        os.close(fd)


# A tourist on Telegram


@dataclass
class Tourist:
    api: FakeBotApi
    chat: int
    language: str

    def say(self, text: str, timeout: float = 90) -> tuple[str, float]:
        before = len(self.api.texts(self.chat))
        began = time.monotonic()
        self.api.push_message(self.chat, text, language_code=self.language)
        texts = self.api.wait_for_messages(self.chat, before + 1, timeout)
        # The whole answer: the messages sent until a second passes without one.
        while True:
            time.sleep(1.0)
            if len(self.api.texts(self.chat)) == len(texts):
                break
            texts = self.api.texts(self.chat)
        return "\n".join(texts[before:]), time.monotonic() - began


def tracker_texts(password: str, sender: str) -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(f"postgresql://assistant:{password}@127.0.0.1:5432/assistant")
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' "
                    "ORDER BY id"
                ),
                {"s": sender},
            ).fetchall()
    finally:
        engine.dispose()
    return [json.loads(data).get("text") for (data,) in rows]


@contextmanager
def timed(what: str, record: dict[str, float]) -> Iterator[None]:
    began = time.monotonic()
    yield
    record[what] = time.monotonic() - began


def checks(
    stack: Stack,
    api: FakeBotApi,
    env: dict[str, str],
    figures: dict[str, float],
    figures_memory: dict[str, float],
) -> None:
    content = load_content(ROOT / "content")

    def text(place: str, topic: str, lang: str) -> str:
        return content.places[place].topics[topic].text[lang]

    key = env["PSEUDONYM_KEY"].encode()
    urls = stack.services["channels"].spec["environment"]["RASA_URLS"].split(",")

    print("every container up and healthy", flush=True)
    check(all(stack.state(n).get("Running") for n in stack.services), "every container runs")
    stack.wait_healthy(list(stack.services), 60)
    check(True, "every health check passes")

    print("answers in three languages", flush=True)
    fr, zh, en = Tourist(api, 201, "fr"), Tourist(api, 202, "zh-hans"), Tourist(api, 203, "en")
    answer, took = fr.say("comment monter à l'aiguille du midi ?")
    figures["first answer (s)"] = took
    figures["from starting the stack to the first answer (s)"] = (
        figures["stack up and healthy (s)"] + took
    )
    check(text("aiguille_du_midi", "getting_there", "fr") in answer, "French answered in French")
    answer, _ = zh.say("八达岭长城门票多少钱")
    check(text("badaling", "prices", "zh") in answer, "Chinese answered in Chinese")
    answer, _ = en.say("how do I get to La Feclaz from Chambery?")
    check(
        text("bauges", "getting_there", "en").replace("&", "&amp;") in answer,
        "English answered in English",
    )

    figures_memory.update(memory(stack))
    check(
        "stopped (exit code" not in stack.logs("channels"),
        "every process bot run supervises in the channels container stays up",
    )

    print("secrets stay with the channels; nothing published beyond 127.0.0.1", flush=True)
    for name in ("rasa-1", "rasa-2", "actions", "review"):
        environment = stack.environment(name)
        check(
            TELEGRAM_TOKEN not in environment and env["PSEUDONYM_KEY"] not in environment,
            f"{name}'s environment holds neither the bot token nor the pseudonym key",
        )
    check(TELEGRAM_TOKEN in stack.environment("channels"), "the channels container has the token")
    for name, service in stack.services.items():
        ports = [str(p) for p in service.spec.get("ports", [])]
        check(
            all(p.startswith("127.0.0.1:") for p in ports),
            f"{name} publishes {', '.join(ports) or 'nothing'}",
        )
    for name in ("postgres", "redis", "rasa-1", "rasa-2", "actions"):
        check(not stack.services[name].spec.get("ports"), f"{name} is not published")

    print("a Rasa container killed: the tourist moves to the other and keeps the place", flush=True)
    killed = Tourist(api, 401, "fr")
    sender = pseudonym(key, "telegram", "401")
    answer, _ = killed.say("comment aller à la Féclaz ?")
    check(text("bauges", "getting_there", "fr") in answer, "la Féclaz answered")
    home = RasaClient(urls).route(sender)[0]
    asyncio.run(RasaClient(urls).close())
    victim = "rasa-1" if "rasa-1:" in home else "rasa-2"
    restarts = stack.restarts(victim)
    os.kill(stack.main_process(victim), signal.SIGKILL)
    answer, took = killed.say("et le prix ?", timeout=30)
    prices = text("bauges", "prices", "fr")
    check(
        answer.count(prices) == 1, f"{victim} killed: the follow-up answered once, about la Féclaz"
    )
    check(took < 10, f"... in {took:.1f} s")
    check(
        tracker_texts(env["POSTGRES_PASSWORD"], sender)
        == ["comment aller à la Féclaz ?", "et le prix ?"],
        "no message lost or handled twice",
    )
    with timed(f"{victim} back after a kill (s)", figures):
        stack.wait_healthy([victim], 600)
    check(stack.restarts(victim) > restarts, f"{victim} restarted by podman and healthy again")

    print("Redis stopped", flush=True)
    calm = Tourist(api, 501, "fr")
    calm.say("comment aller à Chongli ?")
    podman("stop", stack.services["redis"].container)
    answer, _ = calm.say("et le prix ?")
    check(text("chongli", "prices", "fr") in answer, "answered, in place, with Redis stopped")
    check(
        any("Redis lock store unreachable" in stack.logs(n) for n in ("rasa-1", "rasa-2")),
        "Rasa logs that its lock store is unreachable",
    )
    podman("start", stack.services["redis"].container)
    stack.wait_healthy(["redis"], 120)
    answer, _ = calm.say("comment aller à Badaling ?")
    check(text("badaling", "getting_there", "fr") in answer, "answered once Redis is back")

    print("PostgreSQL restarted", flush=True)
    patient = Tourist(api, 601, "fr")
    patient.say("comment aller à la Féclaz ?")
    podman("stop", stack.services["postgres"].container)
    answer, _ = patient.say("comment aller à Chongli ?")
    check(content.phrase("unavailable", "fr") in answer, "while it is down: 'unavailable'")
    podman("start", stack.services["postgres"].container)
    stack.wait_healthy(["postgres"], 120)
    answer, _ = patient.say("et le prix ?")
    check(text("bauges", "prices", "fr") in answer, "afterwards the conversation keeps its place")

    print("every container restarted when its process ends", flush=True)
    before = {name: stack.restarts(name) for name in stack.services}
    for name in stack.services:
        os.kill(stack.main_process(name), signal.SIGKILL)
    with timed("whole stack back after every process killed (s)", figures):
        stack.wait_healthy(list(stack.services), 900)
    for name in stack.services:
        check(stack.restarts(name) > before[name], f"{name} restarted")
    answer, _ = fr.say("et le prix ?")
    check(
        text("aiguille_du_midi", "prices", "fr") in answer,
        "the first tourist goes on where they were",
    )
    jieba = [n for n in stack.services if "Dump cache file failed" in stack.logs(n)]
    check(not jieba, "no process rebuilds jieba's cache ('Dump cache file failed' nowhere)")


def memory(stack: Stack) -> dict[str, float]:
    """Resident MB of each container's processes, summed (read from /proc: podman's
    stats need cgroup figures these machines do not give)."""
    parents: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        pid = int(status.parent.name)
        parents.setdefault(int(fields["PPid"]), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    totals = {}
    for name, service in stack.services.items():
        root = int(podman("inspect", "--format", "{{.State.Pid}}", service.container).strip())
        tree, total = [root], 0
        while tree:
            pid = tree.pop()
            total += rss.get(pid, 0)
            tree += parents.get(pid, [])
        totals[name] = total / 1024
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the pod running at the end")
    options = parser.parse_args()
    if os.geteuid() != 0:
        print("make image-test runs podman as root: run it as root.", file=sys.stderr)
        return 1
    api = None
    env = {
        "POSTGRES_PASSWORD": secrets.token_hex(12),
        "PSEUDONYM_KEY": secrets.token_hex(16),
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
    }
    stack: Stack | None = None
    figures: dict[str, float] = {}
    figures_memory: dict[str, float] = {}
    try:
        stack = Stack.from_compose(load_compose(env))  # API address filled in below
        stack.remove_volumes()
        stack.create()
        enter(stack.network_namespace())
        api = FakeBotApi(TELEGRAM_TOKEN).start()
        env["TELEGRAM_API_BASE_URL"] = api.base_url
        stack = Stack.from_compose(load_compose(env))
        began = time.monotonic()
        stack.up()
        stack.wait_healthy(list(stack.services), 1200)
        figures["stack up and healthy (s)"] = time.monotonic() - began
        checks(stack, api, env, figures, figures_memory)
        print("resident memory per container after the three answers (MB):", flush=True)
        for name, used in figures_memory.items():
            print(f"  {name}: {used:.0f}")
        for what, value in figures.items():
            print(f"  {what}: {value:.1f}")
        print("image-test: every check passed.")
        return 0
    except Exception as failure:  # a check, or podman, or a tourist left unanswered
        print(f"image-test FAILED: {type(failure).__name__}: {failure}", file=sys.stderr)
        if stack is not None:
            for name in stack.services:
                print(f"--- last lines of {name}'s log ---", file=sys.stderr)
                print("\n".join(stack.logs(name).splitlines()[-15:]), file=sys.stderr)
        return 1
    finally:
        if api is not None:
            api.stop()
        if stack is not None and not options.keep:
            stack.remove()
            stack.remove_volumes()


if __name__ == "__main__":
    sys.exit(main())
