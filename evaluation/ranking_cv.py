"""The ranking's weights, chosen on the training data by cross-validation.

``python -m evaluation.ranking_cv`` builds the questions whose right passage
is known without anyone choosing it:
- every way of asking of content/faq*.yml (its entry's passage), scored against
  the content without the ways of asking of its fold, so a question never
  finds itself; the pipeline's proposal for it is the FAQ matcher's entry on
  that same trimmed content, when one passes the language's threshold;
- every nlu/ example of a place question that names a place (the place's topic
  passage for its intent); its proposal is that passage (the intent model was
  trained on it: this part says little of the proposal's weight, and the
  FAQ part says the rest).

For each weight set of a grid it counts the questions whose right passage
ranks first (actions/ranking.py's score, place and country constraints
included). Five folds: the weights are chosen on four and counted on the
fifth, which gives the cross-validated accuracy; the weights kept in
actions/ranking.py are the ones chosen on all five. Nothing of
../shared/eval is read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
from dataclasses import dataclass, replace

import numpy

from actions import answers, faq, ranking
from actions.passages import build
from actions.retrieval import Index
from curated.content import Content, load
from evaluation.faq_compare import nlu_examples_with_places
from language import meaning
from language.qualifiers import qualifiers_of
from rasa_extensions.command import ROOT

FOLDS = 5
NOW = dt.datetime(2026, 12, 6, tzinfo=dt.timezone.utc)
FEATURES = ("lexical", "meaning", "topic", "proposed", "qualifier", "place", "near", "ngram")
# Giving the first two or three passages when the first is not clearly ahead:
# the margins tried, how many at most, and the share of questions that may get
# more than one (stated before measuring: one question in ten).
MARGINS = tuple(round(0.025 * i, 3) for i in range(0, 17))
MOST_GIVEN = ranking.MOST_GIVEN
MULTI_SHARE = 0.10
GRID = {
    "meaning": (0.0, 0.5, 1.0, 2.0),
    "topic": (0.0, 0.25, 0.5, 1.0),
    "proposed": (0.0, 0.4, 0.8, 1.2, 1.6),
    "qualifier": (0.0, 0.3, 0.6, 1.0),
    "place": (0.0, 0.15, 0.3, 0.6),
    "ngram": (0.0, 0.5, 1.0, 2.0),
}


@dataclass
class Asked:
    text: str
    language: str
    target: str  # the right passage's id
    fold: int
    question: ranking.Question
    proposed: str | None


def questions(content: Content) -> list[Asked]:
    found: list[Asked] = []
    number = 0
    for entry in content.faq:
        for language, asked in sorted(entry.questions.items()):
            for text in asked:
                place = _named(content, text)
                question = ranking.Question(text, language, "faq", 1.0, None, place, bool(place))
                found.append(
                    Asked(text, language, f"faq {entry.id}", number % FOLDS, question, None)
                )
                number += 1
    for language, text, intent, places in nlu_examples_with_places(tuple(answers.TOPIC_OF_INTENT)):
        place = answers.most_precise(content, [p for p in places if p in content.places])
        topic = answers.TOPIC_OF_INTENT[intent]
        cell = content.topic(place, topic) if place else None
        if cell is None:
            continue
        target = f"topic {cell[0].id} {topic}"
        question = ranking.Question(text, language, intent, 1.0, topic, place, True)
        found.append(Asked(text, language, target, number % FOLDS, question, target))
        number += 1
    return found


def _named(content: Content, text: str) -> str | None:
    from actions.grounding import _gazetteer

    ids = [f["value"] for f in _gazetteer().find(text) if f["value"] in content.places]
    return answers.most_precise(content, ids)


def trimmed(content: Content, fold: int, asked: list[Asked]) -> Content:
    """The content without the ways of asking of one fold."""
    out = {(a.target, a.language, a.text) for a in asked if a.fold == fold}
    entries = [
        replace(
            e,
            questions={
                lang: tuple(q for q in qs if (f"faq {e.id}", lang, q) not in out)
                for lang, qs in e.questions.items()
            },
        )
        for e in content.faq
    ]
    return replace(content, faq=entries)


def features(
    content: Content, asked: list[Asked]
) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """(questions x passages x features), the allowed mask, the right passage's column."""
    passages = build(content)
    ids = [p.id for p in passages]
    vectors = meaning.encode_cached([a.text for a in asked])
    table = numpy.zeros((len(asked), len(passages), len(FEATURES)), dtype=numpy.float32)
    mask = numpy.zeros((len(asked), len(passages)), dtype=bool)
    right = numpy.full(len(asked), -1)
    for fold in range(FOLDS):
        trial = trimmed(content, fold, asked)
        index = Index(build(trial))
        for row, item in enumerate(asked):
            if item.fold != fold:
                continue
            proposed = item.proposed
            if item.target.startswith("faq"):
                match = faq.answer_for(trial, item.text, item.language)
                proposed = f"faq {match.entry.id}" if match else None
            asked_qualifiers = qualifiers_of(item.text)
            question = replace(item.question, vector=vectors[row])
            near = ranking.lineage(content, question.place) if question.place else set()
            similar = ranking.faq_similarity(trial, item.text)
            for column, scored in enumerate(index.search(item.text, vectors[row])):
                passage = scored.passage
                mask[row, column] = ranking.allowed(trial, question, passage, NOW)
                table[row, column] = (
                    scored.lexical,
                    scored.meaning,
                    float(passage.topic is not None and passage.topic == question.topic),
                    float(passage.id == proposed),
                    float(bool(asked_qualifiers & passage.qualifiers)),
                    float(passage.place == question.place and question.place is not None),
                    float(passage.place in near and passage.place != question.place),
                    similar.get(passage.id, 0.0),
                )
            right[row] = ids.index(item.target) if item.target in ids else -1
    return table, mask, right


