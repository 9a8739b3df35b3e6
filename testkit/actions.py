"""Running the rasa-sdk actions as the action server does, without it.

``tracker(...)`` builds the tracker of a conversation whose latest message is
given; ``run(action, tracker)`` runs the real action with a
``CollectingDispatcher`` and the real domain, and returns what it sent (each
message's ``why`` read back as the record, actions/why.py) and the events it
returned.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.turn import Turn
from actions.why import Why
from language import meaning

DOMAIN_FILE = Path(__file__).resolve().parent.parent / "domain.yml"


@functools.cache
def domain() -> DomainDict:
    """The project's domain.yml, read once, when an action first runs."""
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))


def tracker(
    text: str,
    intent: str,
    entities: Iterable[tuple[str, str, str]] = (),
    language: str = "fr",
    place: str | None = None,
    metadata: dict[str, Any] | None = None,
    ranking: Iterable[str] = (),
    history: Iterable[dict[str, Any]] = (),
) -> Tracker:
    """A tracker whose latest message is ``text``; ``ranking``: the intents after ``intent``;
    each entity is (kind, value, the words of ``text`` it was found in); ``history``: the
    events before it (``earlier_turn``)."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [
            {"name": name, "confidence": 0.9 / (2 + i)} for i, name in enumerate((intent, *ranking))
        ],
        "entities": [
            {
                "entity": kind,
                "value": value,
                "start": text.find(typed),
                "end": text.find(typed) + len(typed),
            }
            for kind, value, typed in entities
        ],
        "metadata": metadata or {},
    }
    return Tracker(
        "pseudonymous-user",
        {"language": language, "place": place},
        message,
        [*history, {"event": "user", "text": text, "parse_data": message}],
        False,
        None,
        None,
        "action_listen",
    )


def nearest_example(intent: str, similarity: float, text: str | None = None) -> dict[str, Any]:
    """What Rasa adds to a message's intent (rasa_extensions/nearest_example.py):
    the nearest training example's intent and cosine, and, given ``text``, its
    sentence vector packed (the ranking needs it)."""
    found: dict[str, Any] = {"intent": intent, "similarity": similarity}
    if text is not None:
        found["vector"] = meaning.pack(meaning.encode([text])[0])
    return found


def question_turn(
    text: str,
    language: str,
    intent: str,
    place: str | None = None,
    nearest: dict[str, Any] | None = None,
    action: str = "action_answer_place",
) -> Turn:
    """The turn ``decision.decide`` reads, as Rasa would have understood ``text``:
    ``intent`` at 0.99, ``place`` the conversation's, ``nearest`` (``nearest_example``)."""
    return Turn(
        action=action,
        text=text,
        language=language,
        intent=intent,
        confidence=0.99,
        nearest=nearest,
        place=place,
    )


def earlier_turn(text: str, *whys: Why) -> list[dict[str, Any]]:
    """The events of an earlier turn as Rasa sends them to the action server: the
    tourist's message, then one bot message per reason (``Reply.why``, kept in the
    bot event's metadata)."""
    replies = [
        {"event": "bot", "text": f"({why})", "data": {}, "metadata": {"why": why.as_dict()}}
        for why in whys
    ]
    return [
        {"event": "user", "text": text},
        *replies,
        {"event": "action", "name": "action_listen"},
    ]


def run(action: Action, tracker_: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker_, domain())
    messages = [
        {**m, "why": Why.from_dict(m["why"])} if isinstance(m.get("why"), dict) else m
        for m in dispatcher.messages
    ]
    return messages, events
