"""The schema of content/: every kind of entry, its fields, and what each accepts.

This table drives all the checks (``field_types.py`` holds how each kind of
field is checked); ``builders`` turns what passes into the objects of
``entries`` for the answers. To add a field: add it here, then to the dataclass
in entries.py and its builder in builders.py, then to content/README.md.

A Telegram message holds 4096 characters: texts stay under TEXT_LIMIT so an
answer (name, text, facts, sister destination) fits; names of places are
button titles and stay under TITLE_LIMIT.
"""

from __future__ import annotations

from typing import Any

from curated.field_types import (  # noqa: F401  (limits: re-exported)
    TEXT_LIMIT,
    TITLE_LIMIT,
    Choice,
    Date,
    Degrees,
    Email,
    Entry,
    Flag,
    Https,
    Id,
    ListOf,
    MapOf,
    Phone,
    Phrase,
    Phrases,
    PositiveNumber,
    Record,
    Ref,
    TextLists,
    Texts,
    Where,
    line_of,
)

TOPICS = ("overview", "getting_there", "prices", "hours", "best_time", "activities")
CURRENCIES = ("EUR", "CNY", "CHF", "USD")
TIMEZONES = ("Europe/Paris", "Asia/Shanghai")  # an offer's dates are days in this zone
SEASONS = ("winter", "spring", "summer", "autumn")  # winter = December to February
# The activity values of nlu/entities.yml: known_for sends questions about them here.
ACTIVITIES = ("skiing", "cross_country_skiing", "biathlon", "hiking", "climbing", "cable_car")


def not_its_own_relative(place: Entry, node: Any, where: Where) -> bool:
    """A place is not its own parent or sister (the link is dropped)."""
    for name in ("parent", "sister"):
        if place[name] and place[name] == place["id"]:
            where.at(name, line_of(node, name, where.line)).problem(
                "self_reference", target=place[name]
            )
            place[name] = None
    return True


def ends_on_or_after_start(offer: Entry, node: Any, where: Where) -> bool:
    """An offer ending before it starts is dropped."""
    if offer["valid_from"] and offer["valid_until"] and offer["valid_until"] < offer["valid_from"]:
        where.at("valid_until", line_of(node, "valid_until", where.line)).problem(
            "ends_before_start"
        )
        return False
    return True


def event_ends_on_or_after_start(event: Entry, node: Any, where: Where) -> bool:
    """An event ending before it starts is dropped."""
    if event["starts"] and event["ends"] and event["ends"] < event["starts"]:
        where.at("ends", line_of(node, "ends", where.line)).problem("event_ends_before_start")
        return False
    return True


FACT = Record(
    {
        "text": Texts(required=True),
        "source": Https(required=True),  # the page where the figure is published
        "checked": Date(required=True, not_in_future=True),  # when an editor last checked it
    }
)

TOPIC = Record(
    {
        "text": Texts(required=True),
        "facts": ListOf(FACT),
    }
)

CONTACT = Record(
    {
        "name": Texts(required=True),
        "url": Https(),
        "phone": Phone(),
        "email": Email(),
    }
)

# Where a place is, for "where is it?" and the map pin: the point a map
# service shows for the place (an entrance, a station, the town centre).
LOCATION = Record(
    {
        "lat": Degrees(-90, 90, "45.9237", required=True),
        "lon": Degrees(-180, 180, "6.8694", required=True),
        "source": Https(required=True),  # the page the coordinates were read on
        "checked": Date(required=True, not_in_future=True),
    },
    example="{lat: 45.9237, lon: 6.8694, source: https://..., checked: 2026-12-01}",
)

PLACE = Record(
    {
        "id": Id(required=True),
        "name": Texts(required=True, limit=TITLE_LIMIT, title=True),
        "parent": Ref("place"),  # the larger place it belongs to
        "sister": Ref("place"),  # the destination suggested at the end of answers
        "suggestion": Texts(),
        "contact": CONTACT,
        "location": LOCATION,
        "known_for": ListOf(Choice(ACTIVITIES)),
        "topics": MapOf(TOPICS, TOPIC),
    },
    checks=[not_its_own_relative],
)

PRICE = Record(
    {
        "amount": PositiveNumber(required=True),
        "currency": Choice(CURRENCIES, required=True),
    },
    required=True,
    example="{amount: 390, currency: EUR}",
)

