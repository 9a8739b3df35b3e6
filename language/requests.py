"""Explicit requests to switch language: "in English please", "说中文".

A request is addressed to the assistant. It is found clause by clause (the
message cut at punctuation): a clause is a request when it names exactly one
language and every other word in it is a way of asking (request_words.yml).
So "I don't understand, in English please" asks for English, while a question
that names a language, "有会说法语的导游吗" (is there a French-speaking
guide?) or "is the menu in English?", has words of its own and asks for
nothing; neither does a refusal ("i dont speak french", "不要说英语") nor a
choice between two ("French or English?").

The words are read and the patterns built on first use, once per process.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from language import chinese
from language.text import HAN_RANGES, fold, has_han

WORDS = Path(__file__).with_name("request_words.yml")

_CLAUSES = re.compile(r"[,;:!?.()\[\]\"“”«»\n。，；：！？、…（）【】「」]+")
# Runs of Han characters, and runs of other letters or digits.
_PIECES = re.compile(rf"[{HAN_RANGES}]+|[^\W{HAN_RANGES}]+")


def requested(text: str) -> tuple[str, str | None] | None:
    """The language ``text`` asks for, and the Chinese script if it names one.

    None when it asks for none. The last clause that is a request wins
    ("not french, english": English).
    """
    rules = _rules()
    found = None
    for clause in _CLAUSES.split(chinese.to_simplified(text)):
        folded = fold(clause)
        named = {rules.language_of[m.group(0)] for m in rules.languages.finditer(folded)}
        if len(named) != 1:
            continue
        scripts = [rules.script_of[m.group(0)] for m in rules.scripts.finditer(folded)]
        rest = rules.phrases.sub(" ", rules.scripts.sub(" ", rules.languages.sub(" ", folded)))
        if all(rules.asks(piece) for piece in _PIECES.findall(rest)):
            language = named.pop()
            found = (language, scripts[-1] if scripts and language == "zh" else None)
    return found


def asks_for_menu(text: str) -> bool:
    """``text`` is only a word that opens the language menu ("langue", "Language", "語言")."""
    words = fold(_CLAUSES.sub(" ", chinese.to_simplified(text))).split()
    return len(words) == 1 and words[0] in _rules().menu


@dataclass(frozen=True)
class _Rules:
    languages: re.Pattern  # any language name
    language_of: dict[str, str]  # name -> fr | zh | en
    scripts: re.Pattern  # any script name
    script_of: dict[str, str]  # name -> zh-Hans | zh-Hant
    phrases: re.Pattern  # ways of asking of several words
    asking: frozenset[str]
    asking_chinese: re.Pattern
    menu: frozenset[str]  # words that open the language menu

    def asks(self, piece: str) -> bool:
        """A run of letters (or of Han characters) that only asks."""
        if has_han(piece):
            return self.asking_chinese.fullmatch(piece) is not None
        return piece in self.asking


def _alternatives(words, whole_words: bool = True) -> re.Pattern:
    """One pattern for ``words``, longest first; Latin words match whole."""
    ordered = sorted({str(w) for w in words}, key=len, reverse=True)
    return re.compile(
        "|".join(
            rf"\b{re.escape(w)}\b" if whole_words and not has_han(w) else re.escape(w)
            for w in ordered
        )
    )


@functools.lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = yaml.safe_load(WORDS.read_text(encoding="utf-8"))
    language_of = {str(n): lang for lang, names in data["languages"].items() for n in names}
    script_of = {str(n): script for script, names in data["scripts"].items() for n in names}
    chinese_words = _alternatives(data["asking_zh"], whole_words=False).pattern
    return _Rules(
        languages=_alternatives(language_of),
        language_of=language_of,
        scripts=_alternatives(script_of),
        script_of=script_of,
        phrases=_alternatives(data["asking_phrases"]),
        asking=frozenset(map(str, data["asking"])),
        asking_chinese=re.compile(f"(?:{chinese_words})*不?"),
        menu=frozenset(fold(str(w)) for w in data["menu"]),
    )
