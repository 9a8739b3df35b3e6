"""What a question asks besides its place and topic, which country it names,
and whether it sets two places side by side.

The vocabulary is in qualifier_words.yml beside this file: each qualifier
(winter, children, rental, booking, duration...) and each country is a list of
folded words in French, Chinese and English. ``qualifiers_of(text)`` and
``countries_of(text)`` say which a text holds; the same functions read the
tourist's message and the content's passages, so the two meet.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from language.text import HAN_RUN, fold, has_han

WORDS = Path(__file__).with_name("qualifier_words.yml")


@functools.lru_cache(maxsize=1)
def _vocabulary() -> tuple[dict[str, re.Pattern[str]], dict[str, re.Pattern[str]], re.Pattern[str]]:
    data = yaml.safe_load(WORDS.read_text(encoding="utf-8"))
    names = _patterns({"names": data["not_qualifiers"]})["names"]
    return _patterns(data["qualifiers"]), _patterns(data["countries"]), names


def _patterns(groups: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
    """One pattern per group: Chinese words anywhere; Latin words of five
    letters or more at a word start ("famil": "familles"), shorter ones whole
    ("long" is not "Longqing")."""
    found = {}
    for name, words in groups.items():
        alternatives = [_alternative(str(w)) for w in words]
        found[name] = re.compile("|".join(sorted(alternatives, key=len, reverse=True)))
    return found


def _alternative(word: str) -> str:
    if has_han(word):
        return re.escape(word)
    return r"\b" + re.escape(word) + ("" if len(word) >= 5 else r"\b")


# Both read every text of the content again at each live reload (actions/passages.py).
@functools.lru_cache(maxsize=8_192)
def qualifiers_of(text: str) -> frozenset[str]:
    """The qualifiers a text speaks of: {"winter", "rental"} for "peut-on louer des skis en
    hiver"; none for "the Winter Olympics' ski jump" (``not_qualifiers``)."""
    folded = _vocabulary()[2].sub(" ", fold(text))
    return frozenset(name for name, pattern in _vocabulary()[0].items() if pattern.search(folded))


@functools.lru_cache(maxsize=8_192)
def countries_of(text: str) -> frozenset[str]:
    """The countries a text names: {"france"} for "the emergency number in France"."""
    folded = fold(text)
    return frozenset(name for name, pattern in _vocabulary()[1].items() if pattern.search(folded))


def qualifier_names() -> tuple[str, ...]:
    return tuple(_vocabulary()[0])


@functools.lru_cache(maxsize=1)
def _joining() -> tuple[frozenset[str], tuple[str, ...]]:
    data = yaml.safe_load(WORDS.read_text(encoding="utf-8"))
    fillers = sorted((str(w) for w in data["joining_fillers"]), key=len, reverse=True)
    return frozenset(str(w) for w in data["joining"]), tuple(fillers)


_BETWEEN = re.compile(r"[a-z0-9]+|[/&、]")


def joins(between: str) -> bool:
    """The text between two place names only joins them ("ou", " and the ",
    "和", " vs "): the two are set side by side. ", à" (a place within
    another) or " to " (a route) does not."""
    joining, fillers = _joining()
    folded = fold(between)
    found = _BETWEEN.findall(HAN_RUN.sub(" ", folded))
    for run in HAN_RUN.findall(folded):
        for filler in (f for f in fillers if has_han(f)):
            run = run.replace(filler, " ")
        found.extend(run.split())
    return any(w in joining for w in found) and all(w in joining or w in fillers for w in found)
