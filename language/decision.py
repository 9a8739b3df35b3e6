"""Decide the language of the next reply: French, Chinese or English.

Every message goes through :func:`decide` in the channel layer, before Rasa
sees it; the decision travels to Rasa as message metadata and fills the
``language`` slot, so every reply, fallback included, is in that language.

The rules, in order:

1. an explicit request ("in English please", "en français", "说中文") switches;
2. any Han character means Chinese;
3. a message too short to tell ("ok", "👍", "Mont Blanc", "merci") keeps the
   user's language (or, for a new user, the client's language code); for a
   new user with neither, one short word that is no everyday word of either
   language and has no French accent ("x", "None", "lol") is no evidence at
   all, and gets the default language (English);
4. otherwise the evidence of three signals (see ``french_score``): langdetect
   limited to French and English and seeded so the same text always gets the
   same answer, everyday words of either language (function_words.yml), and
   French accents and elisions; place names are set aside first. The user's
   previous language (or the client's, for a new user) is the prior: only
   clear evidence in a message of three words or more overrules it.

Raw langdetect is wrong on about half of one- and two-word messages, which is
why it is only one of the signals. Measured figures: docs/evaluation.md.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Set, Tuple

import yaml

from language import DEFAULT, LANGUAGES
from language.names import Gazetteer, synonyms
from language.text import fold, has_han

SUPPORTED = LANGUAGES  # the languages a request or a client code may name

# Words (place names aside) a message needs before it may overrule the
# user's language, and how clear the evidence must be (see french_score).
MIN_WORDS_TO_SWITCH = 3
SWITCH_SCORE = 4.0
WORD_WEIGHT = 3.0
ACCENT_WEIGHT = 2.5
FUNCTION_WORDS = Path(__file__).with_name("function_words.yml")
# langdetect's letter statistics say nothing about a single word shorter than
# this ("x" scores as certainly French): such a word alone is no evidence.
MIN_LETTERS_TO_DETECT = 5

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Letters that English words practically never carry, and the elisions
# ("l'aiguille", "c'est", "j'ai") that only French makes.
_FRENCH_MARKS = re.compile(r"[éèêëàâçîïôûùœæ]|\b(?:[cdjlmnst]|qu)['’][a-zà-ÿ]", re.I)

# Explicit requests to switch language. Matched on the lower-cased text with
# accents removed; each names the language asked for, whatever language the
# request itself is written in.
_REQUESTS = {
    "fr": re.compile(
        r"\b(?:en|in|speak|parle[rz]?|parlez|reponds?|answer|write|ecri[st]?)\s+(?:le\s+)?"
        r"(?:francais|french)\b"
        r"|^(?:francais|french)(?:\s+(?:svp|please|stp|s il vous plait))?\s*[.!?]*$"
        r"|(?:用|说|講|讲|换成|改成|切换到?)\s*(?:法语|法文)"
    ),
    "en": re.compile(
        r"\b(?:en|in|speak|parle[rz]?|parlez|reponds?|answer|write|ecri[st]?)\s+(?:l )?"
        r"(?:anglais|english)\b"
        r"|^(?:anglais|english)(?:\s+(?:svp|please|stp|s il vous plait))?\s*[.!?]*$"
        r"|(?:用|说|講|讲|换成|改成|切换到?)\s*(?:英语|英文)"
    ),
    "zh": re.compile(
        r"\b(?:en|in|speak|parle[rz]?|parlez|reponds?|answer|write|ecri[st]?)\s+(?:le\s+)?"
        r"(?:chinois|chinese|mandarin)\b"
        r"|^(?:chinois|chinese|mandarin|zhongwen)(?:\s+(?:svp|please|stp))?\s*[.!?]*$"
        r"|(?:用|说|講|讲|换成|改成|切换到?)\s*(?:中文|汉语|普通话|国语)"
        r"|^\s*中文\s*[。！!？?]*\s*$"
    ),
}


@dataclass(frozen=True)
class Decision:
    """The language chosen for the reply, and the rule that chose it."""

    language: str
    reason: str  # explicit-request | han-script | kept | client | detected | default
    switched: bool = False  # True when an explicit request changed the language


def normalise_client_code(code: Optional[str]) -> Optional[str]:
    """Map a client language code ("fr-FR", "zh-hans", "en") to fr, zh or en."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in SUPPORTED else None


