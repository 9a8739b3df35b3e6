"""``python -m bot ask``: the scripted way to talk to the assistant."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rasa_extensions.command import ROOT
from rasa_extensions.command import environment as rasa_environment

pytestmark = pytest.mark.e2e


def ask(stdin, *args, env_extra=None, timeout=300):
    env = rasa_environment()
    env.update(env_extra or {})
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", *args],
        input=stdin,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def against_running(running, settings):
    return {"RASA_URL": running.rasa_url, "VAR_DIR": str(settings.var_dir)}


def test_each_reply_is_a_json_line_tied_to_its_input_line(against_running, content):
    replies = ask(
        "bonjour\n八达岭怎么去\nhow much is it?\n", "--user", "cli-a", env_extra=against_running
    )
    assert [r["in"] for r in replies] == [0, 1, 2]
    assert [r["lang"] for r in replies] == ["fr", "zh", "en"]
    assert replies[0]["buttons"][0] == {
        "title": "Chamonix-Mont-Blanc",
        "payload": '/ask_overview{"place": "mont_blanc"}',
    }
    assert content.places["badaling"].topics["getting_there"].text["zh"] in replies[1]["text"]
    # "how much is it?" follows the Great Wall question of the same user.
    assert content.places["badaling"].topics["prices"].text["en"] in replies[2]["text"]


def test_calls_with_the_same_user_continue_one_conversation(against_running, content):
    ask("comment aller au mont blanc\n", "--user", "cli-b", env_extra=against_running)
    [reply] = ask("et le prix ?\n", "--user", "cli-b", env_extra=against_running)
    assert content.places["mont_blanc"].topics["prices"].text["fr"] in reply["text"]


def test_json_lines_speak_as_other_users(against_running, content):
    lines = [
        json.dumps({"user": "ana", "text": "la feclaz c'est quoi"}),
        json.dumps({"user": "li", "text": "崇礼怎么去"}, ensure_ascii=False),
        json.dumps({"user": "ana", "text": "et les horaires ?"}),
    ]
    replies = ask("\n".join(lines) + "\n", env_extra=against_running)
    assert [(r["in"], r["lang"]) for r in replies] == [(0, "fr"), (1, "zh"), (2, "fr")]
    assert content.places["bauges"].topics["hours"].text["fr"] in replies[2]["text"]


def test_odd_input_gets_an_answer_not_a_traceback(against_running):
    replies = ask(
        "\n\x00\x07\n" + "a" * 5000 + "\n{not json\n<b>hi</b>\n👍🏔️\n", env_extra=against_running
    )
    assert sorted({r["in"] for r in replies}) == [0, 1, 2, 3, 4, 5]
    assert all(r["text"] for r in replies)


def test_ask_starts_what_it_needs_and_stops_it(model, tmp_path):
    replies = ask("hello\n", env_extra={"VAR_DIR": str(tmp_path), "RASA_URL": ""})
    assert replies[0]["lang"] == "en" and replies[0]["text"].startswith("Hello!")
    # Both servers were stopped: nothing listens on their ports any more.
    leftover = subprocess.run(["pgrep", "-f", f"{tmp_path}"], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""
