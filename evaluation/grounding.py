"""How many training examples make a marker word: chosen on nlu/ alone, by leave-one-out.

``python -m evaluation.grounding`` prints, for each candidate (MIN_EXAMPLES,
PURITY) of actions/grounding.py, with every example's own words left out of
the counts:

- in scope: the share of the content intents' examples (place questions,
  offers, events, contact) that keep evidence: a place or activity named, or a
  marker word of their intent;
- out of scope: the share of the ``out_of_scope`` examples that hold a marker
  word of any content intent.

The rule is the one the project uses for confidence thresholds: keep 97% of
the in-scope examples, here of what the best candidate keeps (no candidate
keeps 97% of all: some questions carry no word of their kind), and among the
candidates that do, take the strictest (the fewest out-of-scope examples with
evidence). No outside data is involved.

``python -m evaluation.grounding --nearest`` does the same for the second
rule, the nearest training example by meaning (rasa_extensions/nearest_example.py):
how many neighbours vote, each example's own vector left out; and for the
third, a follow-up's nearest example of its own kind: the floor at which at
most 1 in 200 out-of-scope examples are that close to a content intent's.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from typing import Any

from actions import grounding
from curated import nlu_examples

CONTENT_INTENTS = (
    "ask_overview", "ask_directions", "ask_prices", "ask_hours", "ask_best_time",
    "ask_activities", "ask_offers", "ask_events", "contact_human",
)  # fmt: skip
KEEP = 0.97
CANDIDATES = [(m, p) for m in (1, 2, 3) for p in (0.5, 0.6, 0.7, 0.8, 0.9)]


def leave_one_out() -> list[tuple[tuple[int, float], float, float]]:
    names = grounding._gazetteer()
    examples = [
        (e.intent, grounding.kind_words(e.text), bool(names.find(e.text)))
        for e in nlu_examples.examples()
    ]
    counts: dict[str, Counter] = defaultdict(Counter)
    total: Counter = Counter()
    for intent, units, _ in examples:
        for unit in units:
            counts[unit][intent] += 1
            total[unit] += 1

    def marks(unit: str, intent: str, own: str, minimum: int, purity: float) -> bool:
        count = counts[unit][intent] - (1 if own == intent else 0)
        return count >= minimum and count / max(1, total[unit] - 1) >= purity

    rows = []
    for minimum, purity in CANDIDATES:
        kept = in_scope = flagged = outside = 0
        for intent, units, named in examples:
            if intent in CONTENT_INTENTS:
                in_scope += 1
                kept += named or any(marks(u, intent, intent, minimum, purity) for u in units)
            elif intent == "out_of_scope":
                outside += 1
                flagged += any(
                    marks(u, c, intent, minimum, purity) for u in units for c in CONTENT_INTENTS
                )
        rows.append(((minimum, purity), kept / in_scope, flagged / outside))
    return rows


def _similarities() -> tuple[Any, Any]:
    """The labels of nlu/'s examples and the FAQ's ways of asking ("faq"), and
    the cosine of each to each by the sentence encoder, each one's own left out."""
    import numpy as np

    from curated.content import load
    from rasa_extensions.command import ROOT
    from rasa_extensions.sentence_encoder import encode

    labelled = [(e.intent, e.text) for e in nlu_examples.examples()]
    for entry in load(ROOT / "content").faq:
        labelled += [("faq", q) for qs in entry.questions.values() for q in qs]
    labels = np.array([label for label, _ in labelled])
    texts = [text for _, text in labelled]
    vectors = np.concatenate([encode(texts[i : i + 64]) for i in range(0, len(texts), 64)])
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -2.0)
    return labels, similarity


