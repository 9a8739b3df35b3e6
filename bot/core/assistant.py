"""One tourist message in, the assistant's replies out, in the right language.

Every channel (terminal, ``ask``, Telegram) goes through :class:`Assistant`:
pseudonymise the user, decide the reply language, ask Rasa with that decision
as metadata, and fall back to a kind "try again" in the same language when
Rasa is not there.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from curated.live import LiveContent
from language import decision as language
from bot.core.conversation_log import ANSWERED, NOT_TEXT, UNAVAILABLE, ConversationLog
from bot.core.pseudonym import pseudonym
from bot.core.rasa_client import RasaClient, RasaUnavailable
from bot.core.user_memory import UserMemory

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
    failed: bool = False  # True when Rasa could not be reached or an action failed


class Assistant:
    def __init__(
        self,
        rasa: RasaClient,
        memory: UserMemory,
        key: bytes,
        content: LiveContent,
        log: Optional[ConversationLog] = None,
    ) -> None:
        self.rasa = rasa
        self.memory = memory
        self.key = key
        self.content = content  # the channel's sentences, as editors change them
        self.log = log

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
            answer = Answer(chosen, [Reply(self.phrase("empty_message", chosen))], _ms(started))
            return self._recorded(user, channel, text, answer, ANSWERED)
        metadata = {"language": chosen, "channel": channel}
        try:
            raw = await self.rasa.send(user, _with_language(text, chosen), metadata)
        except RasaUnavailable as error:
            logger.error("Rasa unavailable for %s on %s: %s", user, channel, error)
            answer = Answer(chosen, [Reply(self.phrase("unavailable", chosen))], _ms(started), failed=True)
            return self._recorded(user, channel, text, answer, UNAVAILABLE)
        replies = [_reply(item) for item in raw if item.get("text") or item.get("image")]
        return self._recorded(user, channel, text, Answer(chosen, replies, _ms(started)), ANSWERED)

    def known_language(self, channel: str, user_id: str) -> Optional[str]:
        """The language this user was last answered in, None for a new user."""
        return self.memory.language(pseudonym(self.key, channel, user_id))

    def language_of(self, channel: str, user_id: str, client_language: Optional[str] = None) -> str:
        """The language this user is answered in, for messages without text."""
        user = pseudonym(self.key, channel, user_id)
        return (
            self.memory.language(user)
            or language.normalise_client_code(client_language)
            or language.DEFAULT
        )

    def set_language(self, channel: str, user_id: str, language_code: str) -> None:
        """The user chose a language from a menu."""
        self.memory.remember(pseudonym(self.key, channel, user_id), language_code)

    def not_text(self, channel: str, user_id: str, kind: str, client_language: Optional[str] = None) -> Answer:
        """A sticker, voice note, photo...: say kindly that only text is read."""
        chosen = self.language_of(channel, user_id, client_language)
        answer = Answer(chosen, [Reply(self.phrase("not_text", chosen))])
        return self._recorded(pseudonym(self.key, channel, user_id), channel, f"[{kind}]", answer, NOT_TEXT)

    def _recorded(self, user: str, channel: str, text: str, answer: Answer, outcome: str) -> Answer:
        if self.log is not None:
            try:
                self.log.record(
                    user, channel, answer.language, text,
                    [r.text for r in answer.replies], answer.latency_ms, outcome,
                )
            except Exception:  # a full disk must not cost the tourist the answer
                logger.exception("Could not record a turn of %s on %s", user, channel)
        return answer

    def phrase(self, key: str, language_code: str) -> str:
        """One of the channel's own sentences ("try again in a moment"), live from content/."""
        return self.content.get().phrase(key, language_code)


def _reply(item: Dict[str, Any]) -> Reply:
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in item.get("buttons") or []
    ]
    return Reply(text=item.get("text") or "", buttons=buttons, image=item.get("image"))


def _with_language(text: str, chosen: str) -> str:
    """Button payloads skip Rasa's pipeline: carry the language as an entity.

    "/ask_offers" becomes '/ask_offers{"language": "zh"}', so the language slot
    follows the user even when they only press buttons.
    """
    match = _PAYLOAD.match(text)
    if not match:
        return text
    try:
        entities = json.loads(match.group(2) or "{}")
    except ValueError:
        return text
    if not isinstance(entities, dict):
        return text
    entities["language"] = chosen
    return f"/{match.group(1)}{json.dumps(entities, ensure_ascii=False)}"


_PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$", re.S)


def _clean(text: str) -> str:
    """Control characters out, spaces trimmed, length capped."""
    kept = "".join(c for c in text if c in "\n\t" or c.isprintable())
    return kept.strip()[:MAX_TEXT_LENGTH]


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
