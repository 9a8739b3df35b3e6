"""What Rasa decides from the recent turns is what it would decide from the
whole session (``rasa_extensions/recent_turns.py``)."""

from __future__ import annotations

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_extensions.command import ROOT
from rasa_extensions.recent_turns import TURNS, recent


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


def test_no_rule_or_story_looks_further_back_than_the_turns_kept():
    for path in sorted((ROOT / "dialogue").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for kind in ("rules", "stories"):
            for entry in data.get(kind) or []:
                user_steps = [s for s in entry["steps"] if "intent" in s or "or" in s]
                name = entry.get("rule") or entry.get("story")
                assert len(user_steps) < TURNS, f"{path.name}: {name} is longer than {TURNS} turns"
                assert not entry.get("conversation_start"), f"{path.name}: {name} needs the start"


def long_session(domain, turns):
    tracker = DialogueStateTracker("tourist", domain.slots)
    places = ["bauges", "mont_blanc", "chongli", "badaling"]
    for index in range(turns):
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered(f"question {index}", {"name": "ask_prices", "confidence": 1.0}))
        if index % 7 == 0:
            tracker.update(SlotSet("place", places[index // 7 % len(places)]))
        if index == 3:
            tracker.update(SlotSet("language", "zh"))
        tracker.update(ActionExecuted("action_answer_place"))
        tracker.update(BotUttered(f"answer {index}"))
    return tracker


def test_the_recent_turns_carry_the_slots_and_the_latest_message(domain):
    whole = long_session(domain, 30)
    short = recent(whole, domain.slots)
    assert len([e for e in short.events if isinstance(e, UserUttered)]) == TURNS
    assert short.current_slot_values() == whole.current_slot_values()
    assert short.latest_message.text == whole.latest_message.text == "question 29"
    assert short.latest_action_name == whole.latest_action_name


def test_rasa_sees_the_same_recent_states_in_both(domain):
    whole = long_session(domain, 30)
    short = recent(whole, domain.slots)
    kept = 2 * (TURNS - 1)  # each turn is two states: listened, answered
    assert short.past_states(domain)[-kept:] == whole.past_states(domain)[-kept:]


def test_a_short_conversation_is_left_as_it_is(domain):
    tracker = long_session(domain, TURNS)
    assert recent(tracker, domain.slots) is tracker
