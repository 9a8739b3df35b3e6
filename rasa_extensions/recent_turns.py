"""The recent turns of a conversation, which is all Rasa needs to decide the next one.

Every rule in ``dialogue/rules.yml`` looks at one turn (an intent, then the
action that answers it); the place and the language are carried by slots.
Rasa, however, replays and featurizes the whole session on every turn, so a
tourist's hundredth question of the day cost three times the first
(BENCHMARKS.md, "Scale-out"). ``recent`` keeps the last ``turns`` user turns
and, before them, one ``SlotSet`` per slot that had been set: the slots, the
latest message and every state the rules can see are the same, and the cost
of a turn stops growing. The tracker store keeps every event in the database;
only the copy Rasa works on is shortened.

``tests/test_recent_turns.py`` checks that no rule or story is longer than the
window, so a longer rule added later fails the tests instead of changing
what the assistant decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rasa.shared.core.events import Event
    from rasa.shared.core.slots import Slot
    from rasa.shared.core.trackers import DialogueStateTracker

# User turns kept. The rules need one; the margin costs little (a turn is
# about six events).
TURNS = 8


def recent(
    tracker: DialogueStateTracker, slots: Iterable[Slot], turns: int = TURNS
) -> DialogueStateTracker:
    """``tracker`` itself when it is short enough, else a tracker of its recent turns."""
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        SlotSet,
        UserUtteranceReverted,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    events: list[Event] = list(tracker.events)
    users = [index for index, event in enumerate(events) if isinstance(event, UserUttered)]
    if len(users) <= turns:
        return tracker
    if any(isinstance(event, (ActionReverted, UserUtteranceReverted)) for event in events):
        return tracker  # a revert may reach back past the window: keep it all
    start = users[-turns]
    before = events[start - 1] if start else None
    if isinstance(before, ActionExecuted) and before.action_name == ACTION_LISTEN_NAME:
        start -= 1
    slots = list(slots)
    earlier = DialogueStateTracker.from_events(tracker.sender_id, events[:start], slots)
    stamp = events[start].timestamp
    carried: list[Event] = [
        SlotSet(name, slot.value, timestamp=stamp)
        for name, slot in earlier.slots.items()
        if slot.has_been_set
    ]
    return DialogueStateTracker.from_events(
        tracker.sender_id, carried + events[start:], slots, sender_source=tracker.sender_source
    )