OFFER = Record(
    {
        "id": Id(required=True),
        "sample": Flag(default=False),
        "place": Ref("place", required=True),
        "title": Texts(required=True),
        "description": Texts(required=True),
        "price": PRICE,
        "valid_from": Date(required=True),
        "valid_until": Date(required=True),
        "timezone": Choice(TIMEZONES, required=True),
        "seasons": ListOf(Choice(SEASONS)),  # shown only in these seasons (all year if absent)
        "includes": TextLists(),
        "booking": Texts(required=True),
        "url": Https(),
    },
    checks=[ends_on_or_after_start],
)

# A race, festival or fair. Its dates can change: where they were read
# (source) and when (checked) are shown with them. Shown from today until its
# last day, soonest first; when the organiser has not published the dates of
# the next edition yet, `when` says so in words ("late August, dates to be
# announced") and starts/ends hold the expected window.
EVENT = Record(
    {
        "id": Id(required=True),
        "place": Ref("place", required=True),
        "title": Texts(required=True),
        "description": Texts(required=True),
        "starts": Date(required=True),
        "ends": Date(required=True),
        "timezone": Choice(TIMEZONES, required=True),
        "when": Texts(),
        "url": Https(),
        "source": Https(required=True),  # the page where the dates are published
        "checked": Date(required=True, not_in_future=True),  # when an editor last read them
    },
    checks=[event_ends_on_or_after_start],
)

# The intent the FAQ's ways of asking are trained as (by
# rasa_extensions/faq_importer.py), so FAQ-like questions reach the FAQ.
FAQ_INTENT = "faq"

# A question and its answer, matched on the ways of asking it (actions/faq.py):
# no training, so adding an entry or editing its answer needs no `make train`.
FAQ = Record(
    {
        "id": Id(required=True),
        "place": Ref("place"),  # its sister destination is suggested after the answer
        "questions": TextLists(required=True, same_count=False),  # ways of asking, per language
        "answer": Texts(required=True),
        "facts": ListOf(FACT),
    }
)

# The sentences the assistant and the channels use, with the words they fill in.
# Every phrase the code asks for is declared here (tests/test_phrases.py checks
# it); a missing one is reported to the editor, and until it is fixed the
# assistant uses the shipped text (curated/fallback_phrases.yml).
PHRASES = {
    "date": Phrase(("day", "month", "year")),
    "fact": Phrase(("text", "source", "checked")),
    "suggestion": Phrase(("text",)),
    "sister_overview": Phrase(("name", "text")),
    "topic_missing": Phrase(("place", "contact")),
    # An activity asked about a place whose content never mentions it ("can
    # we take the cable car?" after Chambéry): named back, with whom to ask.
    "activity_missing": Phrase(("activity", "place", "contact")),
    # A detail asked (winter, renting, children...) that no text of the place
    # speaks of: said so before what the content holds (actions/ranking.py).
    "detail_missing": Phrase(("place", "contact")),
    # Two places set side by side ("Mutianyu or Badaling?"): each one's
    # answer headed by its name (actions/comparison.py).
    "side_by_side": Phrase(("place",)),
    "which_place": Phrase(),
    "not_covered": Phrase(("name", "contact")),
    "out_of_scope": Phrase(("contact",)),
    "contact_intro": Phrase(),
    "contact_line": Phrase(("name", "details")),
    "offers_intro": Phrase(),
    "offers_none": Phrase(("contact",)),
    "offer": Phrase(("title", "price", "until", "description", "includes", "booking")),
    "offer_sample": Phrase(),
    "price": Phrase(("amount", "currency")),
    "list_separator": Phrase(),
    "unavailable": Phrase(),
    "empty_message": Phrase(),
    # A message of more questions than the assistant answers at once
    # (bot/core/questions.py): the rest are to be sent separately.
    "questions_rest": Phrase(),
    "offers_button": Phrase(title=True),
    "events_button": Phrase(title=True),
    "contact_button": Phrase(title=True),
    "events_intro": Phrase(),
    "events_none": Phrase(("contact",)),
    "events_none_here": Phrase(("place",)),
    "event": Phrase(("title", "dates", "description", "source", "checked")),
    "date_range": Phrase(("start", "end")),
    "greeting": Phrase(),
    # The web chat window's own words (bot/channels/webchat.py): its button,
    # title, labels for screen readers, and what it says when a message is refused.
    "webchat_open": Phrase(),
    "webchat_title": Phrase(),
    "webchat_close": Phrase(),
    "webchat_messages": Phrase(),
    "webchat_input": Phrase(),
    "webchat_send": Phrase(),
    "webchat_you": Phrase(),
    "webchat_assistant": Phrase(),
    "webchat_new_tab": Phrase(),
    "webchat_waiting": Phrase(),
    "webchat_too_long": Phrase(),
    "webchat_too_many": Phrase(),
    "webchat_offline": Phrase(),
    # The channels' own sentences (bot/): /help, the language menu, a sticker or
    # voice note, an error on the channel's side.
    "help": Phrase(),
    # /help on channels without slash commands (WeChat, WhatsApp, web chat).
    "help_chat": Phrase(),
    # Under buttons shown as a numbered list (WeChat): how to choose one.
    "choose_by_number": Phrase(),
    # Telegram's command menu, one description per command.
    "command_language": Phrase(),
    "command_offers": Phrase(),
    "command_events": Phrase(),
    "command_help": Phrase(),
    # A person of the tourism office (actions/handoff.py, content/offices.yml).
    "handoff_offer": Phrase(("office", "hours")),
    "handoff_button": Phrase(title=True),
    "handoff_waiting": Phrase(("office",)),
    "handoff_later": Phrase(("office", "date", "time", "hours")),
    "handoff_returned": Phrase(),
    "choose_language": Phrase(),
    "not_text": Phrase(),
    "sorry": Phrase(),
    # Location: "where is it?", from the place's `location` (two map links), or
    # without one, whom to ask.
    "location": Phrase(("place", "lat", "lon", "osm", "amap", "source", "checked")),
    "location_unknown": Phrase(("place", "contact")),
    # WeChat menu (python -m bot wechat-menu): the account's menu, in Chinese.
    "wechat_menu_offers": Phrase(title=True),
    "wechat_menu_events": Phrase(title=True),
    "wechat_menu_more": Phrase(title=True),
    "wechat_menu_contact": Phrase(title=True),
    "wechat_menu_language": Phrase(title=True),
    # WhatsApp
    # The button that opens a list of more than three choices (at most 20 characters).
    "list_button": Phrase(title=True),
    # Above buttons when the reply that carries them has no text of its own.
    "choose_option": Phrase(),
}

