"""The turn log keeps every turn whatever happens to its file, and never holds a
tourist up: writes happen in their own thread and are retried until they succeed.
(The same faults, seen from a Telegram chat, are in test_telegram.py.)"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys

from bot.core.conversation_log import ConversationLog


def _on_disk(path):
    """The texts in the file itself, as the review importer reads it."""
    reader = sqlite3.connect(str(path))
    try:
        return [row[0] for row in reader.execute("SELECT text_in FROM turns ORDER BY id")]
    finally:
        reader.close()


def _record(log, text):
    log.record("upseudo", "telegram", "fr", text, ["réponse"], 100.0, "answered")


def _hold_lock(path):
    """Another program writing to the file, holding its write lock until ``_release``."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import select, sqlite3, sys\n"
         "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "db.execute('BEGIN IMMEDIATE')\n"
         "print('locked', flush=True)\n"
         "select.select([sys.stdin], [], [], 120)\n",  # until told; a stuck test, 2 min
         str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "locked"
    return holder


def _release(holder):
    holder.communicate("\n", timeout=30)


def test_recording_never_waits_for_a_locked_database(tmp_path):
    log = ConversationLog(tmp_path / "conversations.db")
    _record(log, "bonjour")
    assert log.flush()
    holder = _hold_lock(tmp_path / "conversations.db")
    try:
        _record(log, "le prix ?")  # a record waiting for the file would wait here for good
        _record(log, "merci")
        assert _on_disk(tmp_path / "conversations.db") == ["bonjour"]  # still locked
    finally:
        _release(holder)
    assert log.flush(timeout=30)
    assert _on_disk(tmp_path / "conversations.db") == ["bonjour", "le prix ?", "merci"]
    log.close()


def test_turns_not_written_before_stopping_are_written_at_the_next_start(tmp_path, caplog):
    path = tmp_path / "conversations.db"
    log = ConversationLog(path)
    _record(log, "bonjour")
    assert log.flush()
    holder = _hold_lock(path)
    try:
        _record(log, "le prix ?")
        log.close(timeout=1)  # stopped while the file is locked
    finally:
        _release(holder)
    assert "kept in" in caplog.text
    assert _on_disk(path) == ["bonjour"]
    log = ConversationLog(path)
    assert log.flush()
    assert _on_disk(path) == ["bonjour", "le prix ?"]
    log.close()
    log = ConversationLog(path)  # written once, not at every start
    assert log.flush() and _on_disk(path) == ["bonjour", "le prix ?"]
    log.close()


def test_a_file_that_is_not_a_database_is_moved_aside_and_a_new_one_created(tmp_path, caplog):
    path = tmp_path / "conversations.db"
    path.write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING):
        log = ConversationLog(path)
        _record(log, "bonjour")
        assert log.flush()
    assert _on_disk(path) == ["bonjour"]
    [aside] = tmp_path.glob("conversations.db.unreadable-*")
    assert aside.read_bytes().startswith(b"this is not a database")
    assert "could not be read as a database" in caplog.text
    log.close()


def test_a_turn_the_platform_could_not_deliver_is_marked_undelivered(tmp_path):
    log = ConversationLog(tmp_path / "conversations.db")
    turn = log.record("u1", "wechat", "zh", "长城门票", ["八达岭…"], 12.0, "answered")
    log.record("u2", "wechat", "zh", "你好", ["您好"], 10.0, "answered")
    log.mark(turn, "undelivered")
    assert log.flush()
    outcomes = {t["user"]: t["outcome"] for t in log.turns()}
    log.close()
    assert outcomes == {"u1": "undelivered", "u2": "answered"}
