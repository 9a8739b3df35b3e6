"""Rasa's endpoints file, written from the settings: where the actions, the conversations and the locks are.

``make run`` (``bot/services.py``) writes ``VAR_DIR/endpoints.yml`` before it
starts Rasa; to run Rasa some other way (a container, another machine),
write it with

    python -m rasa_extensions.endpoints --action-url http://127.0.0.1:5055/webhook --out var/endpoints.yml

- the tracker store is ``tracker_store.SessionTrackerStore`` on
  ``TRACKER_STORE_URL`` (SQLite ``VAR_DIR/tracker.db`` unless set);
- the lock store is Rasa's Redis lock store on ``REDIS_URL`` when it is set
  (several Rasa processes: one turn of a conversation at a time across all
  of them; ``lock_store.py`` keeps it answering while Redis is down), else
  Rasa's in-memory one (one process).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

TRACKER_STORE = "rasa_extensions.tracker_store.SessionTrackerStore"
LOCK_STORE = "rasa_extensions.lock_store.FallbackRedisLockStore"


def endpoints(action_url: str, tracker_store_url: str, redis_url: str | None) -> dict[str, Any]:
    return {
        "action_endpoint": {"url": action_url},
        "tracker_store": {"type": TRACKER_STORE, "url": tracker_store_url},
        "lock_store": redis_lock_store(redis_url) if redis_url else {"type": "in_memory"},
    }


def redis_lock_store(url: str) -> dict[str, Any]:
    """Rasa's Redis lock store takes host, port, db and password apart, not a URL."""
    parts = urlsplit(url)
    store: dict[str, Any] = {
        "type": LOCK_STORE,
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.strip("/") or 0),
        "use_ssl": parts.scheme == "rediss",
    }
    if parts.username:
        store["username"] = unquote(parts.username)
    if parts.password:
        store["password"] = unquote(parts.password)
    return store


def write(path: Path, action_url: str, tracker_store_url: str, redis_url: str | None) -> Path:
    """The file, readable by its owner only: it may hold the databases' passwords."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    text = yaml.safe_dump(endpoints(action_url, tracker_store_url, redis_url), sort_keys=False)
    path.write_text(
        "# Written by rasa_extensions/endpoints.py from the environment; do not edit.\n" + text,
        encoding="utf-8",
    )
    return path


def main(argv: list[str] | None = None) -> None:
    import settings as settings_module

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--action-url", required=True, help="the action server's /webhook")
    parser.add_argument("--out", type=Path, required=True, help="the file to write")
    args = parser.parse_args(argv)
    settings = settings_module.from_environment()
    write(args.out, args.action_url, settings.tracker_store, settings.redis_url)


if __name__ == "__main__":
    main()
