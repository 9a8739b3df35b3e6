"""Held-out tourist messages (tests/nlu_heldout/LANG.yml), never used in training."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from curated import nlu_examples
from language import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "nlu_heldout"


@dataclass(frozen=True)
class Example:
    language: str
    intent: str
    text: str
    entities: tuple[tuple[str, str], ...] = field(default=())  # (entity type, surface)


def load(language: str, directory: Path = HELDOUT) -> list[Example]:
    return [
        Example(language, intent, nlu_examples.plain(raw), nlu_examples.annotations(raw))
        for intent, raw in nlu_examples.file_examples(directory / f"{language}.yml")
    ]


def load_all(directory: Path = HELDOUT) -> dict[str, list[Example]]:
    return {language: load(language, directory) for language in LANGUAGES}
