"""Problems found in content/, worded for the editors who fix them.

A problem knows where it is (file, line, field) and which kind it is (a code
of ``validation_messages.yml``, with the values to fill in). Its message and
fix are in English; ``render(language)`` gives the same line in French or
Chinese, as ``python -m curated.validate --lang`` prints it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from language import LANGUAGES

MESSAGES_FILE = Path(__file__).resolve().with_name("validation_messages.yml")
MESSAGE_LANGUAGES = LANGUAGES  # an editor reads the checks in any language a tourist does


@functools.lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, Any]]:
    """The editor-facing texts: ``labels`` and ``problems``, each in en, fr and zh."""
    return yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


def label(name: str, language: str = "en", **values: Any) -> str:
    """A fixed text of the tools (``fix``, ``ok``, headings), filled in."""
    texts = catalogue()["labels"][name]
    return (texts.get(language) or texts["en"]).format(**values)


def plain(value: Any) -> str:
    """A value as an editor would write it: no quotes of Python, no types."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, dict):
        return "…"
    return str(value)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a content file: where, what, and how to fix it."""

    file: str
    line: int
    field: str
    message: str
    fix: str
    # dataclasses.field in full: the attribute ``field`` above hides the short name.
    code: str = dataclasses.field(default="", compare=False)
    values: tuple[tuple[str, str], ...] = dataclasses.field(default=(), compare=False)

    @classmethod
    def of(cls, code: str, file: str, line: int, field_name: str, **values: Any) -> Problem:
        """The problem of kind ``code``, its English message filled with ``values``."""
        pairs = tuple((key, plain(value)) for key, value in values.items())
        message, fix = _texts(code, "en", dict(pairs))
        return cls(file, line, field_name, message, fix, code, pairs)

    def render(self, language: str = "en") -> str:
        """``file:line: field: message Fix: ...`` in ``language`` (en, fr or zh)."""
        if self.code:
            message, fix = _texts(self.code, language, dict(self.values))
        else:
            message, fix = self.message, self.fix
        return f"{self.file}:{self.line}: {self.field}: {message} {label('fix', language)} {fix}"

    def __str__(self) -> str:
        return self.render("en")

    @property
    def identity(self) -> tuple[str, str, str]:
        """The same problem, even after lines around it moved."""
        return (self.file, self.field, self.code or self.message)


def _texts(code: str, language: str, values: dict[str, str]) -> tuple[str, str]:
    texts = catalogue()["problems"][code]
    chosen = texts.get(language) or texts["en"]
    return chosen["message"].format(**values), chosen["fix"].format(**values)
