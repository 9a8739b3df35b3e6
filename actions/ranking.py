"""One ranking of the content's passages with the pipeline's signals.

The understanding pipeline proposes an answer (an intent -> a place's topic,
or one FAQ entry); the search (actions/retrieval.py) scores every passage of
the content by its words and by its meaning. Neither alone is enough: the
pipeline has no cell for "can we rent gear?" or "is it open in winter?", and
the search alone ranks a right passage first less often than the pipeline
answers right. Here both meet: every passage allowed by the question's place
and country gets one score,

    W_LEXICAL * words + W_MEANING * meaning
    + W_TOPIC * (its topic is the one the intent asks) * the intent's confidence
    + W_PROPOSED * (it is the pipeline's proposal)
    + W_NGRAM * (for an FAQ entry: the FAQ matcher's similarity to its ways of asking)
    + W_QUALIFIER * (it speaks of a qualifier the question asks: winter, rental...)
    + W_PLACE * (it is about the very place asked, half as much for a place it is within),

and the best wins. Place and country are constraints, not hints: a passage
about another place or country never answers a question that names one.

``Question`` is the turn parsed once; ``rank`` is a pure function of the
question, the content and the time.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy

from actions import faq
from actions.passages import Passage
from actions.retrieval import index_of
from curated.content import Content
from language.qualifiers import countries_of, qualifiers_of

# The weights of the score above, chosen by 5-fold cross-validation on the
# training data (``python -m evaluation.ranking_cv``: the FAQ's ways of asking
# and nlu/'s place questions, each with its known passage; 2,418 of 3,114
# (77.6%) ranked first, cross-validated, on 2026-12-07, with Chinese searched
# by words and pairs of characters). The proposal's weight came out 0:
# for an FAQ question the search finds the entry more often than the FAQ
# matcher does, and for a place question the intent already counts through
# W_TOPIC. The FAQ matcher's similarity (W_NGRAM) came out 0 too: the
# search already holds what it knows.
W_LEXICAL = 1.0
W_MEANING = 1.0
W_TOPIC = 1.0
W_PROPOSED = 0.0
W_NGRAM = 0.0
W_QUALIFIER = 0.3
W_PLACE = 0.0  # the place itself: the constraints already keep other places out
# A passage answers a question the pipeline refused only with at least this
# score (``answers_refused``): the lowest at which at most 1 in 200 of nlu/'s
# out-of-scope examples, asked after each main destination, would be
# answered (``python -m evaluation.ranking_cv --floor-only``: 7 of 1,508).
FLOOR = 1.8
# When the first is not clearly ahead, the reply gives the passages after it
# that score within MARGIN of it too, at most MOST_GIVEN in all, the first
# first: the widest margin that gives more than one passage to at most one
# question in ten of the training folds (``python -m evaluation.ranking_cv``,
# the FAQ's ways of asking: a right passage among those given for 1,995 of
# 2,572 held out, against 1,921 with the first alone; more than one given to
# 9.6%; 2026-12-07, content of main at aa4d709). Only where the ranking answers, not the pipeline's own
# topic cell.
MARGIN = 0.05
MOST_GIVEN = 3


@dataclass(frozen=True)
class Question:
    """What the actions know of the turn: read once from the tracker."""

    text: str
    language: str
    intent: str | None = None
    confidence: float = 0.0
    topic: str | None = None  # the place topic the intent asks (prices...), if any
    place: str | None = None  # the covered place named, else the conversation's
    named: bool = False  # the place was named in this message
    # Its nearest training example by meaning is of a content intent and close
    # (actions/grounding.py, far_from_the_content): evidence it is a question
    # about what the content holds, whatever its words.
    near_the_content: bool = False
    vector: numpy.ndarray | None = field(default=None, compare=False)

    @functools.cached_property  # read once per turn, not once per passage
    def qualifiers(self) -> frozenset[str]:
        return qualifiers_of(self.text)

    @functools.cached_property
    def countries(self) -> frozenset[str]:
        return countries_of(self.text)


@dataclass(frozen=True)
class Ranked:
    passage: Passage
    score: float
    lexical: float
    meaning: float
    qualifiers: frozenset[str]  # the question's qualifiers the passage speaks of


def lineage(content: Content, place_id: str) -> set[str]:
    """The place and the places it is within: what may answer a question
    that names it (Badaling's texts, or the Great Wall's in general; never
    another section's)."""
    return {p.id for p in content.lineage(place_id)}


def speaks_for(content: Content, passage: Passage, place_id: str) -> bool:
    """A passage of the place or of a place it is within. Not of a place within
    it: Badaling is also where the other Great Wall sections hang, and their
    entries never answer for it."""
    return passage.place is not None and passage.place in lineage(content, place_id)


def allowed(content: Content, question: Question, passage: Passage, now: dt.datetime) -> bool:
    """Place and country as constraints; offers valid today, events not over."""
    if passage.kind == "offer":
        offer = next((o for o in content.offers if o.id == passage.entry), None)
        if offer is None or not offer.is_valid_on(now):
            return False
    if passage.kind == "event":
        event = next((e for e in content.events if e.id == passage.entry), None)
        if event is None or event.is_over(now):
            return False
    countries = set(question.countries)
    if question.place:
        # The place named, else the conversation's ("and the price?"): a
        # place's own text answers for it; a larger place's text only where
        # the place has none of its own on that topic (as content.topic
        # resolves it): Badaling's prices never answer for Mutianyu.
        if passage.kind == "topic" and passage.topic:
            found = content.topic(question.place, passage.topic)
            return found is not None and found[0].id == passage.place
        if passage.place is not None:
            return speaks_for(content, passage, question.place)
        # A country-wide passage: of the country the message names, else of the place's.
        place_country = _country(content, question.place)
        if not countries and place_country:
            countries = {place_country}
    return not (countries and passage.country and passage.country not in countries)


def _country(content: Content, place_id: str) -> str | None:
    from actions.passages import passages_of

    return next(
        (p.country for p in passages_of(content) if p.place == place_id and p.country), None
    )


def rank(
    content: Content,
    question: Question,
    now: dt.datetime,
    proposed: str | None = None,
) -> list[Ranked]:
    """The allowed passages, best first; ``proposed``: the passage id the pipeline would answer."""
    asked = question.qualifiers
    near = lineage(content, question.place) if question.place else set()
    similar = faq_similarity(content, question.text) if W_NGRAM else {}
    ranked = []
    for scored in index_of(content).search(question.text, question.vector):
        passage = scored.passage
        if not allowed(content, question, passage, now):
            continue
        spoken = asked & passage.qualifiers
        score = (
            W_LEXICAL * scored.lexical
            + W_MEANING * scored.meaning
            + W_TOPIC
            * (passage.topic is not None and passage.topic == question.topic)
            * question.confidence
            + W_PROPOSED * (passage.id == proposed)
            + W_NGRAM * similar.get(passage.id, 0.0)
            + W_QUALIFIER * bool(spoken)
            + W_PLACE * (passage.place == question.place and question.place is not None)
            + W_PLACE * 0.5 * (passage.place in near and passage.place != question.place)
        )
        ranked.append(Ranked(passage, score, scored.lexical, scored.meaning, spoken))
    ranked.sort(key=lambda r: -r.score)
    return ranked


def close_behind(
    content: Content, question: Question, ranked: Sequence[Ranked], refused: bool = False
) -> list[Ranked]:
    """The passages after the first that score within MARGIN of it (at most
    MOST_GIVEN - 1), best first; for a question the pipeline refused, only
    those of the question's place, as for the first (``answers_refused``)."""
    if not ranked:
        return []
    first = ranked[0]
    found = [
        r
        for r in ranked[1:MOST_GIVEN]
        if r.score >= first.score - MARGIN and r.passage.id != first.passage.id
    ]
    if refused:
        found = [
            r
            for r in found
            if question.place is not None and speaks_for(content, r.passage, question.place)
        ]
    return found


def faq_similarity(content: Content, text: str) -> dict[str, float]:
    """FAQ passage id -> the FAQ matcher's similarity of ``text`` to the
    entry's closest way of asking (character n-grams: actions/faq.py)."""
    if not text or text.startswith("/"):
        return {}
    return {f"faq {m.entry.id}": m.score for m in faq.index_of(content).scores(text)}


def answers_refused(
    content: Content, question: Question, ranked: Sequence[Ranked], floor: float | None = None
) -> Ranked | None:
    """The passage that answers a question the pipeline refused, if any.

    Only a question about a place (named, or the conversation's), and only
    with a passage of that place (or of a place it is within) that ranks
    first by its words (among the passages allowed) and scores at least
    FLOOR; and the question asks a
    detail (a qualifier: "雪具可以租吗" after La Féclaz, "is the toboggan open
    in winter?" after Mutianyu), or names the place and is near in meaning
    to the questions the content answers. "A good sushi restaurant in
    Chamonix" stays refused: the words of a place's texts are no evidence
    that the content answers it. When the passage does not speak of the
    detail, the action says so first (``detail_missing``)."""
    if not ranked or question.place is None:
        return None
    best = ranked[0]
    # First by its words too, among the passages allowed for this place.
    words_first = best.lexical >= max(r.lexical for r in ranked)
    if best.score < (FLOOR if floor is None else floor) or not words_first:
        return None
    if not speaks_for(content, best.passage, question.place):
        return None
    if question.qualifiers:
        return best
    # No detail asked: only a place named in this very message, in a message
    # whose meaning is near the questions the content answers ("we're flying
    # in to see Mutianyu"), not near out-of-scope ones ("a sushi bar in
    # Chamonix").
    return best if question.named and question.near_the_content else None