def explicit_request(text: str) -> Optional[str]:
    """The language a message explicitly asks for, if it asks for one."""
    folded = fold(text)
    for language, pattern in _REQUESTS.items():
        if pattern.search(folded):
            return language
    return None


def decide(
    text: str,
    previous: Optional[str] = None,
    client_code: Optional[str] = None,
) -> Decision:
    """Choose the reply language for ``text``.

    ``previous`` is the language of the user's last reply, if any;
    ``client_code`` is the language the messaging client reports (Telegram's
    ``language_code``), if any.
    """
    previous = previous if previous in SUPPORTED else None
    client = normalise_client_code(client_code)

    requested = explicit_request(text)
    if requested:
        return Decision(requested, "explicit-request", switched=requested != previous)
    if has_han(text):
        return Decision("zh", "han-script")

    prior = previous or client
    kept = Decision(prior, "kept" if previous else "client") if prior else None
    words = _words_without_names(text)
    if len(words) < 2 and kept:
        return kept  # "ok", "merci", "Mont Blanc": too short to tell
    if not words or (len(words) == 1 and not _single_word_evidence(text, words[0])):
        return kept or Decision(DEFAULT, "default")

    score = french_score(text, words)
    guess = "fr" if score > 0 else "en"
    if kept is None or guess == prior:
        return Decision(guess, "detected")
    if len(words) >= MIN_WORDS_TO_SWITCH and abs(score) >= SWITCH_SCORE:
        return Decision(guess, "detected")
    return kept


def french_score(text: str, words: List[str]) -> float:
    """Above 0: French; below: English. Sums three kinds of evidence.

    langdetect's letter statistics (limited to fr/en, seeded, its log-odds
    capped because it is overconfident on short text), everyday words of
    either language (bot/function_words.yml), and French accents/elisions.
    """
    french, english = _function_words()
    probability = _detect(" ".join(words))
    probability = min(max(probability, 0.05), 0.95)
    score = math.log(probability / (1 - probability))
    score += WORD_WEIGHT * (sum(w in french for w in words) - sum(w in english for w in words))
    if _FRENCH_MARKS.search(text):
        score += ACCENT_WEIGHT
    return score


def _single_word_evidence(text: str, word: str) -> bool:
    """Whether one word can tell French from English: an everyday word of
    either language, a French accent or elision, or enough letters for
    langdetect."""
    french, english = _function_words()
    return (
        word in french
        or word in english
        or bool(_FRENCH_MARKS.search(text))
        or len(word) >= MIN_LETTERS_TO_DETECT
    )


def _words_without_names(text: str) -> List[str]:
    """Lower-case words of the text, place and activity names set aside."""
    remaining = text
    for found in sorted(_names().find(text), key=lambda f: -f["start"]):
        remaining = remaining[: found["start"]] + " " + remaining[found["end"] :]
    return [w for w in _WORD.findall(remaining.lower())]


def _detect(text: str) -> float:
    """langdetect's probability that ``text`` is French rather than English."""
    detector = _factory().create()
    detector.append(text)
    try:
        probabilities = {p.lang: p.prob for p in detector.get_probabilities()}
    except Exception:  # langdetect raises on text without letters it knows
        return 0.5
    return probabilities.get("fr", 0.0)


_FACTORY = None
_FACTORY_LOCK = threading.Lock()


def _factory():
    """A langdetect factory that knows only French and English (built once)."""
    global _FACTORY
    with _FACTORY_LOCK:
        if _FACTORY is None:
            from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

            factory = DetectorFactory()
            profiles = [
                (Path(PROFILES_DIRECTORY) / code).read_text(encoding="utf-8")
                for code in ("fr", "en")
            ]
            factory.load_json_profile(profiles)
            factory.set_seed(0)
            _FACTORY = factory
    return _FACTORY


@functools.lru_cache(maxsize=1)
def _function_words() -> Tuple[Set[str], Set[str]]:
    data = yaml.safe_load(FUNCTION_WORDS.read_text(encoding="utf-8"))
    return set(map(str, data["fr"])), set(map(str, data["en"]))


@functools.lru_cache(maxsize=1)
def _names() -> Gazetteer:
    """Place and activity names from nlu/entities.yml (language-neutral)."""
    return Gazetteer.from_pairs((form, "name", value) for form, value in synonyms().items())
