"""One tourist message in, the assistant's replies out, in the right language.

Every channel (terminal, ``ask``, Telegram, WeChat, WhatsApp, web chat) goes
through :class:`Assistant`: pseudonymise the user, decide the reply language,
ask Rasa with that decision as metadata, and fall back to a kind "try again"
in the same language when Rasa is not there. What else every channel needs
the same way is here too: the language menu (its "lang:fr" payloads, and the
words of language/request_words.yml's ``menu`` typed to open it), and the digits a tourist
answers to a numbered list of buttons (:meth:`Assistant.offer`).

A long message of several questions (bot/core/questions.py) is asked question
by question, as consecutive turns of the conversation, up to three; the
language is decided once, on the whole message.

Chinese comes in two scripts. Rasa, the actions and the content know
Simplified: a message in Traditional characters is converted to Simplified
before it goes to Rasa, and a tourist who writes Traditional reads the replies
(buttons' titles included, not their payloads) and the channel's own sentences
converted to Traditional as they are sent. Editors write Simplified only.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from bot.core import questions
from bot.core.conversation_log import (
    ANSWERED,
    HELD,
    NOT_TEXT,
    UNAVAILABLE,
    UNDELIVERED,
    ConversationLog,
)
from bot.core.outbox import Outbox
from bot.core.pseudonym import pseudonym
from bot.core.rasa_client import RasaClient, RasaUnavailable
from bot.core.user_memory import UserMemory
from curated.live import LiveContent
from handoff import store as handoff
from language import chinese, requests
from language import decision as language
from language.names import Gazetteer, synonyms

logger = logging.getLogger(__name__)

# Longer messages are cut before understanding; nobody types more to a chat bot.
MAX_TEXT_LENGTH = 1000

# A message of several questions gets this many answered; the rest are to be sent
# separately (the phrase questions_rest says so).
MAX_QUESTIONS = 3

LANGUAGE_CHOICES = (("fr", "Français"), ("zh", "中文"), ("en", "English"))
_NUMBER = re.compile(r"^\s*([0-9０-９]{1,2})\s*[.)。]?\s*$")


@dataclass
class Reply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    image: str | None = None
    # (latitude, longitude) of the place this reply locates, for a map pin on
    # channels that show one (Telegram); its text holds map links for the others.
    location: tuple[float, float] | None = None


@dataclass
class Answer:
    language: str  # fr | zh | en, as Rasa and the conversation log know it
    replies: list[Reply]
    latency_ms: float = 0.0
    failed: bool = False  # True when Rasa could not be reached or an action failed
    variant: str = ""  # what the tourist reads: fr | en | zh-Hans | zh-Hant
    turn: str = ""  # the turn's id in the conversation log ("" when not recorded)
    # A message of several questions is a turn per question: the ids after the first.
    more_turns: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.variant:
            self.variant = language.choose_variant(self.language)


class Assistant:
    def __init__(
        self,
        rasa: RasaClient,
        memory: UserMemory,
        key: bytes,
        content: LiveContent,
        log: ConversationLog | None = None,
        outbox: Outbox | None = None,
        holds: handoff.HandoffStore | None = None,
    ) -> None:
        self.rasa = rasa
        self.memory = memory
        self.key = key
        self.content = content  # the channel's sentences, as editors change them
        self.log = log
        # Sending to a pseudonymous user on their channel (staff replies); its order
        # of each user's turns is the one every channel's Inbox answers in.
        self.outbox = outbox or Outbox(key)
        # Who holds each conversation (hand-off to a person); None: always the assistant.
        self.holds = holds

    async def handle(
        self,
        channel: str,
        user_id: str,
        text: str,
        client_language: str | None = None,
    ) -> Answer:
        started = time.perf_counter()
        user = pseudonym(self.key, channel, user_id)
        held = await self._held(user, channel, _clean(text), started)
        if held is not None:
            return held
        text = self._chosen_option(user, _clean(text))
        if requests.asks_for_menu(text):
            return self.language_menu(channel, user_id, client_language, typed=text)
        if text.startswith("lang:") and text[5:] in language.LANGUAGES:
            self.set_language(channel, user_id, text[5:], client_language)
            text = "/change_language"
        previous = self.memory.language(user)
        if text.startswith("/"):
            # A button payload or command: no language in it, keep the user's.
            decided = language.keep(previous, client_language)
        else:
            decided = language.decide(text, previous, client_language)
        chosen, variant = decided.language, decided.variant
        self.memory.remember(user, variant)
        if not text:
            reply = Reply(self.phrase("empty_message", variant))
            answer = Answer(chosen, [reply], _ms(started), variant=variant)
            return self._recorded(user, channel, text, answer, ANSWERED)
        parts = [text] if text.startswith("/") else questions.split(text, self._places_in)
        if len(parts) == 1:
            return await self._asked(user, channel, text, chosen, variant, started)
        return await self._asked_in_turn(user, channel, parts, chosen, variant, started)

    def _places_in(self, text: str) -> list[str]:
        """The names of the content's places in ``text``, as written ("Chamonix", "崇礼"):
        not a city tourists leave from ("Beijing") nor an activity."""
        places = self.content.get().places
        return [
            text[found["start"] : found["end"]]
            for found in _names().find(text)
            if found["value"] in places
        ]

    async def _asked_in_turn(
        self, user: str, channel: str, parts: list[str], chosen: str, variant: str, started: float
    ) -> Answer:
        """A message of several questions: each sent to Rasa in turn, as consecutive turns
        of the conversation (a question about "it" keeps the place of the one before),
        up to :data:`MAX_QUESTIONS`; the replies together, in the order asked.

        Each question is a turn of the conversation log, as if sent alone: staff see
        each question beside its answer and Rasa's reading of it (the review app
        matches a logged turn to Rasa's by its text). Questions beyond the limit
        are logged too, with the sentence asking to send them separately."""
        replies: list[Reply] = []
        turns: list[str] = []
        for part in parts[:MAX_QUESTIONS]:
            answer = await self._asked(user, channel, part, chosen, variant, time.perf_counter())
            replies.extend(answer.replies)
            turns.append(answer.turn)
            if answer.failed:  # Rasa is down: the questions after are not sent
                return self._together(chosen, variant, replies, turns, started, failed=True)
        rest = parts[MAX_QUESTIONS:]
        if rest:
            more = Answer(chosen, [Reply(self.phrase("questions_rest", variant))], variant=variant)
            more = self._recorded(user, channel, "\n".join(rest), more, ANSWERED)
            replies.extend(more.replies)
            turns.append(more.turn)
        return self._together(chosen, variant, replies, turns, started)

    def _together(
        self,
        chosen: str,
        variant: str,
        replies: list[Reply],
        turns: list[str],
        started: float,
        failed: bool = False,
    ) -> Answer:
        recorded = [t for t in turns if t]
        answer = Answer(chosen, replies, _ms(started), failed=failed, variant=variant)
        answer.turn = recorded[0] if recorded else ""
        answer.more_turns = recorded[1:]
        return answer

    async def _asked(
        self, user: str, channel: str, text: str, chosen: str, variant: str, started: float
    ) -> Answer:
        """One turn: ``text`` to Rasa in the language decided, its replies, recorded."""
        metadata = {"language": chosen, "channel": channel}
        understood = _for_understanding(text, variant)
        try:
            raw = await self.rasa.send(user, _with_language(understood, chosen), metadata)
        except RasaUnavailable as error:
            logger.error("Rasa unavailable for %s on %s: %s", user, channel, error)
            reply = Reply(self.phrase("unavailable", variant))
            answer = Answer(chosen, [reply], _ms(started), failed=True, variant=variant)
            return self._recorded(user, channel, text, answer, UNAVAILABLE)
        replies = _replies(raw, variant)
        answer = Answer(chosen, replies, _ms(started), variant=variant)
        requested = _handoff_request(raw)
        if requested is not None and self.holds is not None:
            await asyncio.to_thread(
                self.holds.request, user, channel, variant, requested.get("place", ""),
                requested.get("office", ""),
            )  # fmt: skip
        return self._recorded(user, channel, text, answer, ANSWERED)

    async def _held(self, user: str, channel: str, text: str, started: float) -> Answer | None:
        """While a person of the office holds the conversation: the message kept for them,
        recorded, and no answer from the assistant (Rasa is not asked). While the
        tourist waits for a person the assistant still answers, and staff read it all."""
        if self.holds is None:
            return None
        try:
            hold = await asyncio.to_thread(self.holds.active, user)
            if hold is None:
                return None
            await asyncio.to_thread(self.holds.keep, user, text)
        except Exception:  # the hand-off store down: the assistant answers
            logger.exception("Could not read who holds the conversation of %s", user)
            return None
        if hold.state != handoff.HELD:
            return None
        answer = Answer(
            language.language_of(hold.language), [], _ms(started), variant=hold.language
        )
        return self._recorded(user, channel, text, answer, HELD)

    def staff_turn(self, user: str, channel: str, author: str, text: str, outcome: str) -> None:
        """A staff member's message to the tourist, in the turn log: who answered, what."""
        variant = self.known_language_of(user)
        answer = Answer(language.language_of(variant), [Reply(text)], variant=variant)
        self._recorded(user, channel, f"[staff: {author}]", answer, outcome)

    def offer(self, channel: str, user_id: str, payloads: list[str]) -> None:
        """The buttons just shown as a numbered list: a digit answered next means its payload.

        Channels without buttons call it with every answer they send (an empty
        list when the answer had none, so an old list is not answered later).
        """
        self.memory.remember_options(pseudonym(self.key, channel, user_id), payloads)

    def _chosen_option(self, user: str, text: str) -> str:
        match = _NUMBER.match(text)
        if not match:
            return text
        options = self.memory.options(user)
        number = int(match.group(1))  # int() reads full-width digits too
        return options[number - 1] if 1 <= number <= len(options) else text

    def language_menu(
        self, channel: str, user_id: str, client_language: str | None = None, typed: str = ""
    ) -> Answer:
        """ "Choose your language" with a button per language (payloads ``lang:fr``...)."""
        variant = self.language_of(channel, user_id, client_language)
        buttons = [{"title": title, "payload": f"lang:{code}"} for code, title in LANGUAGE_CHOICES]
        reply = Reply(self.phrase("choose_language", variant), buttons)
        answer = Answer(language.language_of(variant), [reply], variant=variant)
        user = pseudonym(self.key, channel, user_id)
        return self._recorded(user, channel, typed or "[language menu]", answer, ANSWERED)

    def known_language(self, channel: str, user_id: str) -> str | None:
        """What this user was last answered in (fr, en, zh-Hans, zh-Hant), None for a new user."""
        return self.memory.language(pseudonym(self.key, channel, user_id))

    def known_language_of(self, user: str) -> str:
        """What a pseudonymous user reads (fr, en, zh-Hans, zh-Hant), English when unknown."""
        return language.keep(self.memory.language(user), None).variant

    def language_of(self, channel: str, user_id: str, client_language: str | None = None) -> str:
        """What this user reads (fr, en, zh-Hans, zh-Hant), for messages without text.

        Give it to :meth:`phrase` for the channel's own sentences.
        """
        user = pseudonym(self.key, channel, user_id)
        return language.keep(self.memory.language(user), client_language).variant

    def set_language(
        self, channel: str, user_id: str, language_code: str, client_language: str | None = None
    ) -> None:
        """The user chose fr, zh or en from a menu; Chinese keeps the user's script."""
        user = pseudonym(self.key, channel, user_id)
        previous = language.variant_of(self.memory.language(user))
        client = language.client_variant(client_language)
        self.memory.remember(user, language.choose_variant(language_code, None, previous, client))

    def not_text(
        self, channel: str, user_id: str, kind: str, client_language: str | None = None
    ) -> Answer:
        """A sticker, voice note, photo...: say kindly that only text is read."""
        variant = self.language_of(channel, user_id, client_language)
        reply = Reply(self.phrase("not_text", variant))
        answer = Answer(language.language_of(variant), [reply], variant=variant)
        return self._recorded(
            pseudonym(self.key, channel, user_id), channel, f"[{kind}]", answer, NOT_TEXT
        )

    def event(self, channel: str, user_id: str, what: str) -> None:
        """Something the user did that gets no reply (unfollowing a WeChat account): recorded."""
        variant = self.language_of(channel, user_id)
        answer = Answer(language.language_of(variant), [], variant=variant)
        self._recorded(
            pseudonym(self.key, channel, user_id), channel, f"[{what}]", answer, ANSWERED
        )

    def _recorded(self, user: str, channel: str, text: str, answer: Answer, outcome: str) -> Answer:
        if self.log is not None:
            try:
                answer.turn = self.log.record(
                    user,
                    channel,
                    answer.language,
                    text,
                    [r.text for r in answer.replies],
                    answer.latency_ms,
                    outcome,
                )
            except Exception:  # a full disk must not cost the tourist the answer
                logger.exception("Could not record a turn of %s on %s", user, channel)
        return answer

    def undelivered(self, answer: Answer, why: str) -> None:
        """The platform did not deliver this answer (window closed, quota, failed status):
        the turn is marked so in the conversation log, for staff to see."""
        logger.warning("A reply could not be delivered (%s): turn %s", why, answer.turn or "-")
        if self.log is not None:
            for turn in [answer.turn, *answer.more_turns]:
                if turn:
                    self.log.mark(turn, UNDELIVERED)

    def phrase(self, key: str, language_code: str) -> str:
        """One of the channel's own sentences ("try again in a moment"), live from content/.

        ``language_code`` is fr, zh or en, or zh-Hant for the sentence in
        Traditional characters (zh-Hans: as written).
        """
        text = self.content.get().phrase(key, language.language_of(language_code))
        return chinese.to_traditional(text) if language_code == chinese.TRADITIONAL else text


