"""The same way of asking in two FAQ entries is a mistake: the matcher
(actions/faq.py) scores an entry by its closest way of asking, so a question
written in two entries scores the same for both and the tourist gets either
answer. "Same" is judged as the matcher reads text: folded by
``language.text.fold`` (case, accents, hyphens, apostrophes), with
punctuation and spacing set aside, so "Le lac est-il surveillé ?" and "le lac
est il surveille" are one question. The later one is reported, naming the
first (file and line), whichever file each is in."""

from __future__ import annotations

import re
from collections.abc import Iterable

from curated.entries import FaqEntry
from curated.problems import Problem
from language.text import fold

_WORDS = re.compile(r"\w+", re.UNICODE)


def asked_key(question: str) -> str:
    """The way of asking as the matcher compares it: folded words, nothing else."""
    return " ".join(_WORDS.findall(fold(question)))


def problems(entries: Iterable[FaqEntry]) -> list[Problem]:
    first: dict[str, tuple[FaqEntry, str, int]] = {}  # key -> (entry, file, line)
    found = []
    for entry in entries:
        file = entry.origin.file if entry.origin else ""
        for language, questions in entry.questions.items():
            lines = entry.question_lines.get(language, ())
            for index, question in enumerate(questions):
                line = lines[index] if index < len(lines) else _line(entry)
                key = asked_key(question)
                if not key:
                    continue
                if key not in first:
                    first[key] = (entry, file, line)
                    continue
                other, other_file, other_line = first[key]
                if other.id == entry.id:
                    continue
                found.append(
                    Problem.of(
                        "faq_question_in_two_entries",
                        file,
                        line,
                        f"faq.{entry.id}.questions.{language}[{index + 1}]",
                        other_id=other.id,
                        other_file=other_file,
                        other_line=other_line,
                    )
                )
    return found


def _line(entry: FaqEntry) -> int:
    return entry.origin.line if entry.origin else 1
