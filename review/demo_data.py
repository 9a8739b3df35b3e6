"""Realistic fr/zh/en conversations, for tests, screenshots and the benchmark.

``write_sources`` writes them where the bot and Rasa would (conversations.db
with bot/conversation_log.py's schema, tracker.db with Rasa's ``events``
table), so the import is exercised as in production; ``bulk_load`` writes them
straight into the review database, fast enough for 100,000 conversations.
The messages contain e-mail addresses and phone numbers on purpose.
"""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from actions.answers import TOPIC_OF_INTENT
from actions.why import INTENT, Why, is_refusal
from review import ingest, schema, timeutil
from review.masking import mask

CHANNELS = ["telegram", "telegram", "telegram", "terminal", "cli"]

# One message of a demo chat: (text, intent, confidence, entities, action).
Spec = tuple[str, str, float, list[tuple[str, str]], str]

# The greeting and the thanks by language.
_GREETINGS: dict[str, Spec] = {
    "fr": ("bonjour", "greet", 0.99, [], "action_greet"),
    "zh": ("你好", "greet", 0.99, [], "action_greet"),
    "en": ("hello", "greet", 0.99, [], "action_greet"),
}
_THANKS: dict[str, Spec] = {
    "fr": ("merci beaucoup", "thanks", 0.97, [], "utter_thanks"),
    "zh": ("谢谢", "thanks", 0.98, [], "utter_thanks"),
    "en": ("thanks a lot", "thanks", 0.97, [], "utter_thanks"),
}
QUESTIONS: dict[str, list[Spec]] = {
    "fr": [
        (
            "comment monter à l'aiguille du midi",
            "ask_directions",
            0.93,
            [("place", "aiguille_du_midi")],
            "action_answer_place",
        ),
        (
            "c'est combien le billet pour la grande muraille ?",
            "ask_prices",
            0.88,
            [("place", "badaling")],
            "action_answer_place",
        ),
        (
            "quand partir à Chongli pour skier ?",
            "ask_best_time",
            0.81,
            [("place", "chongli"), ("activity", "skiing")],
            "action_answer_place",
        ),
        (
            "on peut faire du biathlon à la Féclaz ?",
            "ask_activities",
            0.9,
            [("place", "bauges"), ("activity", "biathlon")],
            "action_answer_place",
        ),
        (
            "présente moi Chambéry",
            "ask_overview",
            0.95,
            [("place", "chambery")],
            "action_answer_place",
        ),
        ("quelles sont vos offres de voyage", "ask_offers", 0.92, [], "action_list_offers"),
        ("et le prix ?", "ask_prices", 0.62, [], "action_answer_place"),
        (
            "est-ce qu'il y a un parking pour camping-car à Chamonix ?",
            "nlu_fallback",
            0.22,
            [("place", "mont_blanc")],
            "action_out_of_scope",
        ),
        (
            "il y a un parking camping car a chamonix",
            "nlu_fallback",
            0.24,
            [("place", "mont_blanc")],
            "action_out_of_scope",
        ),
        (
            "vous avez des chambres d'hôtes pas chères ?",
            "out_of_scope",
            0.41,
            [],
            "action_out_of_scope",
        ),
        ("je veux parler à quelqu'un", "contact_human", 0.96, [], "action_contact"),
        (
            "mon mail c'est marie.curie@example.fr, rappelez-moi au 06 12 34 56 78",
            "contact_human",
            0.71,
            [],
            "action_contact",
        ),
        (
            "les chiens sont acceptés dans le téléphérique ?",
            "ask_hours",
            0.38,
            [],
            "action_answer_place",
        ),
    ],
    "zh": [
        (
            "八达岭长城门票多少钱",
            "ask_prices",
            0.97,
            [("place", "badaling")],
            "action_answer_place",
        ),
        ("张家口怎么去", "ask_directions", 0.95, [("place", "zhangjiakou")], "action_answer_place"),
        (
            "崇礼什么时候滑雪最好",
            "ask_best_time",
            0.9,
            [("place", "chongli"), ("activity", "skiing")],
            "action_answer_place",
        ),
        (
            "勃朗峰可以玩什么",
            "ask_activities",
            0.93,
            [("place", "mont_blanc")],
            "action_answer_place",
        ),
        ("介绍一下延庆", "ask_overview", 0.94, [("place", "yanqing")], "action_answer_place"),
        ("有什么优惠套餐", "ask_offers", 0.91, [], "action_list_offers"),
        ("长城可以带狗吗", "nlu_fallback", 0.18, [("place", "badaling")], "action_out_of_scope"),
        ("长城可不可以带狗", "nlu_fallback", 0.21, [("place", "badaling")], "action_out_of_scope"),
        ("有没有中文导游", "out_of_scope", 0.35, [], "action_out_of_scope"),
        ("有中文导游吗", "out_of_scope", 0.33, [], "action_out_of_scope"),
        ("我想找人工客服，电话13812345678", "contact_human", 0.9, [], "action_contact"),
        ("霞慕尼的缆车几点开", "ask_hours", 0.47, [("place", "mont_blanc")], "action_answer_place"),
    ],
    "en": [
        (
            "how much is the tramway du mont blanc",
            "ask_prices",
            0.94,
            [("place", "tramway_mont_blanc")],
            "action_answer_place",
        ),
        (
            "how do i get to la feclaz from chambery",
            "ask_directions",
            0.92,
            [("place", "bauges")],
            "action_answer_place",
        ),
        (
            "what time does mutianyu open",
            "ask_hours",
            0.89,
            [("place", "mutianyu")],
            "action_answer_place",
        ),
        (
            "what can i do in chongli",
            "ask_activities",
            0.91,
            [("place", "chongli")],
            "action_answer_place",
        ),
        (
            "any deals on ski trips?",
            "ask_offers",
            0.86,
            [("activity", "skiing")],
            "action_list_offers",
        ),
        ("is there wifi on the cable car?", "nlu_fallback", 0.25, [], "action_out_of_scope"),
        ("is there wifi in the cable car", "nlu_fallback", 0.27, [], "action_out_of_scope"),
        (
            "can I bring my drone to the great wall",
            "out_of_scope",
            0.44,
            [("place", "badaling")],
            "action_out_of_scope",
        ),
        (
            "email me at john.smith@example.com or call +44 20 7946 0958",
            "contact_human",
            0.83,
            [],
            "action_contact",
        ),
        ("I need a human", "contact_human", 0.97, [], "action_contact"),
        (
            "is the great wall wheelchair accessible",
            "ask_overview",
            0.43,
            [("place", "badaling")],
            "action_answer_place",
        ),
    ],
}
REPLIES = {
    "fr": {
        "action_greet": "Bonjour ! Je suis l'assistant de tourisme croisé Mont-Blanc – Grande Muraille. Que voulez-vous savoir ?",
        "action_answer_place": "Voici ce que je sais sur ce lieu, avec la source et la date de vérification.\n➡️ Destination sœur : la Grande Muraille à Yanqing.",
        "action_list_offers": "Nos offres du moment : Ski olympique à Chongli, Deux sommets : mont Blanc et Grande Muraille.",
        "action_out_of_scope": "Je réponds sur le Mont-Blanc, la Grande Muraille, les Bauges, Zhangjiakou et Chongli. Pour le reste, l'office de tourisme pourra vous aider.",
        "action_contact": "Pour parler à une personne : Office de tourisme de Chamonix-Mont-Blanc, https://www.chamonix.com",
        "utter_thanks": "Avec plaisir !",
    },
    "zh": {
        "action_greet": "您好！我是勃朗峰—长城双向旅游助手。您想了解什么？",
        "action_answer_place": "这是该景点的信息（附来源和核实日期）。\n➡️ 姊妹目的地推荐：霞慕尼勃朗峰。",
        "action_list_offers": "当前优惠：崇礼奥运滑雪之旅；双峰之旅：勃朗峰与长城。",
        "action_out_of_scope": "我可以回答勃朗峰、长城、博日山脉、张家口和崇礼的问题。其他问题请联系旅游局。",
        "action_contact": "人工服务：北京旅游网 https://english.visitbeijing.com.cn",
        "utter_thanks": "不客气！",
    },
    "en": {
        "action_greet": "Hello! I'm the Mont Blanc – Great Wall cross-tourism assistant. What would you like to know?",
        "action_answer_place": "Here is what I know about this place, with its source and the date it was checked.\n➡️ Sister destination: Mont Blanc.",
        "action_list_offers": "Current offers: Olympic skiing in Chongli; Two summits: Mont Blanc and the Great Wall.",
        "action_out_of_scope": "I can help with Mont Blanc, the Great Wall, the Bauges, Zhangjiakou and Chongli. For anything else, the tourism office can help.",
        "action_contact": "To talk to a person: Visit Beijing, https://english.visitbeijing.com.cn",
        "utter_thanks": "You're welcome!",
    },
}
UNAVAILABLE = {
    "fr": "Je ne peux pas répondre pour l'instant, réessayez dans un moment.",
    "zh": "暂时无法回答，请稍后再试。",
    "en": "I can't answer right now, please try again in a moment.",
}
NOT_TEXT = {
    "fr": "Je ne lis que les messages texte.",
    "zh": "我只能阅读文字消息。",
    "en": "I can only read text messages.",
}


