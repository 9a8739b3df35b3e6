"""An edit saved by the content editor reaches every action server sharing the content folder.

With several machines or containers the content is one folder they all mount
(docker-compose.yml: the ``content`` volume). Here two real action servers
(``python -m actions.server``) answer from one copy of content/, the review
app's saving writes to it, and both answer with the new text within 5 s.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import httpx
import pytest

from rasa_extensions.command import ROOT, environment
from review import content_saving
from review.content_entries import Address, version
from testkit.actions import domain

DOGS = Address("faq", "chamonix_dogs_lifts_trails")
QUESTION = "Les chiens sont-ils acceptés dans le téléphérique de l'Aiguille du Midi ?"
OLD_WORDS = "les chiens n'y montent pas"
NEW_WORDS = "les chiens ne montent pas"


@pytest.fixture
def two_action_servers(tmp_path, reserve_port):
    content_dir = tmp_path / "content"
    shutil.copytree(ROOT / "content", content_dir)
    servers = []
    for _ in range(2):
        port = reserve_port()
        log = open(tmp_path / f"actions-{port}.log", "w")  # noqa: SIM115 (closed below)
        process = subprocess.Popen(
            [sys.executable, "-m", "actions.server", "--actions", "actions", "--port", str(port)],
            cwd=ROOT,
            env=environment({"CONTENT_DIR": str(content_dir), "SANIC_HOST": "127.0.0.1"}),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        servers.append((f"http://127.0.0.1:{port}", process, log))
    try:
        for url, process, _ in servers:
            _wait_healthy(url, process, tmp_path)
        yield content_dir, [url for url, _, _ in servers]
    finally:
        for _, process, log in servers:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def _wait_healthy(url: str, process: subprocess.Popen, logs) -> None:
    deadline = time.monotonic() + 240  # the warm-up takes seconds, more on a busy machine
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                "action server stopped: "
                + "".join(p.read_text() for p in logs.glob("actions-*.log"))
            )
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("action server not healthy within 240 s")


def faq_answer(url: str) -> str:
    """The action server's answer to the dogs question, as Rasa would ask for it."""
    message = {
        "text": QUESTION,
        "intent": {"name": "faq", "confidence": 0.9},
        "intent_ranking": [{"name": "faq", "confidence": 0.9}],
        "entities": [],
        "metadata": {},
    }
    body = {
        "next_action": "action_answer_faq",
        "sender_id": "pseudonymous-user",
        "tracker": {
            "sender_id": "pseudonymous-user",
            "slots": {"language": "fr", "place": None},
            "latest_message": message,
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": domain(),
    }
    response = httpx.post(url + "/webhook", json=body, timeout=30)
    response.raise_for_status()
    return "\n".join(r.get("text") or "" for r in response.json()["responses"])


def test_a_saved_edit_reaches_both_action_servers_within_5_seconds(two_action_servers):
    content_dir, urls = two_action_servers
    assert all(OLD_WORDS in faq_answer(url) for url in urls)
    opened = content_saving.current(content_dir, "faq_mont_blanc.yml", DOGS)
    edited = {
        **opened,
        "answer": {**opened["answer"], "fr": opened["answer"]["fr"].replace(OLD_WORDS, NEW_WORDS)},
    }

    outcome = content_saving.save(content_dir, "faq_mont_blanc.yml", DOGS, version(opened), edited)

    assert outcome.status == "saved"
    saved_at = time.monotonic()
    waiting = set(urls)
    while waiting and time.monotonic() - saved_at < 5:
        waiting = {url for url in waiting if NEW_WORDS not in faq_answer(url)}
    assert not waiting, f"still the old answer after 5 s: {sorted(waiting)}"