def weights_of(choice: dict[str, float]) -> numpy.ndarray:
    return numpy.array(
        [1.0, choice["meaning"], choice["topic"], choice["proposed"], choice["qualifier"],
         choice["place"], choice["place"] * 0.5, choice["ngram"]], dtype=numpy.float32,
    )  # fmt: skip


def first_right(table, mask, right, rows, weights) -> int:
    scores = table[rows] @ weights
    scores[~mask[rows]] = -numpy.inf
    return int((scores.argmax(axis=1) == right[rows]).sum())


def given(table, mask, right, rows, weights, margin: float) -> tuple[int, int]:
    """With passages within ``margin`` of the first given too (at most
    MOST_GIVEN, the first first): (questions with a right passage among those
    given, questions given more than one)."""
    scores = table[rows] @ weights
    scores[~mask[rows]] = -numpy.inf
    order = numpy.argsort(-scores, axis=1, kind="stable")[:, :MOST_GIVEN]
    top = numpy.take_along_axis(scores, order, axis=1)
    within = numpy.isfinite(top) & (top >= top[:, :1] - margin)
    within[:, 0] = True
    hits = ((order == right[rows][:, None]) & within).any(axis=1)
    return int(hits.sum()), int((within.sum(axis=1) > 1).sum())


def choose_margin(table, mask, right, rows, weights) -> float:
    """The widest margin (of MARGINS) that gives more than one passage to at
    most MULTI_SHARE of ``rows``: the right-among-given count only grows with it."""
    chosen = 0.0
    for margin in MARGINS:
        _, multi = given(table, mask, right, rows, weights, margin)
        if multi <= MULTI_SHARE * len(rows):
            chosen = float(margin)
    return chosen


