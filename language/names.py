"""Names of places and activities, found in any text (no Rasa needed).

Used by the Rasa components (``rasa_extensions/gazetteer.py``, the
tokenizer's masking) and by the language decision, which sets place names aside: "Aiguille du Midi" says
nothing about the language of "aiguille du midi price".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz.distance import Levenshtein

from language.text import fold, fold_indexed, is_han

ENTITIES_FILE = Path(__file__).resolve().parent.parent / "nlu" / "entities.yml"
NLU_DIR = ENTITIES_FILE.parent

# Names as tourists type them: a Latin name of at least FUZZY_MIN_LENGTH
# letters (spaces aside) is also found one edit away ("mutianyou", "badaleng"),
# two edits away from FUZZY_TWO_EDITS letters ("jinshaling", "skiway monte
# bianco"), and with its spaces moved ("ba da ling", "mu tian yu"); never in a
# word that the training examples use (``ordinary_words``): "montagne" stays a
# word, not a place. Measured with ``python -m evaluation.names``.
FUZZY_MIN_LENGTH = 7
FUZZY_TWO_EDITS = 11
_LATIN_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Name:
    folded: str
    entity: str
    value: str


class Gazetteer:
    """Finds known names in a text; longest match first, no overlaps."""

    def __init__(self, names: Iterable[Name]) -> None:
        unique: dict[str, Name] = {}
        for name in names:
            unique.setdefault(name.folded, name)  # one meaning per written form: the first
        self.names = sorted(unique.values(), key=lambda n: (-len(n.folded), n.folded))
        by_length = "|".join(re.escape(n.folded) for n in self.names) or r"(?!)"
        self._pattern = re.compile(by_length)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str, str]]) -> Gazetteer:
        """From (surface form, entity type, value) triples."""
        names = []
        for surface, entity, value in pairs:
            folded = fold(surface)
            if folded:
                names.append(Name(folded, entity, value))
        return cls(names)

    def find(self, text: str, fuzzy: bool = True) -> list[dict[str, Any]]:
        """The names in ``text``, as Rasa entities; ``fuzzy``: also those
        typed with a slip or with spaces moved (see FUZZY_MIN_LENGTH)."""
        folded, index = fold_indexed(text)
        spans: list[tuple[int, int, Name, float]] = []
        position = 0
        while True:
            match = self._first_whole_match(folded, position)
            if match is None:
                break
            start, end, name = match
            spans.append((start, end, name, 1.0))
            position = end
        if fuzzy:
            spans = sorted(spans + self._near_matches(folded, spans), key=lambda s: s[0])
        return [
            {
                "entity": name.entity,
                "value": name.value,
                "start": index[start],
                "end": index[end - 1] + 1,
                "confidence_entity": confidence,
            }
            for start, end, name, confidence in spans
        ]

    def _near_matches(
        self, folded: str, taken: list[tuple[int, int, Name, float]]
    ) -> list[tuple[int, int, Name, float]]:
        """Runs of one to three Latin words, outside the names already found,
        that are a long name typed with a slip or with its spaces moved."""
        words = [
            m
            for m in _LATIN_WORD.finditer(folded)
            if not any(s <= m.start() < e for s, e, *_ in taken)
        ]
        ordinary = ordinary_words()
        found: list[tuple[int, int, Name, float]] = []
        used_until = -1
        for first in range(len(words)):
            if words[first].start() < used_until:
                continue
            for count in (3, 2, 1):
                run = words[first : first + count]
                if len(run) < count or any(w.group() in ordinary for w in run):
                    continue
                if count > 1 and any(
                    folded[a.end() : b.start()].strip() for a, b in zip(run, run[1:], strict=False)
                ):
                    continue  # not one run of words
                typed = "".join(w.group() for w in run)
                name = self._nearest(typed)
                if name is not None:
                    found.append((run[0].start(), run[-1].end(), name, 0.9))
                    used_until = run[-1].end()
                    break
        return found

    def _nearest(self, typed: str) -> Name | None:
        if len(typed) < FUZZY_MIN_LENGTH:
            return None
        allowed = 2 if len(typed) >= FUZZY_TWO_EDITS else 1
        best: tuple[int, Name] | None = None
        for name in self._latin_names:
            squeezed = name.folded.replace(" ", "")
            if abs(len(squeezed) - len(typed)) > allowed:
                continue
            distance = Levenshtein.distance(typed, squeezed, score_cutoff=allowed)
            if distance <= allowed and (best is None or distance < best[0]):
                best = (distance, name)
        return best[1] if best else None

    @functools.cached_property
    def _latin_names(self) -> list[Name]:
        return [
            n
            for n in self.names
            if not any(is_han(c) for c in n.folded)
            and len(n.folded.replace(" ", "")) >= FUZZY_MIN_LENGTH
        ]

    def _first_whole_match(self, folded: str, position: int) -> tuple[int, int, Name] | None:
        # Try every start position from the left; at each, the longest name
        # that stands as a whole word (or is Chinese) wins.
        while position < len(folded):
            candidates = [n for n in self.names if folded.startswith(n.folded, position)]
            for name in candidates:
                end = position + len(name.folded)
                if _stands_alone(folded, position, end):
                    return position, end, name
            nxt = self._pattern.search(folded, position + 1)
            if nxt is None:
                return None
            position = nxt.start()
        return None

    def to_json(self) -> list[dict[str, str]]:
        return [n.__dict__ for n in self.names]

    @classmethod
    def from_json(cls, rows: list[dict[str, str]]) -> Gazetteer:
        return cls(Name(**row) for row in rows)


def _stands_alone(folded: str, start: int, end: int) -> bool:
    """Latin names need non-letters around them; Chinese ones do not."""
    if is_han(folded[start]) and is_han(folded[end - 1]):
        return True
    before = folded[start - 1] if start > 0 else " "
    after = folded[end] if end < len(folded) else " "
    return not (before.isalnum() and not is_han(before)) and not (
        after.isalnum() and not is_han(after)
    )


def synonyms(path: Path = ENTITIES_FILE) -> dict[str, str]:
    """Every written form in nlu/entities.yml -> its id."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    forms: dict[str, str] = {}
    for block in data.get("nlu", []):
        if "synonym" not in block:
            continue
        for line in str(block.get("examples", "")).splitlines():
            form = line.strip()[2:].strip() if line.strip().startswith("- ") else ""
            if form:
                forms[form] = block["synonym"]
    return forms


@functools.lru_cache(maxsize=1)
def ordinary_words(nlu_dir: Path = NLU_DIR) -> frozenset[str]:
    """Folded Latin words of the training examples (nlu/fr, nlu/en), place
    names aside: words a tourist uses that are not names ("montagne", "ticket")."""
    names = set()
    for form in synonyms():
        names.update(_LATIN_WORD.findall(fold(form)))
    words: set[str] = set()
    for path in sorted(nlu_dir.glob("*/*.yml")):
        text = re.sub(r"\[([^\]]+)\]\(\w+\)", " ", path.read_text(encoding="utf-8"))
        words.update(_LATIN_WORD.findall(fold(text)))
    return frozenset(words - names)
