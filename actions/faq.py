"""Finds the FAQ entry (content/faq.yml) closest to what the tourist wrote.

Two steps. Whether a message is an FAQ question at all is mostly the intent
model's call: ``make train`` turns every way of asking into an example of
the intent ``faq`` (rasa_extensions/faq_importer.py). Which entry it is, is
found here, without training, so a new entry, way of asking or answer is
used as soon as the file is saved.

Matching: each way of asking an entry is folded (``language.names.fold``:
lower case, no accents, no hyphens or apostrophes) and cut into character
2- and 3-grams (Chinese works the same way, character by character); the
tourist's text is compared with each of them by cosine similarity, the
n-grams weighted by how rare they are among all the ways of asking (idf), so
"the", "est-ce que" or "吗" count little. An entry's score is its best way of
asking. Questions in the tourist's language are compared first; the other
languages only when none of those passes the threshold.

The thresholds were chosen by measurement (``python -m evaluation.faq_compare``,
figures in docs/faq.md). The index is rebuilt whenever the content object
changes, i.e. after every live reload: an added entry, way of asking or
answer is used at once.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy
import scipy.sparse

from actions import grounding
from actions.answers import TOPIC_OF_INTENT
from curated.content import Content
from curated.entries import FaqEntry
from curated.schema import FAQ_INTENT
from language.text import HAN_RANGES, fold, is_han

# A score at or above this answers an out-of-scope / not-understood message,
# per language: Chinese questions are short, so their scores are lower.
THRESHOLDS = {"fr": 0.45, "zh": 0.20, "en": 0.40}
# A question the model read as a place question (prices, best time...) is
# answered from the FAQ at or above this whatever the place: a near copy of a
# way of asking.
STRONG_THRESHOLD = 0.65
# ... or at or above this when the entry's place and the place asked about are
# of one family (the same place, or one contains the other: Content.lineage).
# Chosen like STRONG_THRESHOLD (faq_compare.choose_place_threshold): the lowest
# taking over at most 1 in 200 of the nlu/ place questions about such a place.
# Today that is 0.65, so the family rule adds nothing yet (docs/faq.md).
PLACE_THRESHOLD = 0.65

# The intents whose action tries the FAQ with the language's THRESHOLDS
# (FAQ_INTENT: the intent trained on the FAQ's ways of asking).
# When the model calls a message ``faq`` with at least this confidence, the
# best entry is taken down to this score (it has said it is an FAQ question;
# the matcher only picks which). Chosen by 4-fold cross-validation on the
# training data (faq_compare --cross-validate, docs/faq.md).
ROUTED_CONFIDENCE = 0.95
ROUTED_THRESHOLD = 0.10
FAQ_INTENTS = (FAQ_INTENT, "out_of_scope", "nlu_fallback")
# Intents of ActionAnswerPlace: STRONG / PLACE thresholds.
PLACE_INTENTS = tuple(TOPIC_OF_INTENT)

NGRAM_SIZES = (2, 3)
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)

Vector = dict[str, float]


@dataclass(frozen=True)
class Match:
    entry: FaqEntry
    score: float
    question: str  # the way of asking that matched best


def normalise(text: str) -> str:
    """Folded text, punctuation made spaces, spaces between Han characters removed."""
    folded = _NOT_WORD.sub(" ", fold(text)).strip()
    return re.sub(f"(?<=[{HAN_RANGES}]) (?=[{HAN_RANGES}])", "", folded)


def ngrams(text: str) -> Counter:
    """Character n-grams of each word padded with spaces (a run of Chinese
    characters is one word), and each Chinese character alone."""
    grams: Counter = Counter()
    for word in normalise(text).split():
        padded = f" {word} "
        for n in NGRAM_SIZES:
            grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
        # A Chinese character alone already means something (冷, 穿, 签).
        grams.update(char for char in word if is_han(char))
    return grams


class Index:
    """The vectors of every way of asking, for one version of the content."""

    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        self.rows: list[tuple[FaqEntry, str, str, Counter]] = [
            (entry, language, question, ngrams(question))
            for entry in entries
            for language, questions in entry.questions.items()
            for question in questions
        ]
        seen: Counter = Counter()
        for *_, grams in self.rows:
            seen.update(grams.keys())
        total = len(self.rows) or 1
        self.idf = {gram: math.log((1 + total) / (1 + count)) + 1 for gram, count in seen.items()}
        self.default_idf = math.log(1 + total) + 1  # an n-gram no question has
        self.vectors = [self._vector(grams) for *_, grams in self.rows]
        self.markers = grounding.entry_markers(entries)
        # The same vectors as one sparse matrix (a row per way of asking, a
        # column per n-gram): a message is scored against all of them at once.
        self.columns: dict[str, int] = {}
        data: list[float] = []
        indices: list[int] = []
        indptr = [0]
        for vector in self.vectors:
            for gram, value in vector.items():
                indices.append(self.columns.setdefault(gram, len(self.columns)))
                data.append(value)
            indptr.append(len(data))
        self.matrix = scipy.sparse.csr_matrix(
            (data, indices, indptr), shape=(len(self.rows), max(1, len(self.columns)))
        )

    def grounded(self, match: Match, text: str) -> bool:
        """The message shares a marker word of the entry ("chien", "签证", "wifi")."""
        return bool(grounding.words(text) & self.markers.get(match.entry.id, frozenset()))

    def _vector(self, grams: Counter) -> Vector:
        vector = {g: c * self.idf.get(g, self.default_idf) for g, c in grams.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {g: v / norm for g, v in vector.items()}

    def scores(self, text: str, languages: Sequence[str] | None = None) -> list[Match]:
        """The best match of each entry, best first (only questions in ``languages``)."""
        query = numpy.zeros(self.matrix.shape[1])
        for gram, value in self._vector(ngrams(text)).items():
            column = self.columns.get(gram)
            if column is not None:  # an n-gram no way of asking has adds nothing
                query[column] = value
        all_scores = self.matrix @ query  # cosine similarity with every way of asking
        best: dict[str, Match] = {}
        for (entry, language, question, _), score in zip(
            self.rows, all_scores.tolist(), strict=True
        ):
            if languages is not None and language not in languages:
                continue
            if entry.id not in best or score > best[entry.id].score:
                best[entry.id] = Match(entry, score, question)
        return sorted(best.values(), key=lambda m: -m.score)


_cache: tuple[Content | None, Index | None, int] = (None, None, 0)
_lock = threading.Lock()


def index_of(content: Content) -> Index:
    """The index of this content (rebuilt when the content or its FAQ list changes)."""
    global _cache
    with _lock:
        cached_content, cached_index, cached_id = _cache
        if cached_content is content and cached_id == id(content.faq) and cached_index:
            return cached_index
        index = Index(content.faq)
        _cache = (content, index, id(content.faq))
        return index


def best_match(content: Content, text: str, language: str) -> Match | None:
    """The closest entry: in the tourist's language first, then in any language."""
    if not content.faq or not normalise(text):
        return None
    index = index_of(content)
    own = index.scores(text, [language])
    if own and own[0].score >= THRESHOLDS.get(language, max(THRESHOLDS.values())):
        return own[0]
    anywhere = index.scores(text)
    candidates = [m for m in (own[:1] + anywhere[:1]) if m]
    return max(candidates, key=lambda m: m.score) if candidates else None


