"""Rasa NLU YAML examples (nlu/<language>/*.yml, tests/nlu_heldout/*.yml),
read without Rasa (which takes seconds to import): for the editors' check
that an FAQ way of asking is not also an example of another intent
(``curated.validate``), the FAQ measurement (``evaluation.faq_compare``) and
the held-out evaluation (``evaluation.heldout``).

No ``from __future__ import annotations`` here: ``annotations`` is one of
this module's functions (``evaluation.heldout`` calls it), and Python 3.10
reads the annotations below as they are."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from language import LANGUAGES

NLU_DIR = Path(__file__).resolve().parent.parent / "nlu"

_ANNOTATION = re.compile(r"\[([^\]]+)\]\((\w+)\)")  # [surface](entity type)

# libyaml's parser when PyYAML was built with it (its wheels are): the check of
# every FAQ way of asking reads all of nlu/, a third of a second in pure Python.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def file_examples(path: Path) -> Iterator[tuple[str, str]]:
    """(intent, example as written, annotations included) of one file."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield block["intent"], line[2:].strip()


def plain(raw: str) -> str:
    """The example as the tourist types it: annotations removed."""
    return _ANNOTATION.sub(r"\1", raw)


def annotations(raw: str) -> tuple[tuple[str, str], ...]:
    """((entity type, surface), ...) annotated in the example."""
    return tuple((m.group(2), m.group(1)) for m in _ANNOTATION.finditer(raw))


@dataclass(frozen=True)
class Example:
    language: str
    path: Path
    intent: str
    text: str  # as the tourist types it: annotations removed
    places: tuple[str, ...]  # the place names annotated, as written
    raw: str = ""  # as written in the file, annotations included


def examples(nlu_dir: Path = NLU_DIR) -> Iterator[Example]:
    """Every training example of nlu/, language by language."""
    for language in LANGUAGES:
        for path in sorted((nlu_dir / language).glob("*.yml")):
            for intent, raw in file_examples(path):
                places = tuple(surface for kind, surface in annotations(raw) if kind == "place")
                yield Example(language, path, intent, plain(raw), places, raw)