def margin_report(table, mask, right, folds, kinds, choices) -> list[str]:
    """MARGIN by cross-validation on the questions the ranking answers (the FAQ's
    ways of asking: a place question's cell is the pipeline's own): chosen on
    four folds, counted on the fifth; and the curve on all of them."""
    faq_rows = kinds == "faq"
    lines = [
        f"MARGIN (questions the ranking answers: the FAQ's ways of asking; at most "
        f"{MOST_GIVEN} given; more than one for at most {MULTI_SHARE:.0%}):"
    ]
    hits0 = hits = multi = 0
    for fold, choice in enumerate(choices):
        train = numpy.where(faq_rows & (folds != fold))[0]
        test = numpy.where(faq_rows & (folds == fold))[0]
        margin = choose_margin(table, mask, right, train, weights_of(choice))
        fold_hits, fold_multi = given(table, mask, right, test, weights_of(choice), margin)
        fold_hits0, _ = given(table, mask, right, test, weights_of(choice), 0.0)
        hits, multi, hits0 = hits + fold_hits, multi + fold_multi, hits0 + fold_hits0
        lines.append(f"  fold {fold}: margin {margin:.3f} (in use: {ranking.MARGIN})")
    total = int(faq_rows.sum())
    lines.append(
        f"  held out: right among those given {hits}/{total} ({hits / total:.1%}) against "
        f"{hits0}/{total} ({hits0 / total:.1%}) with the first alone; more than one given "
        f"to {multi}/{total} ({multi / total:.1%})"
    )
    rows = numpy.where(faq_rows)[0]
    lines.append("  curve (weights in actions/ranking.py, every FAQ way of asking):")
    current = weights_of(_current())
    for margin in MARGINS:
        curve_hits, curve_multi = given(table, mask, right, rows, current, float(margin))
        lines.append(
            f"    margin {margin:.3f}: right among given {curve_hits}/{len(rows)} "
            f"({curve_hits / len(rows):.1%}), more than one {curve_multi / len(rows):.1%}"
        )
    return lines


def _current() -> dict[str, float]:
    return {
        "meaning": ranking.W_MEANING, "topic": ranking.W_TOPIC, "proposed": ranking.W_PROPOSED,
        "qualifier": ranking.W_QUALIFIER, "place": ranking.W_PLACE, "ngram": ranking.W_NGRAM,
    }  # fmt: skip


def choose(table, mask, right, rows) -> tuple[dict[str, float], int]:
    best: tuple[dict[str, float], int] = ({}, -1)
    for values in itertools.product(*GRID.values()):
        choice = dict(zip(GRID, values, strict=True))
        count = first_right(table, mask, right, rows, weights_of(choice))
        if count > best[1]:
            best = (choice, count)
    return best


def choose_floor(
    content: Content, choice: dict[str, float], one_in: int = 200
) -> tuple[float, int, int]:
    """FLOOR: the lowest score at which at most 1 in ``one_in`` of nlu/'s
    out-of-scope examples, each asked after each main destination (the
    conversation's place), would be answered by ``ranking.answers_refused``
    (as PLACE_THRESHOLD of the FAQ is chosen); (floor, answered at it, asked)."""
    from curated import nlu_examples

    texts = [(e.language, e.text) for e in nlu_examples.examples() if e.intent == "out_of_scope"]
    vectors = meaning.encode_cached([text for _, text in texts])
    index = Index(build(content))
    bests: list[float] = []
    for (language, text), vector in zip(texts, vectors, strict=True):
        for place in content.choices.main_destinations:
            question = ranking.Question(text, language, "out_of_scope", place=place, vector=vector)
            ranked = rank_with(content, index, question, choice)
            found = ranking.answers_refused(content, question, ranked, floor=0.0)
            bests.append(found.score if found else -1.0)
    scores = numpy.array(bests)
    allowed = len(scores) // one_in
    for floor in numpy.arange(0.0, 4.0, 0.05):
        answered = int((scores >= floor).sum())
        if answered <= allowed:
            return round(float(floor), 2), answered, len(scores)
    return 4.0, 0, len(scores)


