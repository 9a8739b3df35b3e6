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
import threading
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
# and nlu/'s place questions, each with its known passage; 2,420 of 3,114
# (77.7%) ranked first, cross-validated, on 2026-12-07 (main at 6966d8c), with Chinese
# searched by words and pairs of characters). The proposal's weight came out 0:
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
# Place constraints kept per (place, countries named) asked (``Table``): far
# more than content/ has places, and a bound against a slot of anything.
MASKS_KEPT = 4_096


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
    return current(content, passage, now) and placed(
        content, question.place, question.countries, passage
    )


def current(content: Content, passage: Passage, now: dt.datetime) -> bool:
    """An offer valid today, an event not over; any other passage."""
    if passage.kind == "offer":
        offer = next((o for o in content.offers if o.id == passage.entry), None)
        return offer is not None and offer.is_valid_on(now)
    if passage.kind == "event":
        event = next((e for e in content.events if e.id == passage.entry), None)
        return event is not None and not event.is_over(now)
    return True


def placed(content: Content, place: str | None, named: frozenset[str], passage: Passage) -> bool:
    """Place and country as constraints: ``place`` the question's (named, else
    the conversation's), ``named`` the countries its message names."""
    countries = set(named)
    if place:
        # The place named, else the conversation's ("and the price?"): a
        # place's own text answers for it; a larger place's text only where
        # the place has none of its own on that topic (as content.topic
        # resolves it): Badaling's prices never answer for Mutianyu.
        if passage.kind == "topic" and passage.topic:
            found = content.topic(place, passage.topic)
            return found is not None and found[0].id == passage.place
        if passage.place is not None:
            return speaks_for(content, passage, place)
        # A country-wide passage: of the country the message names, else of the place's.
        place_country = _country(content, place)
        if not countries and place_country:
            countries = {place_country}
    return not (countries and passage.country and passage.country not in countries)


def _country(content: Content, place_id: str) -> str | None:
    from actions.passages import passages_of

    return next(
        (p.country for p in passages_of(content) if p.place == place_id and p.country), None
    )


