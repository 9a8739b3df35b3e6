"""A long message cut into its questions, each to be answered in turn.

Tourists write as on forums: "Bonjour, nous venons en famille en février.
Est-ce qu'on peut louer des skis de fond à La Féclaz ? Et combien coûte le
forfait ? Merci !" Rasa reads one intent per turn, so such a message is cut
into sentences (at . ? ! … ; and a new line, 。？！；…), and:

- a sentence made only of greetings, thanks and sign-offs ("Merci !",
  "谢谢您的帮助。", "Thanks in advance, best regards") is no question of its own;
  nor is a leading greeting before a comma ("Hi, how do I..." asks "how do I...");
- a question is a sentence ending with a question mark, or starting as one
  asks without it ("je voudrais savoir...", "how do I...", or in Chinese
  holding 吗, 怎么, 多少, 请问...: question_words.yml);
- any other sentence ("we come with two children in February", "我是滑雪爱好者")
  is not sent: measured on the first 12 messages of
  evaluation/long_messages.yml, each question sent alone is fully answered for
  10 of 12 messages, with the sentences before it 2 of 12 (they make the
  question read as out of scope);
- but the place such a sentence names goes with the question after it when
  that one names none: "We'll be in Chamonix in July. What can we do when it
  rains?" asks "What can we do when it rains? (Chamonix)" (on all 15 messages:
  13 fully answered, 10 without the place carried, 1 sent whole as before).
  The caller says what a place is (``places``: its names in a text, as written).

A message with fewer than two questions is not cut: it goes as written, as
before. The words are read on first use, once per process.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from language.text import fold, has_han

WORDS = Path(__file__).with_name("question_words.yml")

# Where a sentence ends: Chinese and full-width marks (no space after them), ? and !
# (and the ellipsis), a full stop before a space, and a new line. Closing quotes and
# brackets stay with their sentence.
_END = re.compile(
    r"(?<=[。？！；…?!;])[\"'”’»)）」』]*\s*"
    r"|(?<=[.])[\"'”’»)）」』]*\s+"
    r"|\n+"
)
# A full stop that ends no sentence: an abbreviation ("Mt. Blanc", "env. 20 km").
_ABBREVIATION = re.compile(
    r"(?:\b(?:mt|st|ste|mr|mrs|ms|dr|env|approx|etc|vs|no|n°|p\.ex|e\.g|i\.e|av|bd|ca)"
    r"|\b\w)\.$",
    re.I,
)
_QUESTION_MARK = re.compile(r"[?？][\"'”’»)）」』]*\s*$")
# French questions by inversion: "peut-on", "y a-t-il", "faut-il", "avez-vous".
_INVERSION = re.compile(r"\w-(?:t-)?(?:il|elle|on|je|nous|vous|ils|elles|tu)\b", re.I)
_CLAUSE = re.compile(r"^(.*?)[,，、:：]\s*")


@dataclass(frozen=True)
class Words:
    filler: frozenset[str]  # folded Latin words of greetings and thanks
    filler_han: tuple[str, ...]  # Chinese ones, longest first
    asking: tuple[str, ...]  # folded Latin starts of a question
    asking_han: tuple[str, ...]  # Chinese question words, anywhere
    linking: tuple[str, ...]  # folded Latin words a question may open with ("and")


@functools.cache
def _words() -> Words:
    data = yaml.safe_load(WORDS.read_text(encoding="utf-8"))
    filler: set[str] = set()
    filler_han: set[str] = set()
    asking: set[str] = set()
    asking_han: set[str] = set()
    linking: set[str] = set()
    for lists in data.values():
        linking.update(fold(str(w)) for w in lists["linking"] if not has_han(w))
        for word in lists["filler"]:
            (filler_han if has_han(word) else filler).add(fold(str(word)))
        for word in lists["asking"]:
            (asking_han if has_han(word) else asking).add(
                str(word) if has_han(word) else fold(str(word))
            )
    return Words(
        frozenset(filler),
        tuple(sorted(filler_han, key=len, reverse=True)),
        tuple(sorted(asking, key=len, reverse=True)),
        tuple(asking_han),
        tuple(sorted(linking, key=len, reverse=True)),
    )


def sentences(text: str) -> list[str]:
    """``text`` cut into its sentences, each trimmed, none empty."""
    found: list[str] = []
    start = 0
    for end in _END.finditer(text):
        piece = text[start : end.start()]
        if end.group(0).strip() == "" and _ABBREVIATION.search(piece) and "\n" not in end.group(0):
            continue  # "Mt. Blanc": the sentence goes on
        found.append(piece)
        start = end.end()
    found.append(text[start:])
    return [s.strip() for s in found if s.strip()]


def is_filler(sentence: str) -> bool:
    """Only greetings, thanks and sign-offs: "Merci d'avance !", "谢谢！", "Hi there"."""
    words = _words()
    rest = sentence
    for phrase in words.filler_han:
        rest = rest.replace(phrase, " ")
    if has_han(rest):
        return False
    latin = fold(re.sub(r"[^\w\s'’-]", " ", rest)).split()
    return all(w in words.filler for w in latin) and not any(c.isdigit() for c in rest)


def is_question(sentence: str) -> bool:
    """A question mark at the end, or the words a question starts with."""
    if _QUESTION_MARK.search(sentence) or _INVERSION.search(sentence):
        return True
    words = _words()
    if any(w in sentence for w in words.asking_han):
        return True
    folded = " " + " ".join(fold(re.sub(r"[^\w\s'’-]", " ", sentence)).split()) + " "
    linked = True
    while linked:  # "and also, how much...": the linking words skipped
        linked = False
        for word in words.linking:
            if folded.startswith(f" {word} "):
                folded, linked = folded[len(word) + 1 :], True
    return any(folded.startswith(f" {start} ") for start in words.asking)


def without_greeting(sentence: str) -> str:
    """The sentence without the greeting it opens with: "Hi, how do I..." -> "how do I..."."""
    rest = sentence
    while True:
        clause = _CLAUSE.match(rest)
        if clause is None or not is_filler(clause.group(1)) or not rest[clause.end() :].strip():
            return rest
        rest = rest[clause.end() :]


def split(text: str, places: Callable[[str], list[str]] = lambda _: []) -> list[str]:
    """The questions of ``text`` in the order asked; ``[text]`` when it holds fewer than two.

    ``places`` gives the names of places a sentence holds, as written."""
    found = []
    named: list[str] = []  # the places of the sentences since the last question
    for sentence in sentences(text):
        if is_filler(sentence):
            continue
        sentence = without_greeting(sentence)
        if not is_question(sentence):
            named.extend(n for n in places(sentence) if n not in named)
            continue
        if named and not places(sentence):
            sentence = _with_places(sentence, named)
        found.append(sentence)
        named = []
    return found if len(found) >= 2 else [text]


def _with_places(question: str, names: list[str]) -> str:
    """ "What can we do? (Chamonix)", "怎么去？（崇礼）"."""
    if has_han(question):
        return f"{question}（{'、'.join(names)}）"
    return f"{question} ({', '.join(names)})"