# The offices' editorial choices (content/assistant.yml): which destinations
# are offered as buttons when a question names no place, and whose contact is
# given for questions about no place in particular, in this order.
ASSISTANT = Record(
    {
        "main_destinations": ListOf(Ref("place"), required=True),
        "main_offices": ListOf(Ref("place"), required=True),
    },
    example="{main_destinations: [mont_blanc, badaling], main_offices: [mont_blanc]}",
)

# When a person of a tourism office answers tourists in the chat (the hand-off:
# actions/handoff.py): the days and hours in the office's time zone, the same hours
# in words for tourists, and the office's name as they read it in a sentence.
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def closes_after_opening(chat: Entry, node: Any, where: Where) -> bool:
    """A chat closing before it opens (or when it opens) is left out."""
    opens, closes = chat["opens"], chat["closes"]
    if opens is not None and closes is not None and closes <= opens:
        where.at("closes", line_of(node, "closes", where.line)).problem(
            "closes_before_opens", opens=_hour(opens), closes=_hour(closes)
        )
        return False
    return True


def _hour(value: float) -> str:
    return f"{int(value)}:{round((value % 1) * 60):02d}"


CHAT = Record(
    {
        "name": Texts(required=True),
        "days": ListOf(Choice(DAYS), required=True),
        "opens": PositiveNumber(required=True),  # hour of the day, 9 or 9.5
        "closes": PositiveNumber(required=True),
        "hours": Texts(required=True),
    },
    checks=(closes_after_opening,),
    example="{name: {...}, days: [mon, tue], opens: 9, closes: 17.5, hours: {...}}",
)

# A tourism office (content/offices.yml, curated/offices.py): the files it edits,
# and the places whose entries in shared files (faq.yml, offers.yml, events.yml...)
# are its own, with every place within them (the review app lets its editors change
# those only); its time zone, and when it answers in the chat (no chat: it does not).
OFFICE = Record(
    {
        "id": Id(required=True),
        "name": Texts(required=True),
        "files": ListOf(Id()),  # file names without ".yml"
        "places": ListOf(Ref("place")),
        "time_zone": Choice(TIMEZONES, required=True),
        "chat": CHAT,
    }
)

# A content file: places, offers, events, FAQ entries, phrases, the editorial
# choices, the offices.
FILE = Record(
    {
        "assistant": ASSISTANT,
        "places": ListOf(PLACE, named_by="id"),
        "offers": ListOf(OFFER, named_by="id"),
        "events": ListOf(EVENT, named_by="id"),
        "faq": ListOf(FAQ, named_by="id"),
        "phrases": Phrases(PHRASES),
        "offices": ListOf(OFFICE, named_by="id"),
    }
)
