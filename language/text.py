"""Script detection and folding, for text in French, Chinese and English.

One definition of "a Chinese character" and one way of folding text, used
by the language decision, the place-name gazetteer, the Rasa tokenizer and
the answers' matching alike.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Every block of Han ideographs: the unified block, extension A, the
# compatibility ideographs, and the supplementary planes' extensions B to H
# (rare characters in names, and some Traditional forms).
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"
HAN = re.compile(f"[{HAN_RANGES}]")
HAN_RUN = re.compile(f"[{HAN_RANGES}]+")

# Folded to one space: hyphens and dashes, apostrophes, underscores, dots.
_SEPARATORS = "-‐‑–—'’_.·"


def has_han(text: str) -> bool:
    return HAN.search(text) is not None


def is_han(char: str) -> bool:
    return HAN.match(char) is not None


def fold_indexed(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each folded character, its index in ``text``.

    Lower case, accents removed, hyphens, apostrophes and runs of spaces made
    one space, so "Féclaz", "feclaz" and "FECLAZ" all read "feclaz", and
    "l'Aiguille" reads "l aiguille".
    """
    out: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char.lower()):
            if unicodedata.combining(part):
                continue
            if part in _SEPARATORS or part.isspace():
                part = " "
                if out and out[-1] == " ":
                    continue
            out.append(part)
            index.append(i)
    return "".join(out), index


@functools.lru_cache(maxsize=16_384)  # the content's texts are folded again at each live reload
def fold(text: str) -> str:
    """``text`` folded (see ``fold_indexed``), without leading or trailing spaces."""
    return fold_indexed(text)[0].strip()