def nearest_leave_one_out(
    ks: tuple[int, ...] = (1, 3, 5),
) -> tuple[list[tuple[int, float, float]], float, float]:
    """The nearest-example rule (rasa_extensions/nearest_example.py), on nlu/
    and the FAQ's ways of asking alone: for k neighbours (each example's own
    vector left out), the share of content examples (place questions, offers,
    events, contact, FAQ) kept (not a majority of out-of-scope neighbours)
    and the share of out-of-scope examples caught; then the similarity floor:
    the nearest example's cosine that KEEP of the content examples reach
    (the project's rule for thresholds), and the share of out-of-scope
    examples below it."""
    import numpy as np

    labels, similarity = _similarities()
    content = np.isin(labels, [*CONTENT_INTENTS, "faq"])
    outside = labels == "out_of_scope"
    order = np.argsort(-similarity, axis=1)
    rows = []
    for k in ks:
        refused = (labels[order[:, :k]] == "out_of_scope").mean(axis=1) > 0.5
        rows.append((k, 1 - refused[content].mean(), refused[outside].mean()))
    nearest = similarity.max(axis=1)
    floor = float(np.quantile(nearest[content], 1 - KEEP))
    return rows, floor, float((nearest[outside] < floor).mean())


def same_kind_floor(share: float = 1 / 200) -> tuple[float, int, int, float]:
    """The rule for a follow-up that names no place and no word of its kind
    (actions/grounding.py, ``near_in_kind``): on nlu/ and the FAQ's ways of
    asking, each example's own vector left out, the lowest cosine (to two
    decimals) at which at most ``share`` of the out-of-scope examples have
    their nearest example in a content intent at least that close; returns
    it, how many out-of-scope examples would still pass, how many there are,
    and the share of the content intents' examples whose nearest is of their
    own intent at least that close."""
    import numpy as np

    labels, similarity = _similarities()
    nearest_label = labels[similarity.argmax(axis=1)]
    nearest = similarity.max(axis=1)
    outside = labels == "out_of_scope"
    content = np.isin(labels, CONTENT_INTENTS)
    passing = np.sort(nearest[outside & np.isin(nearest_label, CONTENT_INTENTS)])[::-1]
    allowed = int(share * outside.sum())
    floor = 0.0
    if len(passing) > allowed:
        floor = float(np.ceil(passing[allowed] * 100 + 1e-9) / 100)
    caught = int((passing >= floor).sum())
    own = content & (nearest_label == labels) & (nearest >= floor)
    return floor, caught, int(outside.sum()), float(own.sum() / content.sum())


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if "--nearest" in argv:
        print("| neighbours | content examples kept | out-of-scope examples caught |")
        print("|---|---|---|")
        nearest, floor, below = nearest_leave_one_out()
        for k, kept, caught in nearest:
            print(f"| {k} | {kept:.3f} | {caught:.3f} |")
        best = max(kept for _, kept, _ in nearest)
        chosen = max((r for r in nearest if r[1] >= KEEP * best), key=lambda r: r[2])
        print(f"\nchosen: {chosen[0]} neighbour(s) (in use: 1)")
        print(
            f"similarity floor kept by {KEEP:.0%} of the content examples: {floor:.2f} "
            f"(in use: {grounding.NEAREST_FLOOR}); out-of-scope examples below it: {below:.3f}"
        )
        floor, caught, outside, own = same_kind_floor()
        print(
            f"follow-up nearest in its own kind: floor {floor:.2f} (in use: "
            f"{grounding.SAME_KIND_FLOOR}); out-of-scope examples at least that close to a "
            f"content intent's: {caught} of {outside}; content examples nearest to their own "
            f"intent at least that close: {own:.3f}"
        )
        return 0
    rows = leave_one_out()
    print("| MIN_EXAMPLES | PURITY | in scope with evidence | out of scope with evidence |")
    print("|---|---|---|---|")
    for (minimum, purity), kept, flagged in rows:
        print(f"| {minimum} | {purity} | {kept:.3f} | {flagged:.3f} |")
    best = max(kept for _, kept, _ in rows)
    keeping = [r for r in rows if r[1] >= KEEP * best]
    (minimum, purity), *_ = min(keeping, key=lambda r: r[2])
    in_use = (grounding.MIN_EXAMPLES, grounding.PURITY)
    print(f"\nchosen: MIN_EXAMPLES={minimum}, PURITY={purity} (in use: {in_use[0]}, {in_use[1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