class Table:
    """What ``rank`` needs of every passage of one content object, as arrays
    in the search's order, and the place constraints per place asked: the
    same rules as ``allowed``, worked out once per content, not per message."""

    def __init__(self, content: Content, passages: Sequence[Passage]) -> None:
        self.content = content
        self.passages = list(passages)
        self.rows: dict[str, list[int]] = {}
        self.topics: dict[str, numpy.ndarray] = {}
        self.qualifiers: dict[str, numpy.ndarray] = {}
        self.places: dict[str, numpy.ndarray] = {}
        for row, passage in enumerate(self.passages):
            self.rows.setdefault(passage.id, []).append(row)
            if passage.topic is not None:
                self._mark(self.topics, passage.topic, row)
            for qualifier in passage.qualifiers:
                self._mark(self.qualifiers, qualifier, row)
            if passage.place is not None:
                self._mark(self.places, passage.place, row)
        # The offers and events, each with its content entry (None: none).
        offers = {o.id: o for o in reversed(content.offers)}  # the first of an id, as next()
        events = {e.id: e for e in reversed(content.events)}
        self.offers = [
            (row, offers.get(p.entry)) for row, p in enumerate(self.passages) if p.kind == "offer"
        ]
        self.events = [
            (row, events.get(p.entry)) for row, p in enumerate(self.passages) if p.kind == "event"
        ]
        self._placed: dict[tuple[str | None, frozenset[str]], numpy.ndarray] = {}
        self._near: dict[str, numpy.ndarray] = {}

    def _mark(self, masks: dict[str, numpy.ndarray], key: str, row: int) -> None:
        masks.setdefault(key, numpy.zeros(len(self.passages), dtype=bool))[row] = True

    def _none(self) -> numpy.ndarray:
        return numpy.zeros(len(self.passages), dtype=bool)

    def allowed(self, question: Question, now: dt.datetime) -> numpy.ndarray:
        """``allowed`` of every passage."""
        key = (question.place, question.countries)
        mask = self._placed.get(key)
        if mask is None:
            mask = numpy.array([placed(self.content, *key, p) for p in self.passages], dtype=bool)
            if len(self._placed) < MASKS_KEPT:
                self._placed[key] = mask
        mask = mask.copy()
        for row, offer in self.offers:
            mask[row] &= offer is not None and offer.is_valid_on(now)
        for row, event in self.events:
            mask[row] &= event is not None and not event.is_over(now)
        return mask

    def topic(self, topic: str | None) -> numpy.ndarray:
        """Its topic is ``topic``."""
        return self.topics.get(topic, self._none()) if topic is not None else self._none()

    def speaks(self, asked: frozenset[str]) -> numpy.ndarray:
        """It speaks of one of the qualifiers ``asked``."""
        found = self._none()
        for qualifier in asked:
            if qualifier in self.qualifiers:
                found |= self.qualifiers[qualifier]
        return found

    def proposed(self, proposed: str | None) -> numpy.ndarray:
        found = self._none()
        found[self.rows.get(proposed, []) if proposed is not None else []] = True
        return found

    def of_place(self, place: str | None) -> numpy.ndarray:
        """About the very place ``place``."""
        return self.places.get(place, self._none()) if place is not None else self._none()

    def within(self, place: str | None) -> numpy.ndarray:
        """About a place ``place`` is within (not the place itself)."""
        if place is None:
            return self._none()
        mask = self._near.get(place)
        if mask is None:
            near = lineage(self.content, place)
            mask = numpy.array(
                [p.place in near and p.place != place for p in self.passages], dtype=bool
            )
            if len(self._near) < MASKS_KEPT:
                self._near[place] = mask
        return mask


_tables: tuple[Content | None, Table | None] = (None, None)
_tables_lock = threading.Lock()


def table_of(content: Content) -> Table:
    """The table of this content object (built again after a live reload)."""
    global _tables
    with _tables_lock:
        if _tables[0] is content and _tables[1] is not None:
            return _tables[1]
        table = Table(content, index_of(content).passages)
        _tables = (content, table)
        return table


def rank(
    content: Content,
    question: Question,
    now: dt.datetime,
    proposed: str | None = None,
) -> list[Ranked]:
    """The allowed passages, best first; ``proposed``: the passage id the pipeline would answer.

    The score of the module's docstring over every passage at once (numpy:
    the same operations in the same order as one passage at a time, so the
    same floats), then sorted as ``list.sort`` would (stable, best first)."""
    table = table_of(content)
    asked = question.qualifiers
    lexical, dense = index_of(content).scores(question.text, question.vector)
    similar = numpy.zeros(len(table.passages))
    if W_NGRAM:
        for passage_id, similarity in faq_similarity(content, question.text).items():
            similar[table.rows.get(passage_id, [])] = similarity
    spoken = table.speaks(asked)
    score = (
        W_LEXICAL * lexical
        + W_MEANING * dense
        + W_TOPIC * table.topic(question.topic) * question.confidence
        + W_PROPOSED * table.proposed(proposed)
        + W_NGRAM * similar
        + W_QUALIFIER * spoken
        + W_PLACE * table.of_place(question.place)
        + W_PLACE * 0.5 * table.within(question.place)
    )
    rows = numpy.flatnonzero(table.allowed(question, now))
    rows = rows[numpy.argsort(-score[rows], kind="stable")].tolist()
    scores, words, meanings = score.tolist(), lexical.tolist(), dense.tolist()
    none: frozenset[str] = frozenset()
    return [
        Ranked(
            table.passages[row],
            scores[row],
            words[row],
            meanings[row],
            asked & table.passages[row].qualifiers if spoken[row] else none,
        )
        for row in rows
    ]


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