def rank_with(content, index, question, choice) -> list[ranking.Ranked]:
    """ranking.rank with the weights of ``choice`` (the same score, other weights)."""
    weights = weights_of(choice)
    asked = question.qualifiers
    near = ranking.lineage(content, question.place) if question.place else set()
    similar = ranking.faq_similarity(content, question.text)
    ranked = []
    for scored in index.search(question.text, question.vector):
        passage = scored.passage
        if not ranking.allowed(content, question, passage, NOW):
            continue
        spoken = asked & passage.qualifiers
        row = numpy.array(
            [scored.lexical, scored.meaning,
             float(passage.topic is not None and passage.topic == question.topic) * question.confidence,
             0.0, float(bool(spoken)),
             float(passage.place == question.place and question.place is not None),
             float(passage.place in near and passage.place != question.place),
             similar.get(passage.id, 0.0)],
        )  # fmt: skip
        ranked.append(
            ranking.Ranked(passage, float(row @ weights), scored.lexical, scored.meaning, spoken)
        )
    ranked.sort(key=lambda r: -r.score)
    return ranked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.ranking_cv", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--floor-only", action="store_true", help="only choose FLOOR")
    args = parser.parse_args(argv)
    content = load(ROOT / "content")
    if args.floor_only:
        current = {
            "meaning": ranking.W_MEANING, "topic": ranking.W_TOPIC,
            "proposed": ranking.W_PROPOSED, "qualifier": ranking.W_QUALIFIER,
            "place": ranking.W_PLACE, "ngram": ranking.W_NGRAM,
        }  # fmt: skip
        floor, answered, total_oos = choose_floor(content, current)
        print(f"FLOOR: {floor} ({answered}/{total_oos}; in use: {ranking.FLOOR})")
        return 0
    asked = questions(content)
    table, mask, right = features(content, asked)
    folds = numpy.array([a.fold for a in asked])
    kinds = numpy.array([a.target.split()[0] for a in asked])
    held_out = 0
    choices = []
    for fold in range(FOLDS):
        choice, _ = choose(table, mask, right, numpy.where(folds != fold)[0])
        choices.append(choice)
        held_out += first_right(
            table, mask, right, numpy.where(folds == fold)[0], weights_of(choice)
        )
    everything = numpy.arange(len(asked))
    chosen, count = choose(table, mask, right, everything)
    current = {
        "meaning": ranking.W_MEANING, "topic": ranking.W_TOPIC, "proposed": ranking.W_PROPOSED,
        "qualifier": ranking.W_QUALIFIER, "place": ranking.W_PLACE, "ngram": ranking.W_NGRAM,
    }  # fmt: skip
    alone = dict.fromkeys(GRID, 0.0) | {"meaning": 1.0}
    proposal = dict.fromkeys(GRID, 0.0) | {"proposed": 10.0}
    print(f"questions: {len(asked)} ({(kinds == 'faq').sum()} FAQ ways of asking, "
          f"{(kinds == 'topic').sum()} nlu/ place questions), {FOLDS} folds")  # fmt: skip
    print(
        f"right passage first, cross-validated: {held_out}/{len(asked)} ({held_out / len(asked):.1%})"
    )
    print(f"weights chosen on all: {chosen} -> {count}/{len(asked)}")
    for name, choice in (
        ("in actions/ranking.py", current),
        ("search alone", alone),
        ("proposal first", proposal),
    ):
        total = first_right(table, mask, right, everything, weights_of(choice))
        faq_rows = numpy.where(kinds == "faq")[0]
        faq_right = first_right(table, mask, right, faq_rows, weights_of(choice))
        print(f"{name}: {total}/{len(asked)} (FAQ ways of asking {faq_right}/{len(faq_rows)})")
    print("\n".join(margin_report(table, mask, right, folds, kinds, choices)))
    floor, answered, total_oos = choose_floor(content, chosen)
    print(
        f"FLOOR: {floor} (out-of-scope examples after a main destination answered: "
        f"{answered}/{total_oos}; in use: {ranking.FLOOR})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