def conversations(count: int, start: float, end: float, seed: int = 7) -> Iterator[list[dict]]:
    """``count`` conversations between two timestamps; each a list of raw turns."""
    rng = random.Random(seed)
    for _ in range(count):
        language = rng.choices(["fr", "zh", "en"], weights=[4, 4, 2])[0]
        user = f"u{rng.getrandbits(96):024x}"
        channel = rng.choice(CHANNELS)
        time = rng.uniform(start, end)
        specs: list[Spec] = []
        if rng.random() < 0.6:
            specs.append(_GREETINGS[language])
        specs.extend(rng.sample(QUESTIONS[language], rng.randint(1, 3)))
        if rng.random() < 0.4:
            specs.append(_THANKS[language])
        turns = []
        for text, intent, confidence, entities, action in specs:
            turns.append(
                _turn(
                    rng, user, channel, language, time, text, intent, confidence, entities, action
                )
            )
            time += rng.uniform(8, 90)
        roll = rng.random()
        if roll < 0.03:
            turns.append(_special(rng, user, channel, language, time, "unavailable"))
        elif roll < 0.05:
            turns.append(_special(rng, user, channel, language, time, "not-text"))
        yield turns


def _turn(rng, user, channel, language, time, text, intent, confidence, entities, action) -> dict:
    confidence = max(0.05, min(1.0, confidence + rng.uniform(-0.04, 0.04)))
    return {
        "time": time,
        "user": user,
        "channel": channel,
        "language": language,
        "text_in": text,
        "replies": [REPLIES[language].get(action, "")],
        "latency_ms": rng.uniform(30, 400),
        "outcome": "answered",
        "intent": intent,
        "confidence": confidence,
        "entities": [{"entity": e, "value": v} for e, v in entities],
        "actions": [action],
        "why": _why(action, intent, entities),
    }


