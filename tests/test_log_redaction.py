"""What the logs may hold: no token, no secret, no messaging-app id, at any level."""

from __future__ import annotations

import io
import logging

import pytest

from bot.core.log_redaction import install

TOKEN = "123456:TEST-TOKEN"
CHAT = "987654321"


@pytest.fixture
def debug_log():
    """A DEBUG logger writing to a string, with redaction installed as `python -m bot` does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)  # a handler added after install() is covered too
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    previous = logging.getLogRecordFactory()
    install([TOKEN, "s3cret-webhook", None])
    yield logger, stream
    logging.setLogRecordFactory(previous)
    logger.removeHandler(handler)


def test_bot_api_calls_logged_at_debug_show_no_token_and_no_chat_id(debug_log):
    logger, stream = debug_log
    logger.debug(
        "Calling Bot API endpoint `sendMessage` with parameters `%s`",
        {"chat_id": int(CHAT), "text": "ok"},
    )
    logger.debug("Set Bot API URL: http://127.0.0.1:8081/bot%s", TOKEN)
    logger.debug(
        'getUpdates returned [{"update_id": 5, "message": {"chat": {"id": -100%s}, "from": {"id": %s,'
        ' "username": "tourist_42"}}}]',
        CHAT,
        CHAT,
    )
    logger.debug("Update(message=Message(chat=Chat(id=%s, type=<ChatType.PRIVATE>)))", CHAT)
    logged = stream.getvalue()
    assert TOKEN not in logged and CHAT not in logged and "tourist_42" not in logged
    assert '"update_id": 5' in logged and "sendMessage" in logged  # the rest stays readable


def test_a_traceback_shows_no_token_and_configured_secrets_are_hidden(debug_log):
    logger, stream = debug_log
    try:
        raise ConnectionError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except ConnectionError:
        logger.exception("Network error, secret token s3cret-webhook")
    logged = stream.getvalue()
    assert "Traceback" in logged and TOKEN not in logged and "s3cret-webhook" not in logged


def test_pseudonyms_stay_readable(debug_log):
    logger, stream = debug_log
    logger.error("Rasa unavailable for %s on telegram", "ua7d9cbc6633e09cd1b584cee")
    assert "ua7d9cbc6633e09cd1b584cee" in stream.getvalue()
