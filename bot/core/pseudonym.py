"""Keyed pseudonyms: messaging-app ids never leave the channel layer.

Rasa, the action server and every log see ``HMAC-SHA256(key, channel:id)``,
stable per user and meaningless without the key. The key comes from
``PSEUDONYM_KEY``; where none is set, one is generated once into a git-ignored
file under var/ so pseudonyms stay stable across restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path


def pseudonym(key: bytes, channel: str, user_id: str) -> str:
    digest = hmac.new(key, f"{channel}:{user_id}".encode(), hashlib.sha256)
    return "u" + digest.hexdigest()[:24]


def load_key(var_dir: Path, configured: str | None = None) -> bytes:
    """``configured`` (PSEUDONYM_KEY), else the key generated once under ``var_dir``."""
    if configured:
        return configured.encode("utf-8")
    path = var_dir / "pseudonym.key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")