def answer_for(
    content: Content, text: str, language: str, threshold: float | None = None
) -> Match | None:
    """The match if it passes ``threshold`` (default: the language's), else None."""
    if threshold is None:
        threshold = THRESHOLDS.get(language, max(THRESHOLDS.values()))
    match = best_match(content, text, language)
    return match if match is not None and match.score >= threshold else None


def same_family(content: Content, place: str | None, other: str | None) -> bool:
    """The same place, or one is a parent (grandparent...) of the other."""
    if not place or not other:
        return False
    return any(p.id == other for p in content.lineage(place)) or any(
        p.id == place for p in content.lineage(other)
    )


def faq_threshold(
    language: str,
    intent: str | None,
    confidence: float | None,
    gate: float | None = None,
    routed: float | None = None,
) -> float:
    """The score an entry needs for a message of intent faq/out_of_scope/nlu_fallback."""
    threshold = THRESHOLDS.get(language, max(THRESHOLDS.values()))
    gate = ROUTED_CONFIDENCE if gate is None else gate
    routed = ROUTED_THRESHOLD if routed is None else routed
    if intent == FAQ_INTENT and confidence is not None and confidence >= gate:
        threshold = min(threshold, routed)
    return threshold


def decide(
    content: Content,
    text: str,
    language: str,
    intent: str | None,
    place_id: str | None = None,
    *,
    confidence: float | None = None,
    strong_threshold: float | None = None,
    place_threshold: float | None = None,
) -> Match | None:
    """Whether this message gets an FAQ answer, and which: the one rule used by
    the actions (actions/actions.py) and by the measurement (faq_compare).

    - a button's payload ("/ask_prices...") never does;
    - faq (the model's own FAQ intent), out_of_scope, nlu_fallback: the best
      entry at the language's THRESHOLDS, or at ROUTED_THRESHOLD when the
      model said faq with ``confidence`` >= ROUTED_CONFIDENCE;
    - a place question (PLACE_INTENTS) about ``place_id``: the best entry at
      STRONG_THRESHOLD, or at PLACE_THRESHOLD when the entry's place is of the
      family of ``place_id``;
    - any other intent: never.
    The keyword thresholds are for measuring other values (faq_compare).
    """
    if not text or text.startswith("/"):
        return None
    if intent in FAQ_INTENTS:
        found = answer_for(content, text, language, faq_threshold(language, intent, confidence))
        return found if found is not None and index_of(content).grounded(found, text) else None
    if intent not in PLACE_INTENTS:
        return None
    strong = STRONG_THRESHOLD if strong_threshold is None else strong_threshold
    near = PLACE_THRESHOLD if place_threshold is None else place_threshold
    match = best_match(content, text, language)
    if match is None or not index_of(content).grounded(match, text):
        return None
    if match.score >= strong:
        return match
    if match.score >= near and same_family(content, match.entry.place, place_id):
        return match
    return None
