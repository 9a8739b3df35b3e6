"""Where the review app keeps its data and how it behaves, from the environment.

| variable | meaning | default |
|---|---|---|
| ``VAR_DIR`` | folder of the bot's databases and of the review database | ``var/`` |
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

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Config:
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
        """The bot's own log of every turn (bot/conversation_log.py)."""
        return self.var_dir / "conversations.db"

    @property
    def audit_log_path(self) -> Path:
        return self.var_dir / "log" / "review-audit.log"


def from_environment() -> Config:
    env = os.environ
    var_dir = Path(env.get("VAR_DIR") or ROOT / "var")
    return Config(
        var_dir=var_dir,
        database_url=env.get("REVIEW_DATABASE_URL") or f"sqlite:///{var_dir / 'review.db'}",
        tracker_url=env.get("TRACKER_DATABASE_URL") or f"sqlite:///{var_dir / 'tracker.db'}",
        host=env.get("REVIEW_HOST") or "127.0.0.1",
        port=int(env.get("REVIEW_PORT") or 8000),
        session_minutes=float(env.get("REVIEW_SESSION_MINUTES") or 60),
        session_max_hours=float(env.get("REVIEW_SESSION_MAX_HOURS") or 12),
        timezone=env.get("REVIEW_TIMEZONE") or "Europe/Paris",
        low_confidence=float(env.get("REVIEW_LOW_CONFIDENCE") or 0.5),
        import_seconds=float(env.get("REVIEW_IMPORT_SECONDS") or 10),
        secure_cookies=_yes(env.get("REVIEW_SECURE_COOKIES")),
        trust_forwarded_for=_yes(env.get("REVIEW_TRUST_FORWARDED_FOR")),
    )


def _yes(value) -> bool:
    return (value or "") in ("1", "true", "yes")
