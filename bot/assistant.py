"""One tourist message in, the assistant's replies out, in the right language.

Every channel (terminal, ``ask``, Telegram) goes through :class:`Assistant`:
pseudonymise the user, decide the reply language, ask Rasa with that decision
as metadata, and fall back to a kind "try again" in the same language when
Rasa is not there.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from actions import content_store
from bot import language
from bot.pseudonym import pseudonym
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.user_memory import UserMemory

logger = logging.getLogger(__name__)

# Longer messages are cut before understanding; nobody types more to a chat bot.
MAX_TEXT_LENGTH = 1000


@dataclass
class Reply:
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    image: Optional[str] = None


@dataclass
class Answer:
    language: str
    replies: List[Reply]
    latency_ms: float = 0.0
    failed: bool = False  # True when Rasa could not be reached


class Assistant:
    def __init__(
        self,
        rasa: RasaClient,
        memory: UserMemory,
        key: bytes,
        phrases: Dict[str, Dict[str, str]],
    ) -> None:
        self.rasa = rasa
        self.memory = memory
        self.key = key
        self.phrases = phrases

    async def handle(
        self,
        channel: str,
        user_id: str,
        text: str,
        client_language: Optional[str] = None,
    ) -> Answer:
        started = time.perf_counter()
        user = pseudonym(self.key, channel, user_id)
        text = _clean(text)
        previous = self.memory.language(user)
        if text.startswith("/"):
            # A button payload or command: no language in it, keep the user's.
            chosen = previous or language.normalise_client_code(client_language) or language.DEFAULT
        else:
            chosen = language.decide(text, previous, client_language).language
        self.memory.remember(user, chosen)
        if not text:
            return Answer(chosen, [Reply(self._phrase("empty_message", chosen))], _ms(started))
        metadata = {"language": chosen, "channel": channel}
        try:
            raw = await self.rasa.send(user, text, metadata)
        except RasaUnavailable as error:
            logger.error("Rasa unavailable for %s on %s: %s", user, channel, error)
            return Answer(chosen, [Reply(self._phrase("unavailable", chosen))], _ms(started), failed=True)
        replies = [_reply(item) for item in raw if item.get("text") or item.get("image")]
        return Answer(chosen, replies, _ms(started))

    def _phrase(self, key: str, language_code: str) -> str:
        texts = self.phrases.get(key, {})
        return texts.get(language_code) or texts.get("en") or ""


def load_phrases(directory) -> Dict[str, Dict[str, str]]:
    """The channel's own sentences ("try again in a moment") from content/phrases.yml."""
    return content_store.load(directory).phrases


def _reply(item: Dict[str, Any]) -> Reply:
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in item.get("buttons") or []
    ]
    return Reply(text=item.get("text") or "", buttons=buttons, image=item.get("image"))


def _clean(text: str) -> str:
    """Control characters out, spaces trimmed, length capped."""
    kept = "".join(c for c in text if c in "\n\t" or c.isprintable())
    return kept.strip()[:MAX_TEXT_LENGTH]


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
