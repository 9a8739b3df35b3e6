"""Secrets and messaging-app ids never reach a log, whatever the level.

At DEBUG, python-telegram-bot logs every Bot API call with its parameters and
its answer (chat and user ids, usernames), and any URL of the Bot API holds
the bot's token. :class:`RedactingFilter` replaces, in the message and in the
traceback of every record:

- each configured secret (the Telegram token, the webhook secret, the
  pseudonym key) and anything shaped like a Telegram bot token, by ``<secret>``;
- the password of a URL (``scheme://user:password@host``) by ``<secret>``;
- the value of every key that carries a messaging-app id (``id``, ``chat_id``,
  ``user_id``, ``username``; WhatsApp's ``wa_id``, WeChat's ``openid`` and
  ``FromUserName``...), written as JSON, a dict or a repr (``id=42``), by ``<id>``.

:func:`install` applies it to every record when it is created, so every
logger, level and handler (the terminal, var/log/channels.log) gets it,
handlers added later included. Pseudonyms are not ids of any app: they stay.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

SECRET = "<secret>"
ID = "<id>"
ID_KEYS = (
    "id", "chat_id", "user_id", "from_user_id", "sender_chat_id", "username",
    "wa_id", "openid", "unionid", "FromUserName", "ToUserName",
)  # fmt: skip
_KEYED_ID = re.compile(
    r"(?<![\w.])(?P<key>(?P<q>['\"]?)(?:" + "|".join(ID_KEYS) + r")(?P=q)\s*[:=]\s*)"
    r"(?P<v>['\"]?)-?[\w.@+-]+(?P=v)"
)
_TELEGRAM_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}")
_URL_PASSWORD = re.compile(r"(?P<head>\w+://[^/\s:@]+:)[^/\s@]+(?=@)")
MIN_SECRET_LENGTH = 4  # shorter "secrets" would redact ordinary words


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        kept = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
        self._secrets = sorted(
            kept, key=len, reverse=True
        )  # longest first: no half-replaced secret

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, SECRET)
        text = _TELEGRAM_TOKEN.sub(SECRET, text)
        text = _URL_PASSWORD.sub(lambda m: m.group("head") + SECRET, text)
        return _KEYED_ID.sub(lambda m: m.group("key") + m.group("v") + ID + m.group("v"), text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: logging reports it itself, unredacted args dropped
            message, record.args = str(record.msg), None
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def install(secrets: Iterable[str | None] = ()) -> RedactingFilter:
    """Redacts every log record from now on, in this process (once; later calls add secrets)."""
    current = logging.getLogRecordFactory()
    previous = getattr(current, "redacting", None)
    redactor = RedactingFilter([*(previous._secrets if previous else []), *secrets])
    create = getattr(current, "original", current)

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = create(*args, **kwargs)
        redactor.filter(record)
        return record

    factory.redacting = redactor  # type: ignore[attr-defined]
    factory.original = create  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
    return redactor
