"""Rasa's tracker store as the assistant runs it (``rasa_extensions/tracker_store.py``),
on SQLite and on a real PostgreSQL: every event of a conversation is in the
database while Rasa works on its recent turns only, and a turn written by
another Rasa process, or one that failed before it was saved, is never hidden
by what a process keeps in memory."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_extensions.command import ROOT
from rasa_extensions.recent_turns import TURNS
from rasa_extensions.tracker_store import SessionTrackerStore
from testkit.servers import PostgresServer

EVENTS_PER_TURN = 5


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer().start()
    yield server
    server.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    server = request.getfixturevalue("postgres")
    return server.create_database(f"tracker_{abs(hash(request.node.name)) % 10**8}")


def store(url, domain):
    made = SessionTrackerStore(domain=domain, url=url)
    made.domain = domain
    return made


def turn(text, intent, place=None, answer="action_answer_place"):
    events = [
        ActionExecuted("action_listen"),
        UserUttered(text, {"name": intent, "confidence": 1.0}),
    ]
    if place:
        events.append(SlotSet("place", place))
    return [*events, ActionExecuted(answer), BotUttered(f"{intent} {place or ''}")]


async def say(tracker_store, domain, sender, events):
    """One turn as Rasa runs it: read the conversation, add the turn's events, save."""
    tracker = await tracker_store.retrieve(sender)
    if tracker is None:
        tracker = DialogueStateTracker(sender, domain.slots)
    for event in events:
        tracker.update(event)
    await tracker_store.save(tracker)
    return tracker


def stored_events(url, sender):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT type_name FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": sender},
            ).fetchall()
    finally:
        engine.dispose()


def test_a_long_conversation_is_stored_whole_and_keeps_its_place(database_url, domain):
    tracker_store = store(database_url, domain)

    async def day_of_questions():
        await say(
            tracker_store,
            domain,
            "t1",
            turn("comment aller à la Féclaz ?", "ask_directions", "bauges"),
        )
        for _ in range(40):
            await say(tracker_store, domain, "t1", turn("et le prix ?", "ask_prices"))
        return await tracker_store.retrieve("t1")

    tracker = asyncio.run(day_of_questions())
    assert len(stored_events(database_url, "t1")) == 41 * EVENTS_PER_TURN - 40  # one SlotSet
    assert tracker.get_slot("place") == "bauges"  # set 40 turns ago
    users = [e for e in tracker.events if isinstance(e, UserUttered)]
    assert len(users) == TURNS  # what Rasa replays each turn stays this short
    assert tracker.latest_message.text == "et le prix ?"


def test_a_turn_saved_by_another_rasa_process_is_read_back(database_url, domain):
    first, second = store(database_url, domain), store(database_url, domain)

    async def switch_processes():
        for _ in range(TURNS + 2):
            await say(first, domain, "t2", turn("Chamonix", "ask_overview", "mont_blanc"))
        await say(second, domain, "t2", turn("et Chongli ?", "ask_overview", "chongli"))
        return await first.retrieve("t2")

    tracker = asyncio.run(switch_processes())
    assert tracker.get_slot("place") == "chongli"
    assert tracker.latest_message.text == "et Chongli ?"


def test_a_turn_that_failed_before_it_was_saved_leaves_nothing_behind(database_url, domain):
    tracker_store = store(database_url, domain)

    async def failed_turn():
        await say(tracker_store, domain, "t3", turn("Badaling", "ask_overview", "badaling"))
        half_done = await tracker_store.retrieve("t3")
        for event in turn("Chongli", "ask_overview", "chongli")[:3]:
            half_done.update(event)  # the action failed: Rasa never saves it
        return await tracker_store.retrieve("t3")

    tracker = asyncio.run(failed_turn())
    assert tracker.get_slot("place") == "badaling"
    assert tracker.latest_message.text == "Badaling"
    assert len(stored_events(database_url, "t3")) == EVENTS_PER_TURN


def test_a_new_conversation_is_empty_until_its_first_turn(database_url, domain):
    tracker_store = store(database_url, domain)
    assert asyncio.run(tracker_store.retrieve("nobody")) is None
