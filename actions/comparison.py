"""Two places set side by side: "Mutianyu ou Badaling, lequel est moins
fréquenté ?", "the difference between Jinshanling and Simatai", "八达岭和慕田峪哪个人少".

A message names two covered places joined by "or", "and", "和", "vs"... (only
such words between the two names: language/qualifiers.py ``joins``). An FAQ
entry written for that very comparison (its ways of asking name both places)
answers when the ranking puts it first for either place; otherwise each place
gets its passage on the topic asked, one after the other, headed by its name:
the intent's topic when the intent asks one, else the best-ranked passage about
that place (the ranking of actions/ranking.py with that place as the
constraint). Passages as written, with their facts' source and date.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from actions import answers, grounding, ranking
from actions.answers import Reply
from actions.passages import Passage
from actions.why import scored
from curated.content import Content
from language.qualifiers import joins

# The intents whose questions are refused unless the message carries evidence:
# side by side, each place's passage must then pass ranking.answers_refused.
REFUSED_INTENTS = ("out_of_scope", "nlu_fallback")


@dataclass(frozen=True)
class Named:
    """A place entity of the message: its id and where it stands in the text."""

    place: str
    start: int
    end: int


def compared(content: Content, text: str, named: Sequence[Named]) -> tuple[str, str] | None:
    """The two covered places the message sets side by side, in the order named."""
    covered = sorted((n for n in named if n.place in content.places), key=lambda n: n.start)
    first = covered[0] if covered else None
    second = next((n for n in covered if first and n.place != first.place), None)
    if first is None or second is None or second.start < first.end:
        return None
    return (first.place, second.place) if joins(text[first.end : second.start]) else None


@functools.lru_cache(maxsize=512)
def named_together(
    questions: tuple[str, ...], covered: frozenset[str]
) -> frozenset[frozenset[str]]:
    """The sets of two covered places or more that one of these ways of asking names."""
    found = set()
    for asked in questions:
        places = frozenset(f["value"] for f in grounding.names_in(asked)) & covered
        if len(places) >= 2:
            found.add(places)
    return frozenset(found)


def _together(content: Content, passage: Passage) -> frozenset[frozenset[str]]:
    questions = tuple(q for language in sorted(passage.keys) for q in passage.keys[language])
    return named_together(questions, frozenset(content.places))


def compares(content: Content, passage: Passage, pair: tuple[str, str]) -> bool:
    """An FAQ passage written for this comparison: one of its ways of asking names both places."""
    return any(set(pair) <= named for named in _together(content, passage))


def compares_others(content: Content, passage: Passage, pair: tuple[str, str]) -> bool:
    """An FAQ passage written for another comparison (Jinshanling or Simatai,
    when Jinshanling and Mutianyu are asked): it is no one side's answer."""
    together = _together(content, passage)
    return any(not named <= set(pair) for named in together) and not any(
        set(pair) <= named for named in together
    )


def comparison_entry(
    content: Content, pair: tuple[str, str], firsts: Sequence[ranking.Ranked | None]
) -> ranking.Ranked | None:
    """The FAQ entry written for this comparison, when it ranks first for either place."""
    return next(
        (
            b
            for b in firsts
            if b is not None and b.passage.kind == "faq" and compares(content, b.passage, pair)
        ),
        None,
    )


def candidates(
    content: Content,
    question: ranking.Question,
    ranked: Sequence[ranking.Ranked],
    pair: tuple[str, str],
) -> list[ranking.Ranked]:
    """The passages about the question's place (its own when it has some, else
    those of a place it is within but not the other place's own; never one
    written to compare other places), best first; for a
    question the pipeline refused, only the one ranking.answers_refused would give."""
    assert question.place is not None
    other = pair[1] if question.place == pair[0] else pair[0]
    mine = [
        r
        for r in ranked
        if ranking.speaks_for(content, r.passage, question.place)
        and r.passage.place != other  # Badaling's own texts never speak for Juyongguan's side
        and not (r.passage.kind == "faq" and compares_others(content, r.passage, pair))
    ]
    # Its own passages, when it has some: a Great-Wall-wide entry (Badaling's,
    # where the sections hang) is no one section's side.
    own = [r for r in mine if r.passage.place == question.place]
    mine = own or mine
    if question.intent in REFUSED_INTENTS:
        found = ranking.answers_refused(content, question, mine) if mine else None
        return [found] if found else []
    return mine


def side_by_side(
    content: Content,
    question: ranking.Question,
    pair: tuple[str, str],
    now: dt.datetime,
) -> list[Reply]:
    """The replies for two places set side by side; none when the content has
    nothing to give for one of them (the pipeline's answer then stands)."""
    questions = [replace(question, place=place, named=True) for place in pair]
    found = [candidates(content, q, ranking.rank(content, q, now), pair) for q in questions]
    if not question.topic and not all(found):
        return []
    # The entry written for the comparison answers "which one?"; a topic asked
    # ("八达岭和慕田峪门票多少钱") gets each place's own text on it, side by side.
    firsts = [c[0] if c else None for c in found]
    entry = None if question.topic else comparison_entry(content, pair, firsts)
    if entry is not None:
        reply = answers.passage_reply(content, entry.passage, question.language, now)
        reply.why = replace(reply.why, compared=pair, ranked=(scored(entry),))
        reply.about = entry.passage.place or pair[0]
        return [reply]
    replies: list[Reply] = []
    given: set[str] = set()
    for place, mine in zip(pair, found, strict=True):
        if question.topic:
            cell = content.topic(place, question.topic)
            if cell and f"topic {cell[0].id} {question.topic}" in given:
                continue  # a larger place's text, given for the first already
            given.add(f"topic {cell[0].id} {question.topic}" if cell else "")
            reply = answers.place_answer(
                content, place, question.topic, question.language, suggest=False
            )
        else:
            # The best not given for the first place: each its own passage.
            best = next((r for r in mine if r.passage.id not in given), None)
            if best is None:
                continue
            given.add(best.passage.id)
            reply = answers.passage_reply(content, best.passage, question.language, now)
            reply.why = replace(reply.why, ranked=(scored(best),))
        name = content.places[place].name[question.language]
        if not reply.text.startswith(name):
            heading = content.phrase("side_by_side", question.language, place=name)
            reply.text = f"{heading}\n{reply.text}"
        reply.why = replace(reply.why, compared=pair)
        reply.about = place
        replies.append(reply)
    return replies