@functools.cache
def _names() -> Gazetteer:
    """Every written form of nlu/entities.yml, read once."""
    return Gazetteer.from_pairs((form, "name", value) for form, value in synonyms().items())


def _replies(raw: list[dict[str, Any]], variant: str) -> list[Reply]:
    """Rasa's items as replies; a map point (the custom payload an action adds
    after a location answer) goes to the reply it follows."""
    replies: list[Reply] = []
    for item in raw:
        if item.get("text") or item.get("image"):
            replies.append(_in_script(_reply(item), variant))
        point = _location(item.get("custom"))
        if point is not None and replies:
            replies[-1].location = point
    return replies


def _handoff_request(raw: list[dict[str, Any]]) -> dict[str, str] | None:
    """The action's ``{"handoff": {"place": .., "office": ..}}``: the tourist asked for a person."""
    for item in raw:
        custom = item.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("handoff"), dict):
            return {k: str(v) for k, v in custom["handoff"].items()}
    return None


def _location(custom: Any) -> tuple[float, float] | None:
    """``{"location": {"latitude": .., "longitude": ..}}``, checked."""
    if not isinstance(custom, dict) or not isinstance(custom.get("location"), dict):
        return None
    try:
        latitude = float(custom["location"]["latitude"])
        longitude = float(custom["location"]["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if abs(latitude) > 90 or abs(longitude) > 180:
        return None
    return latitude, longitude


def _reply(item: dict[str, Any]) -> Reply:
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in item.get("buttons") or []
    ]
    return Reply(text=item.get("text") or "", buttons=buttons, image=item.get("image"))


def _for_understanding(text: str, variant: str) -> str:
    """The text Rasa is sent: Traditional characters made Simplified.

    Button payloads are the assistant's own and go as they are.
    """
    if text.startswith("/"):
        return text
    if variant == chinese.TRADITIONAL or chinese.script(text) == chinese.TRADITIONAL:
        return chinese.to_simplified(text)
    return text


def _in_script(reply: Reply, variant: str) -> Reply:
    """The reply as the tourist reads it: Traditional for a zh-Hant reader.

    Titles of buttons are converted, their payloads are not.
    """
    if variant != chinese.TRADITIONAL:
        return reply
    buttons = [{**b, "title": chinese.to_traditional(b["title"])} for b in reply.buttons]
    return Reply(chinese.to_traditional(reply.text), buttons, reply.image, reply.location)


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
