"""Held-out tourist messages (tests/nlu_heldout/LANG.yml), never used in training."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "nlu_heldout"
LANGUAGES = ("fr", "zh", "en")

_ANNOTATION = re.compile(r"\[([^\]]+)\]\((\w+)\)")


@dataclass(frozen=True)
class Example:
    language: str
    intent: str
    text: str
    entities: Tuple[Tuple[str, str], ...] = field(default=())  # (entity type, surface)


def load(language: str, directory: Path = HELDOUT) -> List[Example]:
    data = yaml.safe_load((directory / f"{language}.yml").read_text(encoding="utf-8"))
    examples = []
    for block in data["nlu"]:
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            line = line.strip()
            if not line.startswith("- "):
                continue
            raw = line[2:].strip()
            entities = tuple((m.group(2), m.group(1)) for m in _ANNOTATION.finditer(raw))
            text = _ANNOTATION.sub(lambda m: m.group(1), raw)
            examples.append(Example(language, block["intent"], text, entities))
    return examples


def load_all(directory: Path = HELDOUT) -> Dict[str, List[Example]]:
    return {language: load(language, directory) for language in LANGUAGES}
