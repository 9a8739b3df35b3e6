"""Starts, watches and stops the processes behind the assistant.

Rasa (understanding and dialogue, REST channel on 127.0.0.1), the action
server (answers from content/) and the staff review app run as child
processes, each logging to its own file under var/log/. A ``Supervisor``
watches its children from its own thread, once a second:

- a child that exits, or stops answering its health check (five checks in a
  row), is started again after a backoff (1 s, doubling to 30 s, back to 1 s
  once it has run a minute); the log (logger ``bot.services``) and the child's
  own log file say so each time;
- the children die with their parent, even when the parent is killed with
  SIGKILL: on Linux each child is started with ``prctl(PR_SET_PDEATHSIG,
  SIGTERM)`` (in ``preexec_fn``), so the kernel sends it SIGTERM when the thread
  that started it, the supervisor's, ends. No wrapper runs in the child and it
  works even if the child is too busy to watch anything; elsewhere (macOS)
  there is no such signal, and a killed parent leaves its children running.

Why not an existing process manager: supervisord and circus would be extra
installs (neither is in the virtualenv) and run beside the assistant rather
than under it, so a killed ``make run`` would still leave them and their
children; honcho and foreman restart nothing and check no health; systemd
units are neither on macOS nor inside containers and CI. What is needed is
small: three children, an HTTP health check each, a restart with backoff.

``Services`` (Rasa and the action server) and the review app's supervisor are
context managers: whatever happens, leaving them stops their children.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rasa_extensions import command as rasa_command
from rasa_extensions import endpoints as rasa_endpoints
from settings import ROOT, Settings

logger = logging.getLogger(__name__)

STARTUP_TIMEOUT_SECONDS = 180
CHECK_SECONDS = 1.0  # how often each child is checked
HEALTH_TIMEOUT_SECONDS = 3.0  # one health check waits this long for an answer
# Failed health checks in a row before a restart: about 20 s without an answer.
# A busy action server on 2 cores can leave /health unanswered for a few
# seconds under load (seen in the benchmark): that must not cost a restart.
UNHEALTHY_AFTER = 5
# A child that fails its health check while it keeps using the CPU is busy
# (a queue of tourists' turns), not hung: restarting it would drop every turn
# in hand and answer none sooner. It gets this many checks (about two minutes).
BUSY_UNHEALTHY_AFTER = 30
BUSY_CPU_SECONDS = 0.2  # CPU time used between two checks that counts as busy
BACKOFF_SECONDS = (1.0, 30.0)  # first and longest wait before a restart
STABLE_SECONDS = 60.0  # a child running this long is restarted quickly again if it fails
STOP_SECONDS = 15.0  # SIGTERM, then SIGKILL after this long
HUNG_STOP_SECONDS = 3.0  # the same for a child that stopped answering: it may never act on SIGTERM
# Secrets of the channel layer that no child needs (they stay out of its environment).
SECRET_VARIABLES = (
    "PSEUDONYM_KEY",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "WECHAT_TOKEN",
    "WECHAT_APP_SECRET",
    "WECHAT_ENCODING_AES_KEY",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
)
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class ServiceError(RuntimeError):
    """A service did not start; the message says which and where its log is."""


def train(settings: Settings, quiet: bool = True) -> Path:
    """``rasa train`` when the latest model is out of date; otherwise returns it untouched.

    Everything it prints goes to var/log/train.log. Unless ``quiet``, Rasa's
    progress is shown on the terminal too: what it prints and its log records,
    not the warnings its libraries raise (deprecations, notices about the
    configuration): those stay in the log file, where ``make train`` points.
    """
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    command = rasa_command.train_if_changed_argv(settings.models_dir)
    log = settings.log_dir / "train.log"
    with (
        open(log, "a", encoding="utf-8") as output,
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=rasa_command.environment(),
            stdout=output if quiet else None,
            stderr=subprocess.STDOUT if quiet else subprocess.PIPE,
            text=True,
            errors="replace",
        ) as process,
    ):
        for line in process.stderr or ():
            output.write(line)
            if _LOG_RECORD.match(line):
                sys.stderr.write(line)
        returncode = process.wait()
    model = rasa_command.latest_model(settings.models_dir)
    if returncode != 0 or model is None:
        raise ServiceError(f"Training failed; see {log}")
    return model


# The start of one of Rasa's log records ("2026-12-06 23:05:17 INFO     rasa..."); a
# Python warning starts with a file name and goes on over lines of its own.
_LOG_RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[ ,]")


class ReservedPort:
    """A free loopback port that no other program is given until ``release``.

    A port found free and let go (bind to port 0, close) can be handed to
    another process, or to the next such look-up, before the server meant for
    it binds it. Here a socket stays bound to the port, never listening, with
    SO_REUSEADDR: the kernel then gives the port neither to a bind to port 0
    nor to an outgoing connection, while the server it is for, which binds
    with SO_REUSEADDR too (aiohttp, Sanic and so Rasa and rasa-sdk,
    redis-server, PostgreSQL), can still listen on it, and listen again after a
    restart. That is Linux's rule; on BSD systems (macOS) a bound socket would
    keep the server itself out, so there the port is let go at once, as before.
    """

    def __init__(self) -> None:
        self._socket: socket.socket | None = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        if not sys.platform.startswith("linux"):
            self.release()

    def release(self) -> None:
        """Lets the port go (once the server is gone)."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> ReservedPort:
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


