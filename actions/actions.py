"""The rasa-sdk actions: thin adapters around one decision.

Each action reads the turn from the tracker once (actions/turn.py), asks
``decision.decide`` what to answer from the live content (actions/decision.py),
sends the replies and returns the slot events. ``why`` travels in each bot
message's metadata (Rasa's tracker store), for the staff review app; tourists
never see it.

rasa-sdk registers every module of the ``actions`` package; the action server
is started by actions/server.py.
"""

from __future__ import annotations

import datetime as dt
import functools
from abc import ABCMeta, abstractmethod
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import settings
from actions import decision
from actions.answers import Reply
from actions.turn import Turn
from curated import live
from curated.offices import FILE as OFFICES_FILE
from curated.offices import Office
from curated.offices import read as read_offices


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """One reply as Rasa's bot message: its text (or domain response), buttons,
    map pin, and its ``why`` in the metadata; then its signal for the channel core."""
    why = reply.why.as_dict()
    if reply.response:
        dispatcher.utter_message(response=reply.response, why=why)
    elif reply.pin is not None:
        latitude, longitude = reply.pin
        dispatcher.utter_message(
            text=reply.text,
            buttons=reply.buttons or None,
            json_message={"location": {"latitude": latitude, "longitude": longitude}},
            why=why,
        )
    else:
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None, why=why)
    if reply.signal:
        dispatcher.utter_message(json_message=reply.signal)


def offices() -> dict[str, Office]:
    """The tourism offices of content/offices.yml, for the hand-off: read again
    when the file changes (an office's new chat hours apply at once)."""
    content_dir = Path(settings.from_environment().content_dir)
    try:
        stamp = (content_dir / OFFICES_FILE).stat().st_mtime_ns
    except OSError:
        stamp = None
    return _offices_read(content_dir, stamp)


@functools.lru_cache(maxsize=4)
def _offices_read(content_dir: Path, stamp: int | None) -> dict[str, Office]:
    return read_offices(content_dir)


class DecidedAction(Action, metaclass=ABCMeta):
    """An action whose answer is ``decision.decide``'s for its name (abstract:
    rasa-sdk registers only its subclasses, each naming its action)."""

    @property
    @abstractmethod
    def action_name(self) -> str: ...

    def name(self) -> str:
        return self.action_name

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        turn = Turn.from_tracker(tracker, self.action_name)
        now = dt.datetime.now(dt.timezone.utc)
        decided = decision.decide(turn, live.current(), now, offices())
        for reply in decided.replies:
            send(dispatcher, reply)
        return decided.events


class ActionGreet(DecidedAction):
    """The greeting, with a button per main destination and one for offers."""

    action_name = "action_greet"


class ActionAnswerPlace(DecidedAction):
    """Overview, directions, prices, hours, best time or activities of a place."""

    action_name = "action_answer_place"


class ActionAnswerLocation(DecidedAction):
    """Where a place is: its coordinates, map links and a map pin."""

    action_name = "action_answer_location"


class ActionThanks(DecidedAction):
    """You're welcome; and the sister destination, if it was not suggested yet."""

    action_name = "action_thanks"


class ActionListOffers(DecidedAction):
    """The travel offers valid today, for the place asked or all of them."""

    action_name = "action_list_offers"


class ActionListEvents(DecidedAction):
    """Races, festivals and fairs to come, at the place asked or everywhere."""

    action_name = "action_list_events"


class ActionContact(DecidedAction):
    """How to reach a person: the tourism office of the place, or all of them."""

    action_name = "action_contact"


class ActionAnswerFaq(DecidedAction):
    """A question of content/faq.yml, else the place question it looked like, else a refusal."""

    action_name = "action_answer_faq"


class ActionOutOfScope(DecidedAction):
    """What the content does not cover (``out_of_scope``, ``nlu_fallback``)."""

    action_name = "action_out_of_scope"


class ActionOfferPerson(DecidedAction):
    """A person of the tourism office can answer here (dialogue/rules.yml)."""

    action_name = "action_offer_person"


class ActionRequestPerson(DecidedAction):
    """The tourist asked for a person: the conversation goes to the review app's inbox."""

    action_name = "action_request_person"
