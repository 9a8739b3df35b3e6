"""Review app without the web: import and join, masking, grouping, privacy, accounts, CLI.

The review database is SQLite in a temporary folder; set REVIEW_TEST_DATABASE_URL
(an empty PostgreSQL database, emptied before each test) to run the same tests
on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from review import (
    auth,
    cli,
    db,
    demo_data,
    i18n,
    ingest,
    privacy,
    schema,
    store,
    timeutil,
    training_export,
    unanswered,
)
from review import config as config_module
from review import filters as filters_module
from review.filters import Filters, from_query, parse_cursor
from review.masking import mask

NOW = time.time()
SERVER_URL = os.environ.get("REVIEW_TEST_DATABASE_URL")


def _database_url(folder: Path) -> str:
    if SERVER_URL:
        engine = sa.create_engine(SERVER_URL)
        schema.metadata.drop_all(engine)
        engine.dispose()
        return SERVER_URL
    return f"sqlite:///{folder / 'review.db'}"


def _config(var_dir: Path):
    return replace(
        config_module.from_environment(),
        var_dir=var_dir,
        database_url=_database_url(var_dir),
        tracker_url=f"sqlite:///{var_dir / 'tracker.db'}",
        timezone="Europe/Paris",
    )


def _turn(
    user,
    time_,
    text,
    intent="ask_prices",
    confidence=0.9,
    actions=("action_answer_place",),
    language="fr",
    outcome="answered",
    channel="telegram",
):
    return {
        "time": time_,
        "user": user,
        "channel": channel,
        "language": language,
        "text_in": text,
        "replies": ["réponse"],
        "latency_ms": 120.0,
        "outcome": outcome,
        "intent": intent,
        "confidence": confidence,
        "entities": [{"entity": "place", "value": "badaling"}],
        "actions": list(actions),
    }


@pytest.fixture
def seeded(tmp_path):
    config = _config(tmp_path)
    conversations = [
        [
            _turn("ualice", NOW - 3000, "bonjour", "greet", 0.99, ["action_greet"]),
            _turn("ualice", NOW - 2990, "c'est combien la grande muraille ?"),
            _turn(
                "ualice",
                NOW - 2980,
                "écrivez à marie@example.fr ou au 06 12 34 56 78",
                "contact_human",
                0.8,
                ["action_contact"],
            ),
            _turn(
                "ualice",
                NOW - 2970,
                "长城可以带狗吗",
                "nlu_fallback",
                0.2,
                ["action_out_of_scope"],
                "zh",
            ),
        ],
        # Same user 13 hours earlier: another conversation (longer than the Rasa session).
        [_turn("ualice", NOW - 3000 - 13 * 3600, "re-bonjour", "greet", 0.99, ["action_greet"])],
        [
            _turn("ubob", NOW - 2000, "八达岭门票多少钱", language="zh"),
            _turn("ubob", NOW - 1990, "[sticker]", None, None, [], "zh", "not-text"),
            _turn("ubob", NOW - 1980, "还有吗", None, None, [], "zh", "unavailable"),
        ],
        [_turn("uold", NOW - 400 * 86400, "very old question", language="en")],
    ]
    demo_data.write_sources(tmp_path, conversations)
    engine = db.connect(config.database_url)
    assert ingest.run(engine, config) == 9
    yield config, engine
    engine.dispose()


def _turns(engine):
    with engine.connect() as connection:
        return [
            dict(r)
            for r in connection.execute(
                sa.select(schema.turns).order_by(schema.turns.c.time)
            ).mappings()
        ]


def test_each_logged_turn_is_joined_with_what_rasa_understood(seeded):
    _, engine = seeded
    turns = {t["text_in"]: t for t in _turns(engine)}
    price = turns["c'est combien la grande muraille ?"]
    assert price["intent"] == "ask_prices" and price["confidence"] == pytest.approx(0.9)
    assert json.loads(price["actions"]) == ["action_answer_place"]
    assert json.loads(price["entities"]) == [{"entity": "place", "value": "badaling"}]
    dog = turns["长城可以带狗吗"]
    assert (dog["language"], dog["intent"], dog["fallback"], dog["handoff"]) == (
        "zh",
        "nlu_fallback",
        True,
        False,
    )
    assert turns["écrivez à [e-mail] ou au [phone]"]["handoff"] is True
    # Turns Rasa never saw are kept, without understanding.
    assert turns["[sticker]"]["outcome"] == "not-text" and turns["[sticker]"]["intent"] is None
    assert turns["还有吗"]["outcome"] == "unavailable" and turns["还有吗"]["rasa_event_id"] is None


def test_import_is_incremental_and_groups_turns_into_conversations(seeded):
    config, engine = seeded
    assert ingest.run(engine, config) == 0
    with engine.connect() as connection:
        rows = (
            connection.execute(
                sa.select(schema.conversations).order_by(schema.conversations.c.started_at)
            )
            .mappings()
            .all()
        )
    by_user = {}
    for row in rows:
        by_user.setdefault(row["user"], []).append(row)
    assert [r["turn_count"] for r in by_user["ualice"]] == [1, 4]
    first = by_user["ualice"][1]
    assert (first["languages"], first["fallback_count"], first["handoff_count"]) == ("fr,zh", 1, 1)
    assert first["min_confidence"] == pytest.approx(0.2)
    # A new turn in the log is picked up by the next import, in the same conversation.
    log = sqlite3.connect(str(config.conversation_log_path))
    log.execute(
        "INSERT INTO turns (time, user, channel, language, text_in, replies, latency_ms, outcome)"
        " VALUES (?, 'ubob', 'telegram', 'zh', '谢谢', '[]', 5, 'answered')",
        (NOW - 1900,),
    )
    log.commit()
    log.close()
    assert ingest.run(engine, config) == 1
    assert store.conversation(engine, by_user["ubob"][0]["id"])["turn_count"] == 4


def test_no_email_or_phone_reaches_the_review_database(seeded):
    _, engine = seeded
    with engine.connect() as connection:
        dump = "\n".join(
            str(tuple(r))
            for table in (schema.turns, schema.conversation_text)
            for r in connection.execute(sa.select(table))
        )
    assert "marie@example.fr" not in dump and "06 12 34 56 78" not in dump
    assert "[e-mail]" in dump and "[phone]" in dump


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mail: jean.dupont@example.com", "mail: [e-mail]"),
        ("我的电话13812345678", "我的电话[phone]"),
        ("+33 6 12 34 56 78 ou 06.12.34.56.78", "[phone] ou [phone]"),
        ("call (020) 7946 0958", "call [phone]"),
        (
            "checked 2026-11-29, valid until 15/03/2027",
            "checked 2026-11-29, valid until 15/03/2027",
        ),
        (
            "2,680 CNY, train 12306, 3842 m, 100 000 000 visitors",
            "2,680 CNY, train 12306, 3842 m, 100 000 000 visitors",
        ),
    ],
)
def test_masking(text, expected):
    assert mask(text) == expected


def test_filters_search_and_keyset_pages(seeded):
    config, engine = seeded
    zone = config.timezone
    assert store.list_page(engine, from_query({"q": "长城"}), zone).total == 1
    assert store.list_page(engine, from_query({"q": "GRANDE MURAILLE"}), zone).total == 1
    assert (
        store.list_page(engine, from_query({"q": "%"}), zone).total == 0
    )  # LIKE wildcards are literal
    assert store.list_page(engine, from_query({"q": "_"}), zone).total == 0
    assert store.list_page(engine, from_query({"language": "zh"}), zone).total == 2
    assert store.list_page(engine, from_query({"fallback": "yes"}), zone).total == 1
    assert store.list_page(engine, from_query({"handoff": "yes", "below": "0.5"}), zone).total == 1
    assert store.list_page(engine, from_query({"intent": "greet"}), zone).total == 2
    pages, after = [], None
    while True:
        page = store.list_page(
            engine, Filters(), zone, after=parse_cursor(after) if after else None, size=2
        )
        pages.append([r["id"] for r in page.rows])
        if not page.next_cursor:
            break
        after = page.next_cursor
    ids = [i for p in pages for i in p]
    assert len(ids) == len(set(ids)) == 4
    back = store.list_page(
        engine, Filters(), zone, before=parse_cursor(page.previous_cursor), size=2
    )
    assert [r["id"] for r in back.rows] == pages[-2]


@pytest.mark.parametrize(
    "query, problems",
    [
        ({"date_to": "9999-12-31"}, ["date_to"]),  # its next day is no date
        ({"date_from": "0001-01-01", "date_to": "1999-12-31"}, ["date_from", "date_to"]),
        ({"date_from": "2000-01-01", "date_to": "2099-12-31"}, []),
        ({"date_from": "2024-02-30"}, ["date_from"]),
        ({"below": "nan"}, ["below"]),
        ({"below": "1e999"}, ["below"]),
        ({"below": "0"}, []),
        ({"q": "a\x00b"}, ["q"]),
        ({"q": "x" * 201}, ["q"]),
        ({"q": " 长城 "}, []),
        ({"tag": "<b>", "flagged": "maybe", "language": "de"}, ["language", "flagged", "tag"]),
    ],
)
def test_filters_out_of_range_or_malformed_are_problems(query, problems):
    assert from_query(query).problems == problems


def test_periods_of_the_dashboard_and_unanswered_questions():
    today = dt.date(2024, 5, 31)
    period = filters_module.period({}, today)
    assert (period.date_from, period.date_to, period.problems) == (dt.date(2024, 5, 2), today, [])
    period = filters_module.period({"date_to": "2000-01-01", "days": "3660"}, today)
    assert period.date_from == dt.date(2000, 1, 1) - dt.timedelta(days=3659) and not period.problems
    period = filters_module.period({"date_from": "2099-12-31", "date_to": "2000-01-01"}, today)
    assert (period.date_to - period.date_from).days == 3659  # swapped, then its last 3,660 days
    for query, problem in [
        ({"date_to": "0001-01-01"}, "date_to"),
        ({"date_from": "9999-12-31"}, "date_from"),
        ({"days": "²"}, "days"),  # "²".isdigit() is True; int("²") fails
        ({"days": "0"}, "days"),
        ({"days": "3661"}, "days"),
        ({"days": "-1"}, "days"),
    ]:
        assert filters_module.period(query, today).problems == [problem], query
    problems = []
    assert filters_module.threshold({"threshold": "inf"}, 0.5, problems) == 0.5
    assert filters_module.language({"language": "de"}, "fr", problems) == "fr"
    assert problems == ["threshold", "language"]
    problems = []
    assert filters_module.cursors({"after": "1_2", "before": "x"}, problems) == ((1.0, 2), None)
    assert problems == ["before"]


def test_every_filter_problem_is_explained_in_the_three_languages():
    fields = [
        "date_from",
        "date_to",
        "days",
        "language",
        "channel",
        "intent",
        "below",
        "threshold",
        "fallback",
        "handoff",
        "flagged",
        "reviewed",
        "tag",
        "q",
        "after",
        "before",
    ]
    for lang in i18n.UI_LANGUAGES:
        t = i18n.translator(lang)
        lines = filters_module.explain(fields, t)
        assert len(lines) == len(fields)
        for line in lines:
            assert "expect_" not in line and "{" not in line, (lang, line)
        assert timeutil.FIRST_DAY.isoformat() in lines[0] and "3660" in lines[2]
    for key in ("invalid_filters", "field_problem", "expect_date", "page_cursor", "days"):
        assert all(i18n.words()[key]), key


def test_flag_tag_note_review(seeded):
    config, engine = seeded
    conversation_id = store.list_page(engine, Filters(), config.timezone).rows[0]["id"]
    assert store.set_flag(engine, conversation_id, True)
    assert store.add_tag(engine, conversation_id, "à revoir") and store.add_tag(
        engine, conversation_id, "à revoir"
    )
    assert store.set_note(engine, conversation_id, "manque une réponse", "alice")
    assert store.set_reviewed(engine, conversation_id, True, "alice")
    found = store.conversation(engine, conversation_id)
    assert (
        found["flagged"],
        found["reviewed"],
        found["reviewed_by"],
        found["tags"],
        found["note"],
    ) == (True, True, "alice", ["à revoir"], "manque une réponse")
    assert (
        store.list_page(
            engine, from_query({"tag": "à revoir", "flagged": "yes"}), config.timezone
        ).total
        == 1
    )
    assert not store.set_flag(engine, 999999, True)


def test_unanswered_questions_are_grouped_by_similarity():
    turns = [
        {"text_in": t, "intent": "nlu_fallback", "conversation_id": i, "time": i}
        for i, t in enumerate(
            [
                "长城可以带狗吗",
                "长城可不可以带狗",
                "有没有中文导游",
                "有中文导游吗",
                "长城可以带狗吗？",
            ]
        )
    ]
    groups = unanswered.cluster(turns, "zh")
    assert [(g.count, len(g.variants)) for g in groups] == [(3, 3), (2, 2)]
    french = [
        {"text_in": t, "intent": None, "conversation_id": 1, "time": 1}
        for t in [
            "Est-ce qu'il y a un parking pour camping-car à Chamonix ?",
            "il y a un parking camping car a chamonix",
            "vous avez des chambres d'hôtes ?",
        ]
    ]
    assert [g.count for g in unanswered.cluster(french, "fr")] == [2, 1]


def test_selected_questions_become_rasa_training_examples_or_a_faq_draft():
    path, text = training_export.nlu_yaml(
        "zh", "ask_pets", ["长城可以带狗吗", "长城可以带狗吗", "/ask_offers"]
    )
    assert path == "nlu/zh/review_ask_pets.yml"
    document = yaml.safe_load(text)
    assert document["nlu"] == [{"intent": "ask_pets", "examples": "- 长城可以带狗吗\n"}]
    _, draft = training_export.faq_yaml("fr", "ask_parking", ["parking camping-car ?"])
    entry = yaml.safe_load(draft)["faq"][0]
    # The shape of content/faq.yml entries (curated/schema.py: FAQ).
    assert set(entry) == {"id", "questions", "answer"} and entry["id"] == "ask_parking"
    assert entry["questions"]["fr"] == ["parking camping-car ?"]
    assert set(entry["questions"]) == set(entry["answer"]) == {"fr", "zh", "en"}
    for bad in [("de", "x", ["a"]), ("fr", "Bad Intent", ["a"]), ("fr", "ok", [])]:
        with pytest.raises(ValueError):
            training_export.nlu_yaml(*bad)


def test_retention_deletes_old_conversations_everywhere_and_is_logged(seeded):
    config, engine = seeded
    counts = privacy.retention(engine, config, 365, actor="test")
    assert (
        counts["conversations"] == 1 and counts["log_turns"] == 1 and counts["tracker_events"] > 0
    )
    assert "very old question" not in str(_turns(engine))
    tracker = sqlite3.connect(str(config.var_dir / "tracker.db"))
    assert (
        tracker.execute("SELECT count(*) FROM events WHERE sender_id = 'uold'").fetchone()[0] == 0
    )
    with engine.connect() as connection:
        assert connection.execute(sa.select(schema.audit.c.action)).scalars().all() == ["retention"]
    assert "retention" in config.audit_log_path.read_text()


def test_erasure_deletes_everything_about_a_user_and_logs_no_pseudonym(seeded):
    config, engine = seeded
    memory = sqlite3.connect(str(config.var_dir / "bot.db"))
    memory.execute(
        "CREATE TABLE user_language (pseudonym TEXT PRIMARY KEY, language TEXT, updated REAL)"
    )
    memory.execute("INSERT INTO user_language VALUES ('ualice', 'fr', 0), ('ubob', 'zh', 0)")
    memory.commit()
    counts = privacy.erase(engine, config, "ualice", actor="test")
    assert counts == {
        "conversations": 2,
        "log_turns": 5,
        "tracker_events": counts["tracker_events"],
        "handoff_rows": 0,  # never handed to a person
        "language_memory": 1,
    }
    assert all(t["user"] != "ualice" for t in _turns(engine))
    assert (
        sqlite3.connect(str(config.conversation_log_path))
        .execute("SELECT count(*) FROM turns WHERE user = 'ualice'")
        .fetchone()[0]
        == 0
    )
    assert (
        sqlite3.connect(str(config.var_dir / "tracker.db"))
        .execute("SELECT count(*) FROM events WHERE sender_id = 'ualice'")
        .fetchone()[0]
        == 0
    )
    assert memory.execute("SELECT pseudonym FROM user_language").fetchall() == [("ubob",)]
    assert "ualice" not in config.audit_log_path.read_text()
    # Nothing comes back with the next import.
    assert ingest.run(engine, config) == 0


def test_passwords_are_salted_scrypt_hashes_and_sessions_expire(tmp_path):
    engine = db.connect(_database_url(tmp_path))
    account_id = auth.add_account(engine, "carol", "reviewer", "a-long-password")
    stored = engine.connect().execute(sa.select(schema.accounts.c.password_hash)).scalar()
    assert stored.startswith("scrypt$") and "a-long-password" not in stored
    assert auth.hash_password("a-long-password") != auth.hash_password("a-long-password")
    assert auth.authenticate(engine, "carol", "a-long-password")["role"] == "reviewer"
    assert auth.authenticate(engine, "carol", "wrong-password") is None
    assert auth.authenticate(engine, "nobody", "a-long-password") is None
    with pytest.raises(auth.AccountError):
        auth.add_account(engine, "dave", "reviewer", "short")
    with pytest.raises(auth.AccountError):
        auth.add_account(engine, "dave", "superuser", "a-long-password")
    token = auth.open_session(engine, account_id)
    assert auth.session(engine, token, 3600, 3600)["name"] == "carol"
    assert auth.session(engine, token + "x", 3600, 3600) is None
    assert auth.session(engine, token, -1, 3600) is None  # idle too long: gone for good
    assert auth.session(engine, token, 3600, 3600) is None
    token = auth.open_session(engine, account_id)
    auth.remove_account(engine, account_id)
    assert auth.session(engine, token, 3600, 3600) is None


def test_migrations_are_versioned_and_idempotent(tmp_path):
    engine = db.connect(_database_url(tmp_path))
    assert schema.version(engine) == schema.CURRENT_VERSION
    assert schema.migrate(engine) == schema.CURRENT_VERSION
    with engine.connect() as connection:
        assert (
            connection.execute(
                sa.select(sa.func.count()).select_from(schema.schema_version)
            ).scalar()
            == schema.CURRENT_VERSION  # each migration recorded once
        )


def test_command_line_accounts_retention_and_erasure(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    if SERVER_URL:
        monkeypatch.setenv("REVIEW_DATABASE_URL", _database_url(tmp_path))
    else:
        monkeypatch.delenv("REVIEW_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    monkeypatch.setenv("REVIEW_PASSWORD", "script-password-1")
    assert cli.main(["demo", "--conversations", "20"]) == 0
    assert cli.main(["users", "add", "erin", "--role", "admin"]) == 0
    assert cli.main(["users", "add", "erin", "--role", "admin"]) == 2  # exists
    with pytest.raises(SystemExit):
        cli.main(["users", "add", "frank", "--role", "boss"])
    assert cli.main(["users", "list"]) == 0
    assert "erin\tadmin" in capsys.readouterr().out
    user = (
        sqlite3.connect(str(tmp_path / "conversations.db"))
        .execute("SELECT user FROM turns LIMIT 1")
        .fetchone()[0]
    )
    assert cli.main(["erase", user]) == 0
    assert "erased: conversations=1" in capsys.readouterr().out
    assert cli.main(["retention", "--days", "0"]) == 0
    assert "deleted: days=0.0, conversations=19" in capsys.readouterr().out
    actions = [
        line.split()[2] for line in (tmp_path / "log" / "review-audit.log").read_text().splitlines()
    ]
    assert actions == ["add_account", "erase", "retention"]


def test_a_wrong_log_level_is_named_not_a_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    assert cli.main(["users", "list"]) == 2
    error = capsys.readouterr().err
    assert "LOG_LEVEL" in error and "Traceback" not in error


def test_a_conversation_log_deleted_and_created_again_is_imported_too(tmp_path):
    from bot.core.conversation_log import ConversationLog

    config = _config(tmp_path)
    engine = db.connect(config.database_url)

    def chat(texts):
        log = ConversationLog(config.conversation_log_path)
        for text in texts:
            log.record("ualice", "telegram", "fr", text, ["réponse"], 100.0, "answered")
        log.close()

    chat(["bonjour", "le prix du téléphérique ?"])
    assert ingest.run(engine, config) == 2
    for leftover in tmp_path.glob("conversations.db*"):
        leftover.unlink()  # an operator's cleanup, a lost disk...
    chat(["et les horaires ?"])  # a new file: its row ids start at 1 again
    assert ingest.run(engine, config) == 1
    assert [t["text_in"] for t in _turns(engine)] == [
        "bonjour",
        "le prix du téléphérique ?",
        "et les horaires ?",
    ]
    assert ingest.run(engine, config) == 0
    engine.dispose()
