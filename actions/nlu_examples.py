"""The hand-written training examples of nlu/<language>/*.yml, read without
Rasa (which takes seconds to import): for the editors' check that an FAQ way
of asking is not also an example of another intent (``actions.validate``)
and for the FAQ measurement (``actions.faq_compare``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Tuple

import yaml

NLU_DIR = Path(__file__).resolve().parent.parent / "nlu"
LANGUAGES = ("fr", "zh", "en")

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
_PLACE_ANNOTATION = re.compile(r"\[([^\]]+)\]\(place\)")


@dataclass(frozen=True)
class Example:
    language: str
    path: Path
    intent: str
    text: str  # as the tourist types it: annotations removed
    places: Tuple[str, ...]  # the place names annotated, as written
    raw: str = ""  # as written in the file, annotations included


def examples(nlu_dir: Path = NLU_DIR) -> Iterator[Example]:
    for language in LANGUAGES:
        for path in sorted((nlu_dir / language).glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for block in data.get("nlu", []):
                if "intent" not in block:
                    continue
                for line in str(block.get("examples", "")).splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        raw = line[2:].strip()
                        yield Example(
                            language, path, block["intent"], _ANNOTATION.sub(r"\1", raw),
                            tuple(_PLACE_ANNOTATION.findall(raw)), raw,
                        )
