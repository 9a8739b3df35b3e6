"""Names of places and activities, found in any text (no Rasa needed).

Used by the Rasa components (``rasa_extensions/gazetteer.py``, the
tokenizer's masking) and by the language decision, which sets place names aside: "Aiguille du Midi" says
nothing about the language of "aiguille du midi price".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from language.text import fold, fold_indexed, is_han

ENTITIES_FILE = Path(__file__).resolve().parent.parent / "nlu" / "entities.yml"


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

    def find(self, text: str) -> list[dict[str, Any]]:
        folded, index = fold_indexed(text)
        found: list[dict[str, Any]] = []
        position = 0
        while True:
            match = self._first_whole_match(folded, position)
            if match is None:
                return found
            start, end, name = match
            found.append(
                {
                    "entity": name.entity,
                    "value": name.value,
                    "start": index[start],
                    "end": index[end - 1] + 1,
                    "confidence_entity": 1.0,
                }
            )
            position = end

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
