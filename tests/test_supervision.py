"""The supervisor behind `make run`: a child that stops, or stops answering, is
started again and the log says so. (Rasa and the action server killed for real,
and the bot SIGKILLed, are in test_telegram.py.)"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time

import pytest

from bot.services import Child, Supervisor


@pytest.fixture
def web_child(tmp_path, reserve_port):
    """A small web server as a supervised child (what Rasa, the action server and the review app are)."""
    port = reserve_port()
    child = Child(
        "web", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(tmp_path)],
        {**os.environ}, f"http://127.0.0.1:{port}/", tmp_path / "web.log",
    )  # fmt: skip
    # A health check waits 1 s: time enough for a healthy child on a busy machine.
    supervisor = Supervisor([child], check_seconds=0.2, health_timeout=1.0).start()
    yield supervisor, child
    supervisor.stop()


def _started_again(child, timeout=20):
    deadline = time.monotonic() + timeout
    while not (child.restarts and child.healthy) and time.monotonic() < deadline:
        time.sleep(0.1)
    return child.restarts == 1 and child.healthy


def test_a_child_that_stops_is_started_again_and_the_log_says_so(web_child, caplog):
    supervisor, child = web_child
    first = child.process.pid
    with caplog.at_level(logging.WARNING, logger="bot.services"):
        os.kill(first, signal.SIGKILL)
        assert _started_again(child)
    assert child.process.pid != first
    assert "The web server stopped (exit code -9): starting it again in 1 s" in caplog.text
    assert "The web server is back (restart 1)" in caplog.text
    assert "web server, restart 1" in child.log_path.read_text()  # its own log says so too


def test_a_child_that_stops_answering_is_started_again(web_child, caplog):
    supervisor, child = web_child
    hung = child.process.pid
    with caplog.at_level(logging.WARNING, logger="bot.services"):
        os.kill(hung, signal.SIGSTOP)  # alive, but answers nothing
        try:
            assert _started_again(child, timeout=30)
        finally:
            try:
                os.kill(hung, signal.SIGCONT)
            except ProcessLookupError:
                pass
    assert "The web server stopped answering its health check" in caplog.text


def test_rasa_and_the_action_server_never_get_a_channels_secrets(monkeypatch):
    from bot.services import child_environment

    secrets = {
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "WECHAT_APP_SECRET": "wechat-secret",
        "WECHAT_ENCODING_AES_KEY": "k" * 43,
        "WHATSAPP_ACCESS_TOKEN": "EAAG-token",
        "WHATSAPP_APP_SECRET": "meta-secret",
        "PSEUDONYM_KEY": "key",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    env = child_environment({"CONTENT_DIR": "content"})
    assert not set(secrets) & set(env)
    assert env["CONTENT_DIR"] == "content"


BUSY_CHILD = """
import http.server, os, sys

class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        if os.path.exists(sys.argv[2]):
            while True:  # a long queue of work: no answer, the CPU in use
                pass

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
"""


def test_a_child_busy_with_work_is_given_time_before_it_is_started_again(
    tmp_path, caplog, reserve_port
):
    port, flag = reserve_port(), tmp_path / "busy"
    child = Child(
        "busy", [sys.executable, "-c", BUSY_CHILD, str(port), str(flag)], {**os.environ},
        f"http://127.0.0.1:{port}/", tmp_path / "busy.log",
    )  # fmt: skip
    # Busy: any CPU time used between two checks (a machine with other work may give
    # the child little of it); a child hung or stopped uses none.
    supervisor = Supervisor(
        [child], check_seconds=0.2, health_timeout=0.3, busy_after=15, busy_cpu_seconds=0.01
    )
    supervisor.start()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.services"):
            flag.touch()
            began = time.monotonic()
            assert _started_again(child, timeout=30)
            seconds = time.monotonic() - began
    finally:
        supervisor.stop()
    assert "is not answering its health check but is busy" in caplog.text
    # 15 checks of 0.5 s, not 5: an idle, hung child is started again after about 2.5 s.
    assert seconds >= 6
