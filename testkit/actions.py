"""Running the rasa-sdk actions as the action server does, without it.

``tracker(...)`` builds the tracker of a conversation whose latest message is
given; ``run(action, tracker)`` runs the real action with a
``CollectingDispatcher`` and the real domain, and returns what it sent and
the events it returned.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

DOMAIN = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "domain.yml").read_text(encoding="utf-8")
)


def tracker(text, intent, entities=(), language="fr", place=None, metadata=None, ranking=()):
    """A tracker whose latest message is ``text``; ``ranking``: the intents after ``intent``."""
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


def run(action, tracker_):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker_, DOMAIN)
    return dispatcher.messages, events
