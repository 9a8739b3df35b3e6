"""The turn the actions answer, read once from Rasa's tracker.

``Turn.from_tracker`` is the only place the actions read the tracker: the
latest message (its text, intent and confidence, the other intents ranked,
its entities, the nearest training example Rasa sent along), the slots, the
language the channel decided, and whether the assistant refused the message
before. Everything after it (actions/decision.py) is a function of the turn,
the content and the time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from actions.why import is_refusal
from language import DEFAULT, LANGUAGES

# The ``why`` rule of every offer of a person (in the bot message's metadata).
OFFERED = "handoff_offered"
# The text reason an offer carried before ``why`` was typed.
_OFFERED_TEXT = "handoff offered"


@dataclass(frozen=True)
class Entity:
    kind: str  # place, activity
    value: str  # the canonical value: "badaling"
    typed: str  # the words of the message it was found in: "ba da ling"
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Turn:
    action: str  # the action Rasa runs: action_answer_place...
    text: str
    language: str
    intent: str | None = None
    confidence: float = 0.0
    # The training example nearest in meaning to the message, as Rasa sent it
    # with the intent (rasa_extensions/nearest_example.py): its intent,
    # similarity and the message's packed sentence vector; None for a button.
    nearest: Mapping[str, Any] | None = None
    ranking: tuple[str, ...] = ()  # every intent the model ranked, best first
    entities: tuple[Entity, ...] = ()
    place: str | None = None  # the conversation's place (slot)
    suggested: Mapping[str, Any] | None = None  # sister destinations suggested (slot)
    # The assistant refused the message before this one and offered no person then.
    refused_before: bool = False

    def mentioned(self, kind: str) -> list[Entity]:
        return [e for e in self.entities if e.kind == kind]

    @classmethod
    def from_tracker(cls, tracker: Any, action: str) -> Turn:
        """The turn of a rasa-sdk ``Tracker``."""
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        parsed = message.get("intent") or {}
        nearest = parsed.get("nearest_example")
        return cls(
            action=action,
            text=text,
            language=language_of(tracker.get_slot("language"), message.get("metadata")),
            intent=parsed.get("name"),
            confidence=float(parsed.get("confidence") or 0.0),
            nearest=nearest if isinstance(nearest, dict) else None,
            ranking=tuple(
                str(r.get("name")) for r in message.get("intent_ranking") or [] if r.get("name")
            ),
            entities=tuple(entities_of(text, message.get("entities") or [])),
            place=tracker.get_slot("place"),
            suggested=tracker.get_slot("suggested"),
            refused_before=refused_before(tracker.events),
        )


def language_of(slot: object, metadata: object) -> str:
    """The reply language decided by the channel (slot, else message metadata)."""
    language = slot
    if language not in LANGUAGES and isinstance(metadata, Mapping):
        language = metadata.get("language")
    return language if isinstance(language, str) and language in LANGUAGES else DEFAULT


def entities_of(text: str, found: Sequence[Mapping[str, Any]]) -> list[Entity]:
    """Rasa's entities with the words of ``text`` each was found in."""
    entities = []
    for e in found:
        start, end = e.get("start"), e.get("end")
        spans = isinstance(start, int) and isinstance(end, int)
        typed = text[start:end] if spans and text else ""
        entities.append(
            Entity(
                str(e.get("entity")),
                str(e.get("value")),
                typed or str(e.get("value")),
                start if spans else None,
                end if spans else None,
            )
        )
    return entities


def previous_replies(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]] | None:
    """The bot messages that answered the tourist's message before the latest one,
    from the tracker's events; None when the latest message is the first of the
    conversation's session."""
    users = 0
    replies: list[Mapping[str, Any]] = []
    for event in reversed(events):
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            return None
        if kind == "user":
            users += 1
            if users == 2:
                return list(reversed(replies))
        elif kind == "bot" and users == 1:
            replies.append(event)
    return None


def refused_before(events: Sequence[Mapping[str, Any]]) -> bool:
    """The assistant refused the message before the latest one and offered no person then."""
    replies = previous_replies(events)
    if not replies:
        return False
    whys = [(reply.get("metadata") or {}).get("why") for reply in replies]
    return any(is_refusal(why) for why in whys) and not any(_offered(why) for why in whys)


def _offered(why: object) -> bool:
    if isinstance(why, Mapping):
        return why.get("rule") == OFFERED
    return isinstance(why, str) and why.startswith(_OFFERED_TEXT)
