"""Simplified and Traditional Chinese: telling them apart and converting.

Tourists from Hong Kong, Taiwan and Macau write Traditional characters
("崇禮有哪些滑雪場"); the model, the place names and the curated content are
in Simplified. The channel core converts their messages to Simplified before
understanding and the Simplified replies to Traditional as they are sent.

The tables are OpenCC's (the ``opencc-python-reimplemented`` package, pure
Python, dictionaries inside the wheel): its phrase-aware conversions, and its
character tables for telling the scripts apart. Messages go through ``t2s``,
which leaves Simplified text as it is (every Chinese line of nlu/ and content/
comes out unchanged). Replies go through ``s2tw``: the Traditional forms in
everyday use in Taiwan, and read as such in Hong Kong and Macau (為, 峰, 裡,
where OpenCC's reference forms are 爲, 峯, 裏). The tables are read on first
use, once per process (about 0.1 s); French and English text never loads them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from language.text import has_han, is_han

SIMPLIFIED = "zh-Hans"
TRADITIONAL = "zh-Hant"
SCRIPTS = (SIMPLIFIED, TRADITIONAL)

# Client language codes (Telegram's ``language_code``, IETF tags) of the
# places that write Traditional: the script subtag, or the region.
_TRADITIONAL_CODES = {"hant", "tw", "hk", "mo"}


def client_script(code: str | None) -> str | None:
    """The script a Chinese client code asks for ("zh-hant", "zh-TW" -> zh-Hant).

    None for a code that is not Chinese.
    """
    if not code:
        return None
    parts = code.strip().lower().replace("_", "-").split("-")
    if parts[0] != "zh":
        return None
    return TRADITIONAL if _TRADITIONAL_CODES.intersection(parts[1:]) else SIMPLIFIED


def to_simplified(text: str) -> str:
    """``text`` with Traditional characters in their Simplified form."""
    if not has_han(text):
        return text
    return _tables().to_simplified(text)


def to_traditional(text: str) -> str:
    """``text`` with Simplified characters in their Traditional form."""
    if not has_han(text):
        return text
    return _tables().to_traditional(text)


def script(text: str) -> str | None:
    """The script ``text`` is written in, when its characters tell.

    A character that exists only in Traditional form (學, 說, 禮) counts for
    Traditional, one that exists only in Simplified form (学, 说, 礼) for
    Simplified; characters both scripts write (你, 好, 台, 后) count for
    neither. The script with more such characters wins, Traditional on a tie
    (a Simplified sentence rarely holds a Traditional-only character unless
    its writer reads Traditional). None when nothing tells.
    """
    if not has_han(text):
        return None
    tables = _tables()
    traditional = simplified = 0
    for char in text:
        if char in tables.traditional_only:
            traditional += 1
        elif char in tables.simplified_only:
            simplified += 1
    if traditional and traditional >= simplified:
        return TRADITIONAL
    if simplified:
        return SIMPLIFIED
    return None


class _Tables:
    """OpenCC's two converters and the characters only one script writes."""

    def __init__(self) -> None:
        import opencc

        self.to_simplified: Callable[[str], str] = opencc.OpenCC("t2s").convert
        self.to_traditional: Callable[[str], str] = opencc.OpenCC("s2tw").convert
        dictionaries = Path(opencc.__file__).with_name("dictionary")
        traditional = _only_in_one_script(dictionaries / "TSCharacters.txt")
        simplified = _only_in_one_script(dictionaries / "STCharacters.txt")
        both = traditional & simplified  # a handful of characters each table claims
        self.traditional_only: frozenset[str] = traditional - both
        self.simplified_only: frozenset[str] = simplified - both


def _only_in_one_script(table: Path) -> frozenset[str]:
    """Characters of an OpenCC character table that never map to themselves.

    Each line reads "character<TAB>its forms in the other script"; a
    character listed among its own forms (台 -> 臺 檯 颱 台) is written in both.
    """
    only = set()
    for line in table.read_text(encoding="utf-8").splitlines():
        char, _, forms = line.partition("\t")
        if len(char) == 1 and is_han(char) and char not in forms.split():
            only.add(char)
    return frozenset(only)


_LOADED: dict[str, _Tables] = {}
_LOCK = threading.Lock()


def _tables() -> _Tables:
    """The tables, read on first use and shared by every thread."""
    tables = _LOADED.get("tables")
    if tables is None:
        with _LOCK:
            tables = _LOADED.get("tables")
            if tables is None:
                tables = _LOADED["tables"] = _Tables()
    return tables
