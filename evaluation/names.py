"""Names as tourists type them: how often the fuzzy match finds a place, and where.

``python -m evaluation.names`` runs the gazetteer (language/names.py) over the
out-of-scope messages of ../shared/eval/outside_dev and the questions of
../shared/eval/novel_dev, and lists every name found only by the fuzzy match
(a slip or spaces moved): on out-of-scope messages each is a word taken for a
place, the cost of the guard being too loose. It measures; it chooses nothing.
"""

from __future__ import annotations

import sys

import yaml

from actions.grounding import _gazetteer
from evaluation.novel import CASES
from evaluation.outside import OUT_OF_SCOPE, OUTSIDE, rows


def fuzzy_names(text: str) -> list[tuple[str, str]]:
    return [
        (text[f["start"] : f["end"]], f["value"])
        for f in _gazetteer().find(text)
        if f["confidence_entity"] < 1.0
    ]


def main() -> int:
    if not OUTSIDE.exists():
        print(f"{OUTSIDE} is not there: nothing to measure.", file=sys.stderr)
        return 1
    total = hits = 0
    for name, column in OUT_OF_SCOPE:
        for row in rows(name):
            total += 1
            found = fuzzy_names(row[column])
            if found:
                hits += 1
                print(f"out of scope, {name}: {found} in {row[column]!r}")
    print(f"out-of-scope messages with a place found only by the fuzzy match: {hits}/{total}")
    if CASES.exists():
        cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
        for conversation in cases["conversations"]:
            for turn in conversation["turns"]:
                found = fuzzy_names(turn["text"])
                if found:
                    print(f"novel_dev: {found} in {turn['text']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