def _why(action: str, intent: str, entities: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Why the actions would have answered so (their bot messages' ``why``,
    actions/why.py); Rasa's own responses (the greeting) carry none."""
    places = [value for kind, value in entities if kind == "place"]
    place = places[0] if places else None
    if action == "action_answer_place":
        if place is None:
            return [Why("which_place", intent=intent).as_dict()]
        return [Why("place", place=place, topic=TOPIC_OF_INTENT.get(intent, "overview")).as_dict()]
    if action == "action_out_of_scope":
        return [Why("out_of_scope", reason=INTENT, intent=intent).as_dict()]
    if action == "action_contact":
        return [Why("contact", place=place).as_dict()]
    if action == "action_list_offers":
        return [Why("offers", place=place).as_dict()]
    return []


def _special(rng, user, channel, language, time, outcome) -> dict:
    text = "[sticker]" if outcome == "not-text" else rng.choice(QUESTIONS[language])[0]
    reply = NOT_TEXT[language] if outcome == "not-text" else UNAVAILABLE[language]
    return {
        "time": time,
        "user": user,
        "channel": channel,
        "language": language,
        "text_in": text,
        "replies": [reply],
        "latency_ms": 5000.0 if outcome == "unavailable" else 1.0,
        "outcome": outcome,
        "intent": None,
        "confidence": None,
        "entities": [],
        "actions": [],
    }


# Rasa 3.6's SQLTrackerStore table, as it creates it.
TRACKER_DDL = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER NOT NULL, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT,
    PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id);
