"""Measured fixes for the two slowest steps of a Rasa 3.6 turn.

Profiling the assistant (py-spy on the Rasa process, a few hundred turns):

1. Rasa checks every answer of the action server against a JSON schema with
   ``jsonschema.validate``, which first re-checks the *schema itself* on every
   call: half of Rasa's time. Here the schema is checked once and the compiled
   validator reused; every answer is still validated, with the same errors.
2. Reading a conversation back from the tracker store looks up each event's
   class by walking all subclasses of ``Event``, for every event of every
   turn: a tenth of the time. Here the classes are looked up by name once.

And one for its start (``import_skops_first``): the intent classifier
(LogisticRegression) reads its file with skops, whose import lists the numpy
and scipy functions it trusts by searching every loaded module for each of
them (753). With TensorFlow loaded, over a thousand modules, that import took
9 of a Rasa start's 14 s; imported before TensorFlow it takes 1.5 s, and the
lists are the same (tests/test_speedups.py compares them).
"""

from __future__ import annotations

import functools
from typing import Any

_applied = False


def import_skops_first() -> None:
    """Imports skops before Rasa imports TensorFlow (see above); call it first."""
    import skops.io  # noqa: F401


def apply() -> None:
    global _applied
    if _applied:
        return
    from rasa.core.actions.action import RemoteAction

    original = RemoteAction._validate_action_result

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        from jsonschema import ValidationError

        try:
            _validator(type(self).action_response_format_spec).validate(result)
            return True
        except ValidationError:
            return original(self, result)  # Rasa's own wording of the error

    RemoteAction._validate_action_result = validate_action_result
    _cache_event_classes()
    _applied = True


def _cache_event_classes() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    known: dict[str, Any] = {}

    def resolve_by_type(type_name, default=None):  # type: ignore[no-untyped-def]
        if type_name in known:
            return known[type_name]
        try:
            found = original(type_name)  # unknown names raise, as before
        except ValueError:
            return original(type_name, default)
        known[type_name] = found
        return found

    Event.resolve_by_type = staticmethod(resolve_by_type)


@functools.lru_cache(maxsize=4)
def _validator(spec_function) -> Any:
    from jsonschema.validators import validator_for

    schema = spec_function()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)
