"""Every setting of the assistant, read once from the environment.

``from_environment()`` is called by each program's ``main()`` (the channels,
the action server, the review app, the editors' commands) and the result is
passed down; nothing else reads ``os.environ`` for a setting. Defaults work
on a fresh clone (``make run``): SQLite files under var/, no server, no token.
A setting that is malformed, or missing where another one needs it, stops
start-up with one sentence naming it (``SettingError``). Secrets (tokens,
keys) come from the environment only, never from git.

| variable | meaning | default |
|---|---|---|
| ``VAR_DIR`` | databases, logs, the generated pseudonym key | ``var/`` |
| ``MODELS_DIR`` / ``CONTENT_DIR`` | trained models / the curated YAML files | ``models/`` / ``content/`` |
| ``RASA_URL`` | a running Rasa to use instead of starting one | start one |
| ``RASA_TIMEOUT_SECONDS`` | after this, the tourist is told to try again | 5 |
| ``LOG_LEVEL`` | Python logging level of the channels' log | INFO (WARNING on the terminal) |
| ``PSEUDONYM_KEY`` | key of the HMAC that turns messaging-app ids into pseudonyms | generated into ``var/`` |
| ``TELEGRAM_BOT_TOKEN`` | serve Telegram with this bot | no Telegram |
| ``TELEGRAM_API_BASE_URL`` | another Bot API server (``http://127.0.0.1:8081/bot``) | Telegram's |
| ``TELEGRAM_WEBHOOK_URL`` / ``TELEGRAM_WEBHOOK_SECRET`` | webhook instead of polling; the secret is required with it | polling |
| ``TELEGRAM_WEBHOOK_LISTEN`` / ``TELEGRAM_WEBHOOK_PORT`` | where the webhook server listens | 127.0.0.1 / 8443 |
| ``REVIEW_*``, ``TRACKER_DATABASE_URL`` | the staff review app (``ReviewSettings``) | see there |
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent

T = TypeVar("T")


class SettingError(ValueError):
    """A setting is wrong or missing; the message names it and says what to write."""


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    api_base_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443


@dataclass(frozen=True)
class ReviewSettings:
    """The staff review app.

    | variable | meaning | default |
    |---|---|---|
    | ``REVIEW_DATABASE_URL`` | SQLAlchemy URL of the review database (PostgreSQL: ``postgresql://...``) | SQLite ``VAR_DIR/review.db`` |
    | ``TRACKER_DATABASE_URL`` | Rasa's SQL tracker store, when it is not ``VAR_DIR/tracker.db`` | SQLite ``VAR_DIR/tracker.db`` |
    | ``REVIEW_HOST`` / ``REVIEW_PORT`` | where the app listens | ``127.0.0.1`` / ``8000`` |
    | ``REVIEW_SESSION_MINUTES`` | a session ends after this long without a request | 60 |
    | ``REVIEW_SESSION_MAX_HOURS`` | and in any case after this long | 12 |
    | ``REVIEW_TIMEZONE`` | time zone of dates shown and of date filters | ``Europe/Paris`` |
    | ``REVIEW_LOW_CONFIDENCE`` | below this, a turn counts as not understood | 0.5 |
    | ``REVIEW_IMPORT_SECONDS`` | how often the running app imports new turns (0: never) | 10 |
    | ``REVIEW_SECURE_COOKIES`` | ``1`` behind HTTPS: cookies only sent over HTTPS | off |
    | ``REVIEW_TRUST_FORWARDED_FOR`` | ``1`` behind a reverse proxy that appends the client's address to X-Forwarded-For: logins are throttled by that address | off |
    """

    var_dir: Path
    database_url: str
    tracker_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    session_minutes: float = 60.0
    session_max_hours: float = 12.0
    timezone: str = "Europe/Paris"
    low_confidence: float = 0.5
    import_seconds: float = 10.0
    secure_cookies: bool = False
    trust_forwarded_for: bool = False

    @property
    def conversation_log_path(self) -> Path:
        """The channels' own log of every turn (bot/core/conversation_log.py)."""
        return self.var_dir / "conversations.db"

    @property
    def audit_log_path(self) -> Path:
        return self.var_dir / "log" / "review-audit.log"


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    models_dir: Path
    content_dir: Path
    rasa_url: str  # empty: start Rasa here
    rasa_timeout: float  # seconds before the tourist is told to try again
    review: ReviewSettings
    telegram: TelegramSettings | None = None
    log_level: str | None = None  # None: each program's own default
    pseudonym_key: str | None = field(default=None, repr=False)

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"


def from_environment(env: Mapping[str, str] | None = None) -> Settings:
    """The settings in ``env`` (the process environment by default), checked."""
    read = _Reader(os.environ if env is None else env)
    var_dir = read.path("VAR_DIR", ROOT / "var")
    return Settings(
        var_dir=var_dir,
        models_dir=read.path("MODELS_DIR", ROOT / "models"),
        content_dir=read.path("CONTENT_DIR", ROOT / "content"),
        rasa_url=read.text("RASA_URL", "").rstrip("/"),
        rasa_timeout=read.number("RASA_TIMEOUT_SECONDS", 5.0, float, "a number of seconds, e.g. 5"),
        review=_review(read, var_dir),
        telegram=_telegram(read),
        log_level=read.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
        pseudonym_key=read.text("PSEUDONYM_KEY", "") or None,
    )


def _telegram(read: _Reader) -> TelegramSettings | None:
    token = read.text("TELEGRAM_BOT_TOKEN", "")
    if not token:
        return None
    webhook_url = read.text("TELEGRAM_WEBHOOK_URL", "") or None
    secret = read.text("TELEGRAM_WEBHOOK_SECRET", "") or None
    if webhook_url and not secret:
        raise SettingError(
            "TELEGRAM_WEBHOOK_URL is set, so TELEGRAM_WEBHOOK_SECRET is needed too "
            "(1 to 256 letters, digits, _ and -)."
        )
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise SettingError(
            "TELEGRAM_WEBHOOK_SECRET may hold only 1 to 256 letters, digits, _ and -."
        )
    return TelegramSettings(
        token=token,
        api_base_url=read.text("TELEGRAM_API_BASE_URL", "") or None,
        webhook_url=webhook_url,
        webhook_secret=secret,
        webhook_listen=read.text("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1"),
        webhook_port=read.number("TELEGRAM_WEBHOOK_PORT", 8443, int, "a port number, e.g. 8443"),
    )


def _review(read: _Reader, var_dir: Path) -> ReviewSettings:
    return ReviewSettings(
        var_dir=var_dir,
        database_url=read.text("REVIEW_DATABASE_URL", "") or f"sqlite:///{var_dir / 'review.db'}",
        tracker_url=read.text("TRACKER_DATABASE_URL", "") or f"sqlite:///{var_dir / 'tracker.db'}",
        host=read.text("REVIEW_HOST", "127.0.0.1"),
        port=read.number("REVIEW_PORT", 8000, int, "a port number, e.g. 8000"),
        session_minutes=read.number("REVIEW_SESSION_MINUTES", 60.0, float, "a number of minutes"),
        session_max_hours=read.number("REVIEW_SESSION_MAX_HOURS", 12.0, float, "a number of hours"),
        timezone=read.text("REVIEW_TIMEZONE", "Europe/Paris"),
        low_confidence=read.number("REVIEW_LOW_CONFIDENCE", 0.5, float, "a number from 0 to 1"),
        import_seconds=read.number("REVIEW_IMPORT_SECONDS", 10.0, float, "a number of seconds"),
        secure_cookies=read.flag("REVIEW_SECURE_COOKIES"),
        trust_forwarded_for=read.flag("REVIEW_TRUST_FORWARDED_FOR"),
    )


class _Reader:
    """Reads variables; an empty variable counts as unset."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def text(self, name: str, default: str) -> str:
        return (self.env.get(name) or "").strip() or default

    def path(self, name: str, default: Path) -> Path:
        return Path(self.text(name, "") or default)

    def number(self, name: str, default: T, kind: Callable[[str], T], what: str) -> T:
        raw = self.text(name, "")
        if not raw:
            return default
        try:
            value = kind(raw)
        except ValueError:
            raise SettingError(f"{name} should be {what}, not {raw!r}.") from None
        if isinstance(value, (int, float)) and value < 0:
            raise SettingError(f"{name} should be {what}, not {raw!r}.")
        return value

    def flag(self, name: str) -> bool:
        return self.text(name, "").lower() in ("1", "true", "yes")

    def choice(self, name: str, allowed: tuple) -> str | None:
        raw = self.text(name, "").upper()
        if raw and raw not in allowed:
            raise SettingError(f"{name} should be one of {', '.join(allowed)}, not {raw!r}.")
        return raw or None