"""


def write_sources(var_dir: Path, all_conversations: list[list[dict]]) -> None:
    """Writes turns as the bot (conversations.db) and Rasa (tracker.db) do."""
    from bot.core.conversation_log import SCHEMA

    var_dir.mkdir(parents=True, exist_ok=True)
    log = sqlite3.connect(str(var_dir / "conversations.db"))
    tracker = sqlite3.connect(str(var_dir / "tracker.db"))
    log.executescript(SCHEMA)
    tracker.executescript(TRACKER_DDL)
    turns = sorted((t for c in all_conversations for t in c), key=lambda t: t["time"])
    for turn in turns:
        if turn["outcome"] == "answered":
            _write_events(tracker, turn)
        log.execute(
            "INSERT INTO turns (time, user, channel, language, text_in, replies, latency_ms, outcome)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                turn["time"],
                turn["user"],
                turn["channel"],
                turn["language"],
                turn["text_in"],
                json.dumps(turn["replies"], ensure_ascii=False),
                turn["latency_ms"],
                turn["outcome"],
            ),
        )
    log.commit()
    tracker.commit()
    log.close()
    tracker.close()


def _write_events(tracker: sqlite3.Connection, turn: dict) -> None:
    stamp = turn["time"] - turn["latency_ms"] / 1000 + 0.01
    metadata = {"language": turn["language"], "channel": turn["channel"]}
    parse = {
        "intent": {"name": turn["intent"], "confidence": turn["confidence"]},
        "entities": [dict(e, extractor="GazetteerEntityExtractor") for e in turn["entities"]],
        "text": turn["text_in"],
        "message_id": uuid.uuid4().hex,
        "metadata": metadata,
    }
    rows = [
        (
            "user",
            turn["intent"],
            None,
            {
                "event": "user",
                "timestamp": stamp,
                "metadata": metadata,
                "text": turn["text_in"],
                "parse_data": parse,
                "input_channel": "rest",
            },
        ),
        (
            "slot",
            None,
            "language",
            {"event": "slot", "timestamp": stamp, "name": "language", "value": turn["language"]},
        ),
    ]
    for action in turn["actions"]:
        rows.append(
            (
                "action",
                None,
                action,
                {
                    "event": "action",
                    "timestamp": stamp,
                    "name": action,
                    "policy": "RulePolicy",
                    "confidence": 1.0,
                },
            )
        )
    reasons = turn.get("why") or []
    for number, reply in enumerate(turn["replies"]):
        bot = {"event": "bot", "timestamp": stamp, "text": reply}
        if number < len(reasons):
            bot["metadata"] = {"why": reasons[number]}
        rows.append(("bot", None, None, bot))
    rows.append(
        (
            "action",
            None,
            "action_listen",
            {"event": "action", "timestamp": stamp, "name": "action_listen"},
        )
    )
    for kind, intent, action, data in rows:
        tracker.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (turn["user"], kind, stamp, intent, action, json.dumps(data, ensure_ascii=False)),
        )


def bulk_load(
    engine: Engine, all_conversations: Iterator[list[dict]], zone_name: str, chunk: int = 5000
) -> int:
    """Writes conversations straight into the review database; returns how many."""
    with engine.connect() as connection:
        next_id = (
            connection.execute(sa.select(sa.func.max(schema.conversations.c.id))).scalar() or 0
        ) + 1
    count = 0
    batch: list[list[dict]] = []
    for conversation in all_conversations:
        batch.append(conversation)
        if len(batch) >= chunk:
            _bulk_write(engine, batch, next_id, zone_name)
            next_id += len(batch)
            count += len(batch)
            batch = []
    if batch:
        _bulk_write(engine, batch, next_id, zone_name)
        count += len(batch)
    if engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
        with engine.begin() as connection:
            for table in ("conversations", "turns"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
    return count


def _bulk_write(engine: Engine, batch: list[list[dict]], first_id: int, zone_name: str) -> None:
    conversation_rows, text_rows, turn_rows = [], [], []
    for offset, turns in enumerate(batch):
        conversation_id = first_id + offset
        rows = [_review_turn(t, conversation_id, zone_name) for t in turns]
        confidences = [r["confidence"] for r in rows if r["confidence"] is not None]
        conversation_rows.append(
            {
                "id": conversation_id,
                "user": rows[0]["user"],
                "channel": rows[0]["channel"],
                "started_at": rows[0]["time"],
                "ended_at": rows[-1]["time"],
                "day": rows[0]["day"],
                "turn_count": len(rows),
                "languages": ",".join(sorted({r["language"] for r in rows})),
                "min_confidence": min(confidences) if confidences else None,
                "fallback_count": sum(r["fallback"] for r in rows),
                "handoff_count": sum(r["handoff"] for r in rows),
                "flagged": False,
                "reviewed": False,
            }
        )
        text_rows.append(
            {
                "conversation_id": conversation_id,
                "text": "".join("\n" + r["text_in"].casefold() for r in rows),
            }
        )
        turn_rows.extend(rows)
    with engine.begin() as connection:
        connection.execute(schema.conversations.insert(), conversation_rows)
        connection.execute(schema.conversation_text.insert(), text_rows)
        connection.execute(schema.turns.insert(), turn_rows)


def _review_turn(turn: dict, conversation_id: int, zone_name: str) -> dict:
    fallback, handoff = ingest.classify(turn["intent"], turn["actions"])
    return {
        "conversation_id": conversation_id,
        "source_id": None,
        "rasa_event_id": None,
        "time": turn["time"],
        "day": timeutil.day_of(turn["time"], zone_name),
        "user": turn["user"],
        "channel": turn["channel"],
        "language": turn["language"],
        "text_in": mask(turn["text_in"]),
        "replies": json.dumps([mask(r) for r in turn["replies"]], ensure_ascii=False),
        "intent": turn["intent"],
        "confidence": turn["confidence"],
        "entities": json.dumps(turn["entities"], ensure_ascii=False),
        "actions": json.dumps(turn["actions"]),
        "latency_ms": turn["latency_ms"],
        "outcome": turn["outcome"],
        "fallback": fallback,
        "handoff": handoff,
        "why": json.dumps(turn.get("why") or [], ensure_ascii=False),
        "refused": any(is_refusal(w) for w in turn.get("why") or []),
    }


def seed(
    var_dir: Path, count: int, days: int = 30, now: float | None = None, seed_value: int = 7
) -> None:
    """Source databases with ``count`` conversations over the last ``days`` days."""
    import time as time_module

    end = now or time_module.time()
    write_sources(var_dir, list(conversations(count, end - days * 86400, end - 60, seed_value)))
