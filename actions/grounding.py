"""Is an answer grounded in what the tourist wrote? Evidence words, learnt from nlu/.

The intent model picks the most likely intent even for "cancel all my
reminders" (offers?) or "how many sides are in a hexagon" (events?): its
confidence alone does not tell such messages from real questions. An answer
from the content is given only when the message itself carries evidence for
it: a place or activity it names, or one of the words that mark the question
kind in the training examples ("offres", "festival", "门票", "电话"...).

The marker words are learnt from nlu/ when the action server starts: a word
(folded Latin word of three letters or more, or a Chinese word as jieba cuts it)
marks an intent when at least ``MIN_EXAMPLES`` of its training examples hold
it and at least ``PURITY`` of all the examples holding it are of that intent.
Place names are set aside first, so "Chamonix" marks nothing. The two numbers
were chosen on the training data alone, by leave-one-out: with them, 95% of
events examples, 81% of offers and contact examples and 90% of the place
questions keep evidence without their own words counted (docs/evaluation.md,
``python -m evaluation.outside``); the others get the out-of-scope answer with
a button for what they looked like, one tap away.

A second rule uses meaning rather than words: Rasa adds to each message's
intent the training example nearest to it by the sentence encoder
(rasa_extensions/nearest_example.py). A message answered from the content
without a place named must be nearest to an example that is not out of scope,
and at least NEAREST_FLOOR close (``python -m evaluation.grounding --nearest``).
A follow-up about the conversation's place without a marker word ("那怎么去？")
is grounded when its nearest example is of the very intent asked and at least
SAME_KIND_FLOOR close.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from curated import nlu_examples
from curated.entries import FaqEntry
from language.names import Gazetteer, synonyms
from language.text import HAN_RUN, fold

MIN_EXAMPLES = 1
PURITY = 0.6
# An FAQ entry has a few ways of asking per language: one of them is enough
# to make a word its marker (still only when it is rare in nlu/).
ENTRY_MIN_EXAMPLES = 1

# The nearest training example (by meaning) of a message answered from the
# content without a place named must be at least this close (cosine): the
# similarity 97% of the training examples of content intents reach with their
# own vector left out (``python -m evaluation.grounding --nearest``).
NEAREST_FLOOR = 0.53
# A follow-up ("那怎么去？", "comment on y va ?" after a place) that names no
# place and holds no marker word is grounded when its nearest training example
# is of the intent asked and at least this close: the lowest cosine at which
# at most 1 in 200 of nlu/'s out-of-scope examples are that close to a
# content intent's example, each example's own vector left out (``python -m
# evaluation.grounding --nearest``: 1 of 377).
SAME_KIND_FLOOR = 0.84

_WORD = re.compile(r"[a-z]{3,}")


@functools.lru_cache(maxsize=1)
def _gazetteer() -> Gazetteer:
    return Gazetteer.from_pairs((form, "name", value) for form, value in synonyms().items())


def names_in(text: str) -> list[dict]:
    """The names of places and activities in ``text`` (as Rasa's entities), typed with a slip too."""
    return _gazetteer().find(text)


def singular(word: str) -> str:
    """A folded French or English word without its plural "s" ("prices" is
    "price", "horaires" "horaire"; "access", "bus" stay)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: str) -> set[str]:
    """The evidence units of a text: folded words, Chinese words as jieba cuts
    them ("狗", "电话", "门票"), place names set aside."""
    for found in sorted(_gazetteer().find(text), key=lambda f: -f["start"]):
        text = text[: found["start"]] + " " + text[found["end"] :]
    folded = fold(text)
    units = set(_WORD.findall(HAN_RUN.sub(" ", folded)))
    for run in HAN_RUN.findall(folded):
        units.update(_jieba().lcut(run))
    return units


@functools.lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def learn(
    labelled: Iterable[tuple[str, frozenset[str]]], min_examples: int = MIN_EXAMPLES
) -> dict[str, frozenset[str]]:
    """label -> its marker words, from (label, words of one example) pairs (see above)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    total: Counter = Counter()
    for label, units in labelled:
        for unit in units:
            counts[unit][label] += 1
            total[unit] += 1
    markers: dict[str, set[str]] = defaultdict(set)
    for unit, by_intent in counts.items():
        for intent, count in by_intent.items():
            if count >= min_examples and count / total[unit] >= PURITY:
                markers[intent].add(unit)
    return {intent: frozenset(units) for intent, units in markers.items()}


@functools.lru_cache(maxsize=4)
def training_words(nlu_dir: Path = nlu_examples.NLU_DIR) -> tuple[tuple[str, frozenset[str]], ...]:
    """(intent, words) of every training example of nlu/."""
    return tuple((e.intent, frozenset(words(e.text))) for e in nlu_examples.examples(nlu_dir))


def kind_words(text: str) -> set[str]:
    """The units that mark a question kind: ``words`` in the singular, so "and
    the prices?" holds the marker "price" its training examples taught. (An
    FAQ entry's markers keep the words as written: its own ways of asking.)"""
    return {singular(unit) for unit in words(text)}


@functools.lru_cache(maxsize=4)
def markers(nlu_dir: Path = nlu_examples.NLU_DIR) -> dict[str, frozenset[str]]:
    """intent -> its marker words (in the singular), learnt from nlu/."""
    return learn(
        (intent, frozenset(singular(unit) for unit in units))
        for intent, units in training_words(nlu_dir)
    )


def has_evidence(intent: str, text: str) -> bool:
    """True when ``text`` holds a marker word of ``intent``."""
    return bool(kind_words(text) & markers().get(intent, frozenset()))


def far_from_the_content(nearest: Mapping[str, Any] | None) -> bool:
    """The training example nearest in meaning to the message is out of scope,
    or none is close (cosine under NEAREST_FLOOR): the ``nearest_example`` Rasa
    adds to the intent (rasa_extensions/nearest_example.py). "what year was
    Star Trek released" is nearest to an out-of-scope example; "这家酒店的电话是
    多少？" (this hotel's phone number) is near no question of ours. A message
    without that information (a button's payload) is not."""
    if nearest is None:
        return False
    return nearest.get("intent") == "out_of_scope" or (
        float(nearest.get("similarity", 1.0)) < NEAREST_FLOOR
    )


def near_in_kind(intent: str, nearest: Mapping[str, Any] | None) -> bool:
    """The training example nearest in meaning to the message is of ``intent``
    and at least SAME_KIND_FLOOR close: evidence of the question kind for a
    follow-up about the conversation's place (actions/decision.py)."""
    if nearest is None or nearest.get("intent") != intent:
        return False
    return float(nearest.get("similarity", 0.0)) >= SAME_KIND_FLOOR


def entry_markers(entries: Sequence[FaqEntry]) -> dict[str, frozenset[str]]:
    """FAQ entry id -> its marker words: words of its ways of asking that are
    rare in the nlu/ examples (at least PURITY of their uses are the entry's).
    Other entries do not count against it (the matcher chooses among entries):
    "chiens" marks every entry about dogs; "how", "怎么" mark none."""
    return {entry.id: _entry_markers(_asked(entry)) for entry in entries}


def _asked(entry: FaqEntry) -> tuple[str, ...]:
    return tuple(q for language in sorted(entry.questions) for q in entry.questions[language])


@functools.lru_cache(maxsize=4096)
def _entry_markers(questions: tuple[str, ...]) -> frozenset[str]:
    """Cached by ways of asking: an edited entry is learnt again, the others are not."""
    elsewhere = _training_counts()
    own: Counter = Counter()
    for question in questions:
        own.update(words(question))
    return frozenset(
        unit
        for unit, count in own.items()
        if count >= ENTRY_MIN_EXAMPLES and count / (count + elsewhere[unit]) >= PURITY
    )


@functools.lru_cache(maxsize=1)
def _training_counts() -> Counter:
    """In how many nlu/ examples each word is."""
    counts: Counter = Counter()
    for _, units in training_words():
        counts.update(units)
    return counts


# Where one question ends and the next begins in "opening hours and ticket
# price?", "八达岭几点开门，门票多少钱？", "horaires et tarifs".
_CLAUSES = re.compile(r"[，,;；?？!！。]|\s(?:and|et|puis|also|aussi|plus)\s|和|还有|以及|另外")


def kinds_asked(text: str, kinds: Sequence[str]) -> list[str]:
    """The kinds of question (of ``kinds``) a message of several questions asks,
    in their order: each clause's kind is the one most of its words mark. A
    message of one clause asks one question, whatever words it holds."""
    clauses = [c for c in _CLAUSES.split(text) if c.strip()]
    if len(clauses) < 2:
        return []
    found: list[str] = []
    for clause in clauses:
        units = words(clause)
        hits = {kind: len(units & markers().get(kind, frozenset())) for kind in kinds}
        best = max(kinds, key=lambda kind: hits[kind])
        if hits[best] and best not in found:
            found.append(best)
    return found