def child_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a child: the project's, without the channel layer's secrets."""
    env = rasa_command.environment(extra)
    for name in SECRET_VARIABLES:
        env.pop(name, None)
    return env


@dataclass
class Child:
    """One supervised process: how to start it and how to tell it is well."""

    name: str
    command: list[str]
    env: dict[str, str]
    health_url: str
    log_path: Path
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    healthy: bool = False  # answered its health check since it was last started
    failures: int = 0  # health checks failed in a row
    cpu_seconds: float | None = None  # CPU time used so far, at the last check
    restarts: int = 0
    restart_at: float | None = None  # when a child that stopped is started again
    backoff: float = BACKOFF_SECONDS[0]
    exit_code: int | None = None  # how it ended, when it ended while starting
    ready: threading.Event = field(default_factory=threading.Event)


class Supervisor:
    """Starts children, restarts the ones that stop or stop answering, stops them all."""

    def __init__(
        self,
        children: list[Child],
        check_seconds: float = CHECK_SECONDS,
        startup_seconds: float = STARTUP_TIMEOUT_SECONDS,
        health_timeout: float = HEALTH_TIMEOUT_SECONDS,
        busy_after: int = BUSY_UNHEALTHY_AFTER,
        busy_cpu_seconds: float = BUSY_CPU_SECONDS,
    ) -> None:
        self.children = {child.name: child for child in children}
        self.check_seconds = check_seconds
        self.startup_seconds = startup_seconds
        self.health_timeout = health_timeout
        self.busy_after = busy_after
        self.busy_cpu_seconds = busy_cpu_seconds
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._starting = False  # while start() waits: a child that stops is an error, not restarted
        self._spawned = threading.Event()

    def start(self, wait: bool = True) -> Supervisor:
        """Starts every child; with ``wait``, returns once each answers its health
        check (ServiceError naming the log if one stops or does not answer in time)."""
        self._stopping.clear()
        self._spawned.clear()
        self._starting = wait
        for child in self.children.values():
            child.ready.clear()
            child.exit_code = None
        self._thread = threading.Thread(target=self._run, name="supervisor", daemon=True)
        self._thread.start()
        self._spawned.wait()
        if wait:
            try:
                self._wait_until_ready()
            finally:
                self._starting = False
        return self

    def stop(self) -> None:
        """Stops every child (SIGTERM, then SIGKILL after STOP_SECONDS)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def process(self, name: str) -> subprocess.Popen | None:
        """The running process of a child (for tests that stop one)."""
        return self.children[name].process

    def __enter__(self) -> Supervisor:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_seconds
        for child in self.children.values():
            while not child.ready.wait(0.2):
                if child.exit_code is not None:
                    self.stop()
                    raise ServiceError(
                        f"The {child.name} server stopped while starting; see {child.log_path}"
                    )
                if time.monotonic() > deadline:
                    self.stop()
                    raise ServiceError(
                        f"The {child.name} server did not start within {self.startup_seconds:.0f} s"
                    )

    # The supervisor's thread: it starts every child, so the children's
    # PR_SET_PDEATHSIG is tied to it, and it stops them before it ends.

    def _run(self) -> None:
        try:
            for child in self.children.values():
                self._spawn(child, "starting")
        finally:
            self._spawned.set()
        try:
            while not self._stopping.wait(self.check_seconds):
                for child in self.children.values():
                    if self._stopping.is_set():
                        break
                    try:
                        self._watch(child)
                    except Exception:  # the supervisor must outlive any surprise
                        logger.exception("Could not check the %s server", child.name)
        finally:
            for child in reversed(list(self.children.values())):
                self._terminate(child)

    def _watch(self, child: Child) -> None:
        now = time.monotonic()
        if child.process is None:
            if child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                self._spawn(child, f"restart {child.restarts}")
            return
        code = child.process.poll()
        if code is not None:
            if self._starting and not child.healthy:
                child.exit_code = code
                child.process = None
                return
            logger.error(
                "The %s server stopped (exit code %s): starting it again in %.0f s; see %s",
                child.name,
                code,
                child.backoff,
                child.log_path,
            )
            self._schedule_restart(child)
            return
        used = _cpu_seconds(child.process.pid)
        busy = used is not None and child.cpu_seconds is not None
        busy = busy and used - child.cpu_seconds >= self.busy_cpu_seconds  # type: ignore[operator]
        child.cpu_seconds = used
        if _answers(child.health_url, self.health_timeout):
            if not child.healthy:
                child.healthy = True
                child.ready.set()
                if child.restarts:
                    logger.warning("The %s server is back (restart %d)", child.name, child.restarts)
            child.failures = 0
            if now - child.started_at > STABLE_SECONDS:
                child.backoff = BACKOFF_SECONDS[0]
            return
        if child.healthy:
            child.failures += 1
            if busy and child.failures == UNHEALTHY_AFTER:
                logger.warning(
                    "The %s server is not answering its health check but is busy (using the CPU): "
                    "it is given %d checks before it is started again",
                    child.name,
                    self.busy_after,
                )
            if child.failures >= (self.busy_after if busy else UNHEALTHY_AFTER):
                logger.error(
                    "The %s server stopped answering its health check (%s): starting it again in %.0f s",
                    child.name,
                    child.health_url,
                    child.backoff,
                )
                self._terminate(child, HUNG_STOP_SECONDS)
                self._schedule_restart(child)
        elif now - child.started_at > self.startup_seconds and not self._starting:
            logger.error(
                "The %s server did not answer within %.0f s of starting: starting it again in %.0f s",
                child.name,
                self.startup_seconds,
                child.backoff,
            )
            self._terminate(child, HUNG_STOP_SECONDS)
            self._schedule_restart(child)

    def _schedule_restart(self, child: Child) -> None:
        child.process = None
        child.healthy = False
        child.failures = 0
        child.restart_at = time.monotonic() + child.backoff
        child.backoff = min(child.backoff * 2, BACKOFF_SECONDS[1])

    def _spawn(self, child: Child, reason: str) -> None:
        child.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(child.log_path, "a", encoding="utf-8") as log:
            log.write(
                f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} supervisor: {child.name} server, {reason} ---\n"
            )
            log.flush()
            child.process = subprocess.Popen(
                child.command,
                cwd=ROOT,
                env=child.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent(),
            )
        child.started_at = time.monotonic()
        child.healthy = False
        child.failures = 0
        child.restart_at = None
        if child.restarts:
            logger.warning(
                "The %s server was started again (restart %d, pid %d)",
                child.name,
                child.restarts,
                child.process.pid,
            )

    def _terminate(self, child: Child, grace: float = STOP_SECONDS) -> None:
        process, child.process = child.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            os.killpg(
                process.pid, signal.SIGCONT
            )  # a stopped process acts on SIGTERM only once continued
            process.wait(timeout=grace)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def _cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a running process (Linux); None where unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _answers(url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def _die_with_parent() -> Callable[[], None] | None:
    """For ``preexec_fn``: the child gets SIGTERM when the thread that starts it ends (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork
    parent = os.getpid()

    def in_child() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return in_child


class Services:
    """Rasa and the action server, started together, supervised, stopped together."""

    def __init__(
        self,
        settings: Settings,
        model: Path,
        rasa_port: int | None = None,
        actions_port: int | None = None,
        rasa_processes: int | None = None,
    ) -> None:
        self.settings = settings
        self.model = model
        # Ports chosen here stay reserved while the children run and restart.
        self._reserved: list[ReservedPort] = []
        self.rasa_port = rasa_port or self._reserve()
        self.rasa_ports = [self.rasa_port] + [
            self._reserve() for _ in range((rasa_processes or settings.rasa_processes) - 1)
        ]
        self.actions_port = actions_port or self._reserve()
        # Rasa reads it at each start, restarts included: one file per action server.
        self.endpoints = rasa_endpoints.write(
            settings.var_dir / "rasa" / f"endpoints-{self.actions_port}.yml",
            f"http://127.0.0.1:{self.actions_port}/webhook",
            settings.tracker_store, settings.redis_url,
        )  # fmt: skip
        env = child_environment({
            "CONTENT_DIR": str(settings.content_dir),
            "SANIC_HOST": "127.0.0.1",
        })  # fmt: skip
        self.supervisor = Supervisor([
            Child(
                "actions",
                [sys.executable, "-m", "actions.server", "--actions", "actions", "--port", str(self.actions_port),
                 "--vectors-dir", str(settings.models_dir)],
                env, f"http://127.0.0.1:{self.actions_port}/health", settings.log_dir / "actions.log",
            ),
        ] + [
            Child(
                _rasa_name(index), rasa_command.argv(*rasa_command.run_args(model, port, self.endpoints)),
                env, f"http://127.0.0.1:{port}/", settings.log_dir / f"{_rasa_name(index)}.log",
            )
            for index, port in enumerate(self.rasa_ports)
        ])  # fmt: skip

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rasa_urls(self) -> list[str]:
        """Every Rasa process started (one unless RASA_PROCESSES says more)."""
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    def _reserve(self) -> int:
        reserved = ReservedPort()
        self._reserved.append(reserved)
        return reserved.port

    def start(self) -> Services:
        try:
            self.supervisor.start()
        except BaseException:
            self._release()
            raise
        return self

    def stop(self) -> None:
        self.supervisor.stop()
        self._release()

    def _release(self) -> None:
        while self._reserved:
            self._reserved.pop().release()

    def process(self, name: str) -> subprocess.Popen | None:
        """The running ``rasa`` or ``actions`` process."""
        return self.supervisor.process(name)

    def __enter__(self) -> Services:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _rasa_name(index: int) -> str:
    """ "rasa", then "rasa-2", "rasa-3"...: the child's name and its log file's."""
    return "rasa" if index == 0 else f"rasa-{index + 1}"


def start_review_app(settings: Settings) -> Supervisor | None:
    """The staff review app beside the assistant (``make run``), supervised,
    logging to var/log/review.log.

    Returns None, with a warning, when its port is taken: the assistant still runs.
    """
    port = settings.review.port
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            print(
                f"Port {port} is in use: the review app is not started (set REVIEW_PORT).",
                file=sys.stderr,
            )
            return None
    env = child_environment({"VAR_DIR": str(settings.var_dir)})
    host = (
        settings.review.host if settings.review.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    )
    supervisor = Supervisor([
        Child("review", [sys.executable, "-m", "review", "serve"], env,
              f"http://{host}:{port}/healthz", settings.log_dir / "review.log"),
    ]).start(wait=False)  # fmt: skip
    print(
        f"Review app for staff: http://127.0.0.1:{port} (accounts: python -m review users add NAME)",
        file=sys.stderr,
    )
    return supervisor


def stop_process(supervisor: Supervisor | None) -> None:
    if supervisor is not None:
        supervisor.stop()
