"""When to suggest the sister destination: once per destination and conversation.

A tourist asking five questions about Badaling reads the invitation to Mont
Blanc once, after the first answer, not five times; asked again a day later
(a new trip being planned), it is suggested again, in other words (the sister
destination's own overview: ``answers.suggestion``). The slot ``suggested``
remembers, per destination, when it was last suggested and how often.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk.events import SlotSet

AGAIN_AFTER = dt.timedelta(days=1)

Suggested = dict[str, list[Any]]  # destination id -> [ISO time, times suggested]


def due(suggested: Suggested | None, destination: str | None, now: dt.datetime) -> tuple[bool, int]:
    """(whether to suggest ``destination`` now, how often it was suggested before)."""
    if not destination:
        return False, 0
    when, times = (suggested or {}).get(destination, [None, 0])
    if when is None:
        return True, int(times or 0)
    try:
        last = dt.datetime.fromisoformat(str(when))
    except ValueError:
        return True, int(times or 0)
    return now - last >= AGAIN_AFTER, int(times or 0)


def remembered(
    suggested: Suggested | None, destination: str, times: int, now: dt.datetime
) -> SlotSet:
    """The slot event that records this suggestion."""
    updated = dict(suggested or {})
    updated[destination] = [now.isoformat(timespec="seconds"), times + 1]
    return SlotSet("suggested", updated)
