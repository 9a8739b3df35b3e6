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
| ``RASA_URLS`` | several running Rasa processes sharing one tracker store (comma-separated) | start them here |
| ``RASA_PROCESSES`` | how many Rasa processes to start here (one tracker store, users spread over them) | 1 |
| ``RASA_TIMEOUT_SECONDS`` | after this, the tourist is told to try again | 5 |
| ``LOG_LEVEL`` | Python logging level of the channels' and the review app's logs | INFO (WARNING on the terminal) |
| ``PSEUDONYM_KEY`` | key of the HMAC that turns messaging-app ids into pseudonyms | generated into ``var/`` |
| ``TELEGRAM_BOT_TOKEN`` | serve Telegram with this bot | no Telegram |
| ``TELEGRAM_API_BASE_URL`` | another Bot API server (``http://127.0.0.1:8081/bot``) | Telegram's |
| ``TELEGRAM_WEBHOOK_URL`` / ``TELEGRAM_WEBHOOK_SECRET`` | webhook instead of polling; the secret is required with it | polling |
| ``TELEGRAM_WEBHOOK_LISTEN`` / ``TELEGRAM_WEBHOOK_PORT`` | where the webhook server listens | 127.0.0.1 / 8443 |
| ``WECHAT_*`` | the WeChat Official Account (``WeChatSettings``) | no WeChat |
| ``WHATSAPP_*`` | the WhatsApp Business Cloud API number (``WhatsAppSettings``) | no WhatsApp |
| ``WEBCHAT_*`` | the chat window on the offices' sites (``WebChatSettings``) | no web chat |
| ``TRACKER_STORE_URL`` | where Rasa keeps conversations (``postgresql://...`` for several Rasa processes); the review app reads them there | SQLite ``VAR_DIR/tracker.db`` |
| ``REDIS_URL`` | Redis shared by several processes: Rasa's lock store, the channels' deliveries, WeChat's token | none: one process, SQLite |
| ``HANDOFF_QUIET_MINUTES`` | a conversation a person of the office holds returns to the assistant after this long without a message | 30 |
| ``REVIEW_*`` | the staff review app (``ReviewSettings``) | see there |

``make run`` serves every channel whose settings are present, side by side,
and the terminal chat when none is.
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
class WeChatSettings:
    """A WeChat Official Account (served when WECHAT_TOKEN is set).

    | variable | meaning | default |
    |---|---|---|
    | ``WECHAT_TOKEN`` | the Token of the account's server configuration (signatures) | no WeChat |
    | ``WECHAT_APP_ID`` / ``WECHAT_APP_SECRET`` | the account's AppID and AppSecret (access token) | required |
    | ``WECHAT_ENCODING_AES_KEY`` | 43 characters: safe mode (encrypted messages) | plain mode |
    | ``WECHAT_LISTEN`` / ``WECHAT_PORT`` | where the callback ``/wechat`` listens, behind the TLS proxy | ``127.0.0.1`` / ``8088`` |
    | ``WECHAT_API_BASE_URL`` | another API server (tests' fake) | ``https://api.weixin.qq.com`` |
    """

    token: str = field(repr=False)
    app_id: str
    app_secret: str = field(repr=False)
    encoding_aes_key: str | None = field(default=None, repr=False)
    listen: str = "127.0.0.1"
    port: int = 8088
    api_base_url: str = "https://api.weixin.qq.com"
    redis_url: str | None = field(default=None, repr=False)  # REDIS_URL: the token shared


@dataclass(frozen=True)
class WhatsAppSettings:
    """A WhatsApp Business number on Meta's Cloud API (served when WHATSAPP_ACCESS_TOKEN is set).

    | variable | meaning | default |
    |---|---|---|
    | ``WHATSAPP_ACCESS_TOKEN`` | the system user's access token | no WhatsApp |
    | ``WHATSAPP_PHONE_NUMBER_ID`` | the business number's id | required |
    | ``WHATSAPP_APP_SECRET`` | the app secret (X-Hub-Signature-256 of each delivery) | required |
    | ``WHATSAPP_VERIFY_TOKEN`` | the webhook's verify token, chosen by the office | required |
    | ``WHATSAPP_LISTEN`` / ``WHATSAPP_PORT`` | where the webhook ``/whatsapp`` listens | ``127.0.0.1`` / ``8089`` |
    | ``WHATSAPP_API_BASE_URL`` | another Graph API server (tests' fake) | ``https://graph.facebook.com/v21.0`` |
    """

    access_token: str = field(repr=False)
    phone_number_id: str
    app_secret: str = field(repr=False)
    verify_token: str = field(repr=False)
    listen: str = "127.0.0.1"
    port: int = 8089
    api_base_url: str = "https://graph.facebook.com/v21.0"


@dataclass(frozen=True)
class WebChatSettings:
    """The chat window of the offices' sites (served when WEBCHAT_ALLOWED_ORIGINS or WEBCHAT_PORT is set).

    | variable | meaning | default |
    |---|---|---|
    | ``WEBCHAT_ALLOWED_ORIGINS`` | comma-separated origins whose pages may talk to it (``https://www.chamonix.com``) | its own origin only |
    | ``WEBCHAT_LISTEN`` / ``WEBCHAT_PORT`` | where the widget, its API and the demo page listen | ``127.0.0.1`` / ``8090`` |
    | ``WEBCHAT_TRUST_FORWARDED_FOR`` | ``1`` behind a reverse proxy that appends the client's address to X-Forwarded-For: the per-address rate limit uses that address | off |
    """

    allowed_origins: tuple[str, ...] = ()
    listen: str = "127.0.0.1"
    port: int = 8090
    trust_forwarded_for: bool = False


@dataclass(frozen=True)
class ReviewSettings:
    """The staff review app.

    | variable | meaning | default |
    |---|---|---|
    | ``REVIEW_DATABASE_URL`` | SQLAlchemy URL of the review database (PostgreSQL: ``postgresql://...``) | SQLite ``VAR_DIR/review.db`` |
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
    # CONTENT_DIR: what the content editor changes; the hand-off inbox's canned replies
    content_dir: Path = ROOT / "content"

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
    wechat: WeChatSettings | None = None
    whatsapp: WhatsAppSettings | None = None
    webchat: WebChatSettings | None = None
    redis_url: str | None = field(default=None, repr=False)
    tracker_store_url: str = field(default="", repr=False)  # TRACKER_STORE_URL; "": the default
    rasa_urls: tuple[str, ...] = ()  # several running Rasa processes (RASA_URLS)
    rasa_processes: int = 1  # Rasa processes started here when no URL is given
    log_level: str | None = None  # None: each program's own default
    pseudonym_key: str | None = field(default=None, repr=False)
    handoff_quiet_minutes: float = 30.0  # HANDOFF_QUIET_MINUTES

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"

    @property
    def tracker_store(self) -> str:
        """Where Rasa keeps conversations: TRACKER_STORE_URL, else SQLite in VAR_DIR."""
        return self.tracker_store_url or default_tracker_store(self.var_dir)

    @property
    def channels(self) -> list[str]:
        """The messaging channels configured, in the order they start."""
        names = ("telegram", "wechat", "whatsapp", "webchat")
        return [name for name in names if getattr(self, name) is not None]


def from_environment(env: Mapping[str, str] | None = None) -> Settings:
    """The settings in ``env`` (the process environment by default), checked."""
    read = _Reader(os.environ if env is None else env)
    var_dir = read.path("VAR_DIR", ROOT / "var")
    tracker_store_url = _tracker_store_url(read)
    return Settings(
        var_dir=var_dir,
        models_dir=read.path("MODELS_DIR", ROOT / "models"),
        content_dir=read.path("CONTENT_DIR", ROOT / "content"),
        rasa_url=read.text("RASA_URL", "").rstrip("/"),
        rasa_timeout=read.number("RASA_TIMEOUT_SECONDS", 5.0, float, "a number of seconds, e.g. 5"),
        review=_review(read, var_dir, tracker_store_url or default_tracker_store(var_dir)),
        telegram=_telegram(read),
        wechat=_wechat(read),
        whatsapp=_whatsapp(read),
        webchat=_webchat(read),
        redis_url=_redis_url(read),
        tracker_store_url=tracker_store_url,
        rasa_urls=_urls(read, "RASA_URLS"),
        rasa_processes=_processes(read),
        log_level=read.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
        pseudonym_key=read.text("PSEUDONYM_KEY", "") or None,
        handoff_quiet_minutes=read.number(
            "HANDOFF_QUIET_MINUTES", 30.0, float, "a number of minutes, e.g. 30"
        ),
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


def default_tracker_store(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'tracker.db'}"


def _tracker_store_url(read: _Reader) -> str:
    url = read.text("TRACKER_STORE_URL", "")
    if url and not re.fullmatch(r"(sqlite:///\S+|postgresql(\+psycopg2)?://\S+)", url):
        raise SettingError(
            "TRACKER_STORE_URL should be postgresql://user:password@host:5432/database "
            "or sqlite:///path/to/tracker.db."
        )
    return url


def _redis_url(read: _Reader) -> str | None:
    url = read.text("REDIS_URL", "") or None
    if url is not None and not re.fullmatch(r"rediss?://\S+", url):
        raise SettingError("REDIS_URL should look like redis://:password@host:6379/0.")
    return url


def _urls(read: _Reader, name: str) -> tuple[str, ...]:
    urls = tuple(u.strip().rstrip("/") for u in read.text(name, "").split(",") if u.strip())
    for url in urls:
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
            raise SettingError(
                f"{name} should list addresses such as http://10.0.0.5:5005, not {url!r}."
            )
    return urls


def _processes(read: _Reader) -> int:
    count = read.number("RASA_PROCESSES", 1, int, "a number of processes from 1 to 16")
    if not 1 <= count <= 16:
        raise SettingError(
            f"RASA_PROCESSES should be a number of processes from 1 to 16, not {count}."
        )
    return count


def _wechat(read: _Reader) -> WeChatSettings | None:
    token = read.text("WECHAT_TOKEN", "")
    if not token:
        return None
    app_id, secret = read.text("WECHAT_APP_ID", ""), read.text("WECHAT_APP_SECRET", "")
    if not app_id or not secret:
        raise SettingError(
            "WECHAT_TOKEN is set, so WECHAT_APP_ID and WECHAT_APP_SECRET are needed too "
            "(the Official Account's AppID and AppSecret, under Settings and Development > Basic configuration)."
        )
    if not re.fullmatch(r"[A-Za-z0-9]{3,32}", token):
        raise SettingError("WECHAT_TOKEN may hold only 3 to 32 letters and digits.")
    aes_key = read.text("WECHAT_ENCODING_AES_KEY", "") or None
    if aes_key and not re.fullmatch(r"[A-Za-z0-9]{43}", aes_key):
        raise SettingError(
            "WECHAT_ENCODING_AES_KEY should be the 43 letters and digits of the account's EncodingAESKey."
        )
    return WeChatSettings(
        token=token,
        app_id=app_id,
        app_secret=secret,
        encoding_aes_key=aes_key,
        listen=read.text("WECHAT_LISTEN", "127.0.0.1"),
        port=read.number("WECHAT_PORT", 8088, int, "a port number, e.g. 8088"),
        api_base_url=read.text("WECHAT_API_BASE_URL", "https://api.weixin.qq.com").rstrip("/"),
        redis_url=read.text("REDIS_URL", "") or None,
    )


def _whatsapp(read: _Reader) -> WhatsAppSettings | None:
    token = read.text("WHATSAPP_ACCESS_TOKEN", "")
    if not token:
        return None
    needed = ("WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN")
    missing = [name for name in needed if not read.text(name, "")]
    if missing:
        raise SettingError(
            f"WHATSAPP_ACCESS_TOKEN is set, so {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} needed too (Meta's app dashboard, WhatsApp > API Setup)."
        )
    return WhatsAppSettings(
        access_token=token,
        phone_number_id=read.text("WHATSAPP_PHONE_NUMBER_ID", ""),
        app_secret=read.text("WHATSAPP_APP_SECRET", ""),
        verify_token=read.text("WHATSAPP_VERIFY_TOKEN", ""),
        listen=read.text("WHATSAPP_LISTEN", "127.0.0.1"),
        port=read.number("WHATSAPP_PORT", 8089, int, "a port number, e.g. 8089"),
        api_base_url=read.text("WHATSAPP_API_BASE_URL", "https://graph.facebook.com/v21.0").rstrip(
            "/"
        ),
    )


def _webchat(read: _Reader) -> WebChatSettings | None:
    origins = read.text("WEBCHAT_ALLOWED_ORIGINS", "")
    if not origins and not read.text("WEBCHAT_PORT", ""):
        return None
    allowed = tuple(o.strip().rstrip("/") for o in origins.split(",") if o.strip())
    for origin in allowed:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
            raise SettingError(
                f"WEBCHAT_ALLOWED_ORIGINS should list origins such as https://www.chamonix.com "
                f"(scheme, host, optional port; no path), not {origin!r}."
            )
    return WebChatSettings(
        allowed_origins=allowed,
        listen=read.text("WEBCHAT_LISTEN", "127.0.0.1"),
        port=read.number("WEBCHAT_PORT", 8090, int, "a port number, e.g. 8090"),
        trust_forwarded_for=read.flag("WEBCHAT_TRUST_FORWARDED_FOR"),
    )


def _review(read: _Reader, var_dir: Path, tracker_store_url: str) -> ReviewSettings:
    return ReviewSettings(
        var_dir=var_dir,
        database_url=read.text("REVIEW_DATABASE_URL", "") or f"sqlite:///{var_dir / 'review.db'}",
        tracker_url=tracker_store_url,
        host=read.text("REVIEW_HOST", "127.0.0.1"),
        port=read.number("REVIEW_PORT", 8000, int, "a port number, e.g. 8000"),
        session_minutes=read.number("REVIEW_SESSION_MINUTES", 60.0, float, "a number of minutes"),
        session_max_hours=read.number("REVIEW_SESSION_MAX_HOURS", 12.0, float, "a number of hours"),
        timezone=read.text("REVIEW_TIMEZONE", "Europe/Paris"),
        low_confidence=read.number("REVIEW_LOW_CONFIDENCE", 0.5, float, "a number from 0 to 1"),
        import_seconds=read.number("REVIEW_IMPORT_SECONDS", 10.0, float, "a number of seconds"),
        secure_cookies=read.flag("REVIEW_SECURE_COOKIES"),
        trust_forwarded_for=read.flag("REVIEW_TRUST_FORWARDED_FOR"),
        content_dir=read.path("CONTENT_DIR", ROOT / "content"),
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
