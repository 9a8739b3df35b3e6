"""Staff see why the assistant answered as it did: each reply's reason (the
``why`` the actions put in the bot message's metadata, kept in Rasa's tracker
store) beside the turn, in the staff member's language, and can list the
conversations where the assistant refused."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
import sqlalchemy as sa

from actions.why import INTENT, NO_FAQ_ENTRY, NO_WORDS, SISTER, Scored, Why
from review import config as config_module
from review import db, demo_data, i18n, ingest, schema, unanswered, why
from testkit.review_app import ACCOUNTS, ServedApp

NOW = time.time()
BADALING_HOURS = Why("place", place="badaling", topic="hours").as_dict()
BADALING_PRICES = Why("place", place="badaling", topic="prices").as_dict()
NO_OFFER_WORDS = Why("out_of_scope", reason=NO_WORDS, words="offer").as_dict()


def _turn(user, at, text, intent, actions, reasons, language="en"):
    return {
        "time": at,
        "user": user,
        "channel": "telegram",
        "language": language,
        "text_in": text,
        "replies": [f"reply {n}" for n in range(max(1, len(reasons)))],
        "latency_ms": 120.0,
        "outcome": "answered",
        "intent": intent,
        "confidence": 0.9,
        "entities": [],
        "actions": actions,
        "why": reasons,
    }


CHATS = [
    [
        _turn("uann", NOW - 900, "hello", "greet", ["utter_greet"], []),
        _turn(
            "uann",
            NOW - 890,
            "opening hours and ticket price at Badaling?",
            "ask_hours",
            ["action_answer_place"],
            [BADALING_HOURS, BADALING_PRICES],
        ),
    ],
    [
        _turn(
            "ubo",
            NOW - 500,
            "cancel all my reminders",
            "ask_offers",
            ["action_list_offers"],
            [NO_OFFER_WORDS],
        )
    ],
]


@contextlib.contextmanager
def _imported(folder, chats) -> Iterator[sa.engine.Engine]:
    """The review database after importing ``chats`` written as the channels
    and Rasa's tracker store would have."""
    config = replace(
        config_module.from_environment(),
        var_dir=folder,
        database_url=f"sqlite:///{folder / 'review.db'}",
        tracker_url=f"sqlite:///{folder / 'tracker.db'}",
        timezone="Europe/Paris",
    )
    demo_data.write_sources(folder, chats)
    engine = db.connect(config.database_url)
    try:
        ingest.run(engine, config)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def imported(tmp_path):
    with _imported(tmp_path, CHATS) as engine:
        yield engine


def _turns(engine):
    with engine.connect() as connection:
        rows = connection.execute(sa.select(schema.turns).order_by(schema.turns.c.time))
        return {r["text_in"]: r for r in rows.mappings()}


def test_each_turn_keeps_why_each_reply_was_given(imported):
    turns = _turns(imported)
    two = turns["opening hours and ticket price at Badaling?"]
    assert json.loads(two["why"]) == [BADALING_HOURS, BADALING_PRICES]
    assert two["refused"] is False
    refused = turns["cancel all my reminders"]
    assert json.loads(refused["why"]) == [NO_OFFER_WORDS]
    assert refused["refused"] is True
    # Rasa's own responses (the greeting) carry no reason.
    assert json.loads(turns["hello"]["why"]) == []


RANKED = (
    Scored("faq bauges_rental", 2.104, 1.2, 0.804),
    Scored("topic bauges activities", 2.07, 1.1, 0.9),
)


@pytest.mark.parametrize(
    "record, language, expected",
    [
        (Why("place", place="chamonix", topic="prices"), "en", "Grounded on: place chamonix, topic prices"),
        (Why("place", place="chamonix", topic="prices"), "fr", "Répondu d'après : lieu chamonix, sujet prices"),
        (Why("place", place="chamonix", topic="prices"), "zh", "回答依据：地点 chamonix，话题 prices"),
        (Why("faq", entry="great_wall_dogs", similarity=0.714), "en", "Grounded on: FAQ entry great_wall_dogs, similarity 0.71"),
        (Why("place", place="badaling", topic="hours", missing=True), "en", "Grounded on: place badaling, topic hours (not in the content)"),
        (Why("contact"), "fr", "Répondu d'après : contacts : offices de tourisme principaux"),
        (Why("offers", missing=True), "en", "Grounded on: no current offer"),
        (Why("events", place="chongli"), "en", "Grounded on: events: chongli"),
        (Why("thanks", reason=SISTER), "en", "Grounded on: thanks (sister destination suggested)"),
        (Why("which_place", intent="ask_prices"), "en", "Asked back: which place? (intent ask_prices)"),
        (Why("out_of_scope", reason=NO_WORDS, words="offer"), "en", "Refused: no place named and no offer words"),
        (Why("out_of_scope", reason=NO_WORDS, words="offer"), "zh", "拒绝回答：没有提到地点，也没有“offer”相关的词"),
        (Why("out_of_scope", reason=NO_FAQ_ENTRY), "en", "Refused: no FAQ entry close enough"),
        (Why("out_of_scope"), "fr", "Refusé : hors du contenu"),
        (Why("not_covered", name="Jinshanling", reason=INTENT, intent="ask_directions"), "en", "Refused: place not covered “Jinshanling”; intent ask_directions"),
        (
            Why("faq", entry="bauges_rental", ranked=RANKED, over=None),
            "en",
            "Grounded on: FAQ entry bauges_rental; passage ranked first: faq bauges_rental, score 2.10 "
            "(words 1.20, meaning 0.80), over a refusal; close behind: topic bauges activities, score 2.07",
        ),
        (
            Why("place", place="badaling", topic="prices", ranked=RANKED[:1], over="topic mutianyu prices"),
            "fr",
            "Répondu d'après : lieu badaling, sujet prices; passage classé premier : faq bauges_rental, "
            "score 2.10 (mots 1.20, sens 0.80), devant topic mutianyu prices",
        ),
        (
            Why("place", place="mutianyu", topic="prices", compared=("mutianyu", "badaling")),
            "zh",
            "回答依据：地点 mutianyu，话题 prices；并列比较：mutianyu / badaling",
        ),
        (Why("handoff_offered"), "en", "Reason: a person offered"),
    ],
)  # fmt: skip
def test_a_reason_reads_in_the_staff_language(record, language, expected):
    # As the review app reads it back from the tracker store: JSON.
    stored = json.loads(json.dumps(record.as_dict()))
    assert why.explain(stored, i18n.translator(language)).text == expected


