"""Questions the assistant did not answer, grouped by similarity per language.

A turn is unanswered when it was a fallback (nlu_fallback, out_of_scope), a
refusal (a reply whose ``why`` says the content does not answer it, however
sure the intent) or its intent confidence is below the threshold; button
payloads are left out.
Texts are normalised (case, accents, punctuation, digits), identical ones
merged, then grouped greedily, most frequent first: a text joins the first
group whose leading text shares enough character n-grams (Jaccard index):
trigrams for French and English, characters and character pairs for Chinese,
where two characters already make a word. An inverted index of n-grams keeps
this fast: only groups sharing an n-gram are compared.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from review import schema

MAX_TURNS = 5000  # most recent unanswered turns considered per language
THRESHOLD = {"zh": 0.4, "fr": 0.5, "en": 0.5}
T = schema.turns.c


@dataclass
class Group:
    text: str  # the most frequent wording
    count: int = 0
    variants: Counter = field(default_factory=Counter)
    intents: Counter = field(default_factory=Counter)
    conversations: list[int] = field(default_factory=list)
    last_seen: float = 0.0
    grams: set[str] = field(default_factory=set)


def normalise(text: str, language: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    if language != "zh":
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    text = re.sub(r"\d+", "0", text)
    text = re.sub(r"[^\w]+", " ", text, flags=re.UNICODE).replace("_", " ")
    if language == "zh":
        text = text.replace(" ", "")
    return " ".join(text.split())


def grams(normalised: str, language: str) -> set[str]:
    if language == "zh":
        chars = normalised.replace(" ", "")
        return set(chars) | {chars[i : i + 2] for i in range(len(chars) - 1)}
    padded = f" {normalised} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)} or {padded}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def cluster(turns: list[dict], language: str, threshold: float | None = None) -> list[Group]:
    """Groups turns (``text_in``, ``intent``, ``conversation_id``, ``time``)."""
    threshold = THRESHOLD.get(language, 0.5) if threshold is None else threshold
    same: dict[str, list[dict]] = defaultdict(list)
    for turn in turns:
        key = normalise(turn["text_in"], language)
        if key:
            same[key].append(turn)
    groups: list[Group] = []
    index: dict[str, list[int]] = defaultdict(list)
    for key, members in sorted(same.items(), key=lambda item: (-len(item[1]), item[0])):
        key_grams = grams(key, language)
        candidates = {g for gram in key_grams for g in index.get(gram, ())}
        best, best_score = None, 0.0
        for number in sorted(candidates):
            score = jaccard(key_grams, groups[number].grams)
            if score >= threshold and score > best_score:
                best, best_score = number, score
        if best is None:
            best = len(groups)
            groups.append(Group(text=members[0]["text_in"], grams=key_grams))
            for gram in key_grams:
                index[gram].append(best)
        group = groups[best]
        for turn in members:
            group.count += 1
            group.variants[turn["text_in"]] += 1
            if turn.get("intent"):
                group.intents[turn["intent"]] += 1
            if turn["conversation_id"] not in group.conversations:
                group.conversations.append(turn["conversation_id"])
            group.last_seen = max(group.last_seen, turn["time"])
    return sorted(groups, key=lambda g: (-g.count, -g.last_seen))


def unanswered_turns(
    engine: Engine,
    language: str,
    threshold: float,
    date_from=None,
    date_to=None,
    zone_name: str = "UTC",
    limit: int = MAX_TURNS,
) -> list[dict]:
    query = (
        sa.select(T.text_in, T.intent, T.confidence, T.conversation_id, T.time)
        .where(
            T.language == language,
            T.outcome == "answered",
            sa.or_(T.fallback == sa.true(), T.refused == sa.true(), T.confidence < threshold),
            sa.not_(T.text_in.startswith("/")),
        )
        .order_by(T.time.desc())
        .limit(limit)
    )
    if date_from is not None:
        query = query.where(T.day >= date_from.isoformat())
    if date_to is not None:
        query = query.where(T.day <= date_to.isoformat())
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(query).mappings()]


def groups_for(
    engine: Engine,
    language: str,
    threshold: float,
    date_from=None,
    date_to=None,
    zone_name: str = "UTC",
) -> list[Group]:
    return cluster(
        unanswered_turns(engine, language, threshold, date_from, date_to, zone_name), language
    )
