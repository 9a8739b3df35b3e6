"""What the web chat's API accepts: conversation tokens and request bodies.

A conversation token is 32 random bytes from ``secrets`` (256 bits) and a tag,
an HMAC of them under the assistant's key: the server knows a token it issued
without storing it (several workers, restarts), and nobody can make up one
that belongs to another tourist. Bodies are small JSON objects; anything else
is a :class:`BadRequest` with a short reason, never a traceback.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from bot.core.assistant import MAX_TEXT_LENGTH

MAX_BODY_BYTES = 16 * 1024  # a 1,000-character message in JSON escapes stays far below
_RANDOM_BYTES = 32
_TAG_BYTES = 16
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8}){0,4}")


class BadRequest(ValueError):
    """A request the API refuses; ``reason`` goes back to the client as is."""

    def __init__(self, reason: str, status: int = 400, code: str = "bad_request") -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.code = code


@dataclass(frozen=True)
class MessageRequest:
    conversation: str
    text: str
    language: str | None  # the browser's navigator.language, when it is a language tag


def new_token(key: bytes) -> str:
    random_part = _b64(secrets.token_bytes(_RANDOM_BYTES))
    return f"{random_part}.{_tag(key, random_part)}"


def is_ours(key: bytes, token: str) -> bool:
    """True for a token this server (any of its workers, before a restart too) issued."""
    if not TOKEN_PATTERN.fullmatch(token):
        return False
    random_part, tag = token.split(".")
    return hmac.compare_digest(tag, _tag(key, random_part))


def parse_json(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or BadRequest."""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest("The request is too large.", 413, "too_large")
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("The body is not JSON in UTF-8.") from None
    if not isinstance(value, dict):
        raise BadRequest("The body should be a JSON object.")
    return value


def parse_language(value: Any) -> str | None:
    """A BCP 47 tag as browsers send it ("fr-FR", "zh-CN"), else None (the core decides)."""
    if isinstance(value, str) and _LANGUAGE_TAG.fullmatch(value):
        return value
    return None


def parse_message(key: bytes, body: bytes) -> MessageRequest:
    """``{"conversation": token, "text": "...", "language": "fr-FR"}``, checked."""
    value = parse_json(body)
    conversation = value.get("conversation")
    text = value.get("text")
    if not isinstance(conversation, str) or not is_ours(key, conversation):
        raise BadRequest(
            "Unknown conversation: start one with POST /api/conversations.",
            400,
            "unknown_conversation",
        )
    if not isinstance(text, str):
        raise BadRequest('"text" should be a string.')
    if len(text) > MAX_TEXT_LENGTH:
        raise BadRequest(
            f"The message is longer than {MAX_TEXT_LENGTH} characters.", 413, "too_long"
        )
    return MessageRequest(conversation, text, parse_language(value.get("language")))


def _tag(key: bytes, random_part: str) -> str:
    digest = hmac.new(key, b"webchat conversation:" + random_part.encode("ascii"), hashlib.sha256)
    return _b64(digest.digest()[:_TAG_BYTES])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