def test_a_reason_logged_before_the_record_was_typed_is_shown_as_written():
    explained = why.explain("encoder 0.42 nearest ask_prices", i18n.translator("en"))
    assert (explained.kind, explained.text) == ("other", "Reason: encoder 0.42 nearest ask_prices")


def test_a_record_of_another_version_is_shown_as_written_not_as_an_error():
    explained = why.explain({"rule": "a_rule_added_later", "place": "x"}, i18n.translator("en"))
    assert explained.kind == "other"
    assert "a_rule_added_later" in explained.text


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review-why")
    demo_data.write_sources(folder, CHATS)
    with ServedApp(folder, conversations=0) as served:
        yield served


@contextlib.contextmanager
def _logged_in(app, language: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=app.url, timeout=30, cookies={"review_lang": language}) as client:
        token = client.get("/login").cookies["review_login_csrf"]
        client.post(
            "/login", data={"name": "bob", "password": ACCOUNTS["bob"][1], "csrf_token": token}
        )
        yield client


def _conversation_of(client: httpx.Client, text: str) -> int:
    listed = client.get("/api/conversations", params={"q": text}).json()["conversations"]
    assert len(listed) == 1, listed
    return listed[0]["id"]


def test_the_transcript_shows_why_each_reply_was_given(app):
    with _logged_in(app, "en") as client:
        page = client.get(f"/conversations/{_conversation_of(client, 'ticket price')}").text
    assert "Grounded on: place badaling, topic hours" in page
    assert "Grounded on: place badaling, topic prices" in page


def test_the_api_gives_each_turns_reasons_as_the_actions_wrote_them(app):
    with _logged_in(app, "en") as client:
        found = client.get(f"/api/conversations/{_conversation_of(client, 'reminders')}").json()
    assert found["turns"][0]["why"] == [NO_OFFER_WORDS]
    assert found["turns"][0]["refused"] is True


def test_a_refusal_is_shown_in_french_and_chinese(app):
    for language, expected in [
        ("fr", "Refusé : aucun lieu nommé ni mot de « offer »"),
        ("zh", "拒绝回答：没有提到地点，也没有“offer”相关的词"),
    ]:
        with _logged_in(app, language) as client:
            page = client.get(f"/conversations/{_conversation_of(client, 'reminders')}").text
        assert expected in page, language


def test_the_list_filters_conversations_with_a_refusal(app):
    with _logged_in(app, "en") as client:
        refused = client.get("/api/conversations", params={"refused": "yes"}).json()
        answered = client.get("/api/conversations", params={"refused": "no"}).json()
        malformed = client.get("/conversations", params={"refused": "maybe"})
    assert [c["first_message"] for c in refused["conversations"]] == ["cancel all my reminders"]
    assert [c["first_message"] for c in answered["conversations"]] == ["hello"]
    assert malformed.status_code == 400


def test_a_refused_question_is_among_the_unanswered_ones(imported):
    # Understood with confidence 0.9, yet refused: the content does not answer it.
    texts = [t["text_in"] for t in unanswered.unanswered_turns(imported, "en", threshold=0.5)]
    assert texts == ["cancel all my reminders"]


def test_what_the_tourist_typed_in_a_reason_is_masked_on_import(tmp_path):
    # "how do I get to jean.dupont@example.com's flat": the place not covered,
    # as typed, is kept in the reason; the import masks it as it masks messages.
    typed = "jean.dupont@example.com"
    chats = [
        [
            _turn(
                "ucy",
                NOW - 100,
                f"how do I get to {typed}",
                "ask_directions",
                ["action_answer_place"],
                [Why("not_covered", name=typed).as_dict()],
            )
        ]
    ]
    with _imported(tmp_path, chats) as engine:
        (stored,) = _turns(engine).values()
    (reason,) = json.loads(stored["why"])
    assert reason["rule"] == "not_covered"
    assert typed not in json.dumps(reason)
    assert stored["refused"] is True
