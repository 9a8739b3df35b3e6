"""Why the assistant answered (or refused) as it did, in the staff's language.

The actions put a short reason in each bot message's metadata (``why``, from
actions/answers.py ``Reply.why``), which Rasa keeps in its tracker store and
the import copies into each turn:

- ``place chamonix prices`` (``(missing)`` when the content has no such text),
  ``faq great_wall_dogs similarity 0.71``, ``contact chamonix``,
  ``offers all``/``offers none``, ``events chongli``, ``thanks``: answers
  grounded on the content;
- ``out_of_scope: no place or prices words``, ``not_covered Jinshanling: intent
  ask_directions``: refusals, with what was missing;
- ``which_place ask_prices``: the assistant asked which place.

A reason of another shape (a rule added later) is shown as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

GROUNDED, REFUSED, ASKED, OTHER = "grounded", "refused", "asked", "other"

Translator = Callable[[str], str]


@dataclass(frozen=True)
class Explained:
    kind: str  # grounded | refused | asked | other
    text: str  # e.g. "Grounded on: place chamonix, topic prices"
    raw: str  # the reason as the action wrote it


def explain(why: str, t: Translator) -> Explained:
    head, _, reason = why.partition(": ")
    words = head.split()
    kind, what = _what(words, t) if words else (OTHER, None)
    if what is None:
        return Explained(OTHER, t("why_other").format(what=why), why)
    if kind == REFUSED:
        what = "; ".join(filter(None, [what, _reason(reason, t)]))
    elif reason:
        what = f"{what} ({_reason(reason, t)})"
    label = {GROUNDED: "why_grounded", REFUSED: "why_refused", ASKED: "why_asked"}[kind]
    return Explained(kind, t(label).format(what=what), why)


def _what(words: list[str], t: Translator) -> tuple[str, str | None]:
    """The kind of reply and what it rests on, from the words before the first colon."""
    rule, rest = words[0], words[1:]
    if rule == "place" and len(rest) >= 2:
        missing = rest[2:] == ["(missing)"]
        if len(rest) == 2 or missing:
            label = "why_place_missing" if missing else "why_place"
            return GROUNDED, t(label).format(place=rest[0], topic=rest[1])
    if rule == "faq" and len(rest) == 1:
        return GROUNDED, t("why_faq").format(entry=rest[0])
    if rule == "faq" and len(rest) == 3 and rest[1] == "similarity":
        return GROUNDED, t("why_faq_similarity").format(entry=rest[0], score=rest[2])
    if rule == "contact" and rest:
        place = " ".join(rest)
        return GROUNDED, t("why_contact").format(
            place=t("why_main_offices") if place == "main offices" else place
        )
    if rule in ("offers", "events") and len(rest) == 1:
        if rest[0] == "none":
            return GROUNDED, t(f"why_{rule}_none")
        place = t("why_all") if rest[0] == "all" else rest[0]
        return GROUNDED, t(f"why_{rule}").format(place=place)
    if rule == "thanks" and not rest:
        return GROUNDED, t("why_thanks")
    if rule == "which_place" and len(rest) == 1:
        return ASKED, t("why_which_place").format(intent=rest[0])
    if rule == "out_of_scope" and not rest:
        return REFUSED, ""
    if rule == "not_covered" and rest:
        return REFUSED, t("why_not_covered").format(name=" ".join(rest))
    return OTHER, None


_NO_WORDS = re.compile(r"^no place or (\w+) words$")
_INTENT = re.compile(r"^intent (\S+)$")


def _reason(reason: str, t: Translator) -> str:
    """What a refusal lacked, or what was added to an answer, in the staff's words."""
    if not reason:
        return t("why_out_of_scope")
    if reason == "faq: no entry close enough":
        return t("why_no_faq")
    if reason == "sister destination":
        return t("why_sister")
    if match := _NO_WORDS.match(reason):
        return t("why_no_words").format(topic=match.group(1))
    if match := _INTENT.match(reason):
        return t("why_intent").format(intent=match.group(1))
    return reason
