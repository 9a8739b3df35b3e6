"""Running the rasa-sdk actions as the action server does, without it.

``tracker(...)`` builds the tracker of a conversation whose latest message is
given; ``run(action, tracker)`` runs the real action with a
``CollectingDispatcher`` and the real domain, and returns what it sent and
the events it returned.
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
) -> Tracker:
    """A tracker whose latest message is ``text``; ``ranking``: the intents after ``intent``;
    each entity is (kind, value, the words of ``text`` it was found in)."""
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
        [],
        False,
        None,
        None,
        "action_listen",
    )


def run(action: Action, tracker_: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker_, domain())
    return dispatcher.messages, events
