"""The Rasa speed-ups change how fast, never what Rasa decides."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError

import rasa_extensions.tokenizer  # noqa: F401  (applies the speed-ups, as the Rasa server does)
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered


def test_action_server_answers_are_still_validated():
    action = RemoteAction("action_answer_place", None)
    assert action._validate_action_result({"events": [], "responses": [{"text": "hi"}]}) is True
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": "not a list"})


def test_events_are_resolved_to_the_same_classes():
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("action") is ActionExecuted
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no-such-event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no-such-event")
