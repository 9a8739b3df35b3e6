"""Decide the language of the next reply: French, Chinese or English.

Every message goes through :func:`decide` in the channel layer, before Rasa
sees it; the decision travels to Rasa as message metadata and fills the
``language`` slot, so every reply, fallback included, is in that language.

The rules, in order:

1. an explicit request addressed to the assistant ("in English please", "en
   français", "说中文", "peux-tu parler anglais") switches; a question that
   names a language ("有会说法语的导游吗", "is the menu in English?") does not;
2. any Han character means Chinese, in Simplified or Traditional script (see
   ``decide`` and language/chinese.py);
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

import yaml

from language import DEFAULT, LANGUAGES, VARIANTS, chinese
from language.names import Gazetteer, synonyms
from language.requests import requested
from language.text import has_han

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
# Read for the language: the start of a message tells it, and a 4,096-character
# Telegram message read whole took up to half a second.
MAX_CHARACTERS_READ = 1000

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Letters that English words practically never carry, and the elisions
# ("l'aiguille", "c'est", "j'ai") that only French makes.
_FRENCH_MARKS = re.compile(r"[éèêëàâçîïôûùœæ]|\b(?:[cdjlmnst]|qu)['’][a-zà-ÿ]", re.I)


@dataclass(frozen=True)
class Decision:
    """The language chosen for the reply, and the rule that chose it."""

    language: str  # fr | zh | en: Rasa's language slot, the content's language
    reason: str  # explicit-request | han-script | kept | client | detected | default
    switched: bool = False  # True when an explicit request changed the language
    variant: str = ""  # what the tourist reads: fr | en | zh-Hans | zh-Hant

    def __post_init__(self) -> None:
        if not self.variant:
            object.__setattr__(self, "variant", choose_variant(self.language))


def normalise_client_code(code: str | None) -> str | None:
    """Map a client language code ("fr-FR", "zh-hans", "en") to fr, zh or en."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in SUPPORTED else None


def client_variant(code: str | None) -> str | None:
    """What a client code asks to read: "zh-TW" -> zh-Hant, "zh-CN" -> zh-Hans, "fr-FR" -> fr."""
    language = normalise_client_code(code)
    return chinese.client_script(code) if language == "zh" else language


def variant_of(remembered: str | None) -> str | None:
    """A remembered language as a variant: "zh" (kept before scripts were told apart) is zh-Hans."""
    if remembered == "zh":
        return chinese.SIMPLIFIED
    return remembered if remembered in VARIANTS else None


def language_of(variant: str) -> str:
    """The language of a variant: zh-Hant -> zh."""
    return "zh" if variant in chinese.SCRIPTS else variant


def choose_variant(
    language: str,
    written: str | None = None,
    previous: str | None = None,
    client: str | None = None,
) -> str:
    """What the tourist reads, once the language is chosen.

    For Chinese, the first script known among the script the message is
    written in (or asks for), the user's previous one and the client's;
    Simplified when none is.
    """
    if language != "zh":
        return language
    for candidate in (written, previous, client):
        if candidate in chinese.SCRIPTS:
            return candidate
    return chinese.SIMPLIFIED


def keep(previous: str | None = None, client_code: str | None = None) -> Decision:
    """The decision for a message with no language in it (a button, a sticker).

    The user's language and script, else the client's, else the default.
    """
    remembered = variant_of(previous)
    client = client_variant(client_code)
    if remembered:
        return Decision(language_of(remembered), "kept", variant=remembered)
    if client:
        return Decision(language_of(client), "client", variant=client)
    return Decision(DEFAULT, "default")


def explicit_request(text: str) -> str | None:
    """The language a message explicitly asks for, if it asks for one."""
    request = requested(text)
    return request[0] if request else None


def decide(
    text: str,
    previous: str | None = None,
    client_code: str | None = None,
) -> Decision:
    """Choose the reply language for ``text``, and for Chinese its script.

    ``previous`` is what the user was last answered in (fr, en, zh-Hans,
    zh-Hant, or zh as remembered before scripts were told apart), if any;
    ``client_code`` is the language the messaging client reports (Telegram's
    ``language_code``), if any.

    The script: a message with characters that exist only in Traditional form
    is zh-Hant, one with Simplified-only characters zh-Hans (see
    ``chinese.script``); otherwise the user's script is kept, or for a new
    user the client's ("zh-hant", "zh-TW", "zh-HK": Traditional), else
    Simplified. A request naming a script ("用繁体中文") takes it. Only the
    first ``MAX_CHARACTERS_READ`` characters are read.
    """
    text = text[:MAX_CHARACTERS_READ]
    remembered = variant_of(previous)
    previous_language = language_of(remembered) if remembered else None
    client = client_variant(client_code)
    written = chinese.script(text)

    def chosen(language: str, reason: str, script: str | None = None, **extra) -> Decision:
        variant = choose_variant(language, script or written, remembered, client)
        return Decision(language, reason, variant=variant, **extra)

    request = requested(text)
    if request:
        language, script = request
        return chosen(language, "explicit-request", script, switched=language != previous_language)
    if has_han(text):
        return chosen("zh", "han-script")

    prior = previous_language or (language_of(client) if client else None)
    kept = chosen(prior, "kept" if previous_language else "client") if prior else None
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


def french_score(text: str, words: list[str]) -> float:
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


def _words_without_names(text: str) -> list[str]:
    """Lower-case words of the text, place and activity names set aside."""
    remaining = text
    for found in sorted(_names().find(text), key=lambda f: -f["start"]):
        remaining = remaining[: found["start"]] + " " + remaining[found["end"] :]
    return _WORD.findall(remaining.lower())


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
def _function_words() -> tuple[set[str], set[str]]:
    data = yaml.safe_load(FUNCTION_WORDS.read_text(encoding="utf-8"))
    return set(map(str, data["fr"])), set(map(str, data["en"]))


@functools.lru_cache(maxsize=1)
def _names() -> Gazetteer:
    """Place and activity names from nlu/entities.yml (language-neutral)."""
    return Gazetteer.from_pairs((form, "name", value) for form, value in synonyms().items())
