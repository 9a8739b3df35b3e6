"""The Rasa speed-ups change how fast, never what Rasa decides."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from rasa_extensions import speedups


@pytest.fixture(autouse=True, scope="module")
def applied():
    speedups.apply()  # as python -m rasa_extensions.command does before Rasa starts


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
