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


def test_skops_imported_first_trusts_the_same_functions_as_after_tensorflow():
    """conftest.py imports skops before Rasa, as a Rasa process does: its lists
    of trusted numpy and scipy functions are those it finds with TensorFlow loaded."""
    import sys

    import numpy
    import scipy.special
    import tensorflow  # noqa: F401
    from skops.io import _trusted_types, _utils

    loaded = list(sys.modules)
    assert loaded.index("skops.io._trusted_types") < loaded.index("tensorflow")
    found = _utils.get_public_type_names(module=numpy, oftype=numpy.ufunc)
    assert found == _trusted_types.NUMPY_UFUNC_TYPE_NAMES
    found = _utils.get_public_type_names(module=scipy.special, oftype=numpy.ufunc)
    assert found == _trusted_types.SCIPY_UFUNC_TYPE_NAMES
