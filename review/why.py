"""Why the assistant answered (or refused) as it did, in the staff's language.

The actions put a typed record in each bot message's metadata (``why``,
actions/why.py), which Rasa keeps in its tracker store and the import copies
into each turn. Here it is read field by field, never parsed from a sentence:

- grounded on the content: a place's topic (``missing`` when the content has
  no such text), an FAQ entry (with the FAQ matcher's similarity), contacts,
  offers, events, thanks, a detail or an activity the place's content lacks;
- when the ranking of the content's passages answered: the passages given,
  their scores, and what they won over (the pipeline's proposal, or a refusal);
- refused: outside the content, or a place not covered, with what was missing;
- asked back: which place.

A conversation logged before the record was typed kept a short text reason:
it is shown as it was written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from actions.why import (
    ASKED_RULES,
    GROUNDED_RULES,
    INTENT,
    NO_FAQ_ENTRY,
    NO_WORDS,
    REFUSED_TWICE,
    SISTER,
    Why,
)

GROUNDED, REFUSED, ASKED, OTHER = "grounded", "refused", "asked", "other"

Translator = Callable[[str], str]


@dataclass(frozen=True)
class Explained:
    kind: str  # grounded | refused | asked | other
    text: str  # e.g. "Grounded on: place chamonix, topic prices"
    raw: str  # the record in one line (actions/why.py ``Why.__str__``)


def explain(why: Mapping[str, Any] | str, t: Translator) -> Explained:
    """The reason of one reply, in the staff's language."""
    if isinstance(why, str):  # logged before the record was typed
        return Explained(OTHER, t("why_other").format(what=why), why)
    try:
        record = Why.from_dict(why)
    except (TypeError, ValueError):  # a record of another version: shown as written
        raw = json.dumps(dict(why), ensure_ascii=False)
        return Explained(OTHER, t("why_other").format(what=raw), raw)
    kind = _kind(record)
    parts = [_what(record, t), _reason(record, t)] if kind == REFUSED else [_what(record, t)]
    then = t("why_then")  # "; " between the parts of a reason, "；" in Chinese
    what = then.join(p for p in parts if p)
    if kind != REFUSED and record.reason:
        what = f"{what} ({_reason(record, t)})"
    if record.compared:
        what = then.join([what, t("why_compared").format(places=" / ".join(record.compared))])
    if record.ranked:
        what = then.join([what, _ranked(record, t)])
    label = {
        GROUNDED: "why_grounded",
        REFUSED: "why_refused",
        ASKED: "why_asked",
        OTHER: "why_other",
    }[kind]
    return Explained(kind, t(label).format(what=what), str(record))


def _kind(record: Why) -> str:
    if record.refused:
        return REFUSED
    if record.rule in ASKED_RULES:
        return ASKED
    return GROUNDED if record.rule in GROUNDED_RULES else OTHER


def _what(why: Why, t: Translator) -> str:
    """What the reply rests on."""
    rule = why.rule
    if rule == "place":
        label = "why_place_missing" if why.missing else "why_place"
        return t(label).format(place=why.place, topic=why.topic)
    if rule == "faq":
        if why.similarity is None:
            return t("why_faq").format(entry=why.entry)
        return t("why_faq_similarity").format(entry=why.entry, score=f"{why.similarity:.2f}")
    if rule == "contact":
        return t("why_contact").format(place=why.place or t("why_main_offices"))
    if rule in ("offers", "events"):
        if why.missing:
            return t(f"why_{rule}_none")
        return t(f"why_{rule}").format(place=why.place or why.entry or t("why_all"))
    if rule == "which_place":
        return t("why_which_place").format(intent=why.intent)
    if rule == "not_covered":
        return t("why_not_covered").format(name=why.name)
    if rule == "out_of_scope":
        return ""
    if rule in ("detail_missing", "activity_missing"):
        return t(f"why_{rule}").format(place=why.place, topic=why.topic, activity=why.name)
    return t(f"why_{rule}")  # thanks, greeting, handoff_offered, handoff_requested


def _reason(why: Why, t: Translator) -> str:
    """What a refusal lacked, or what was added to an answer, in the staff's words."""
    if why.reason == NO_WORDS:
        return t("why_no_words").format(topic=why.words)
    if why.reason == NO_FAQ_ENTRY:
        return t("why_no_faq")
    if why.reason == INTENT:
        return t("why_intent").format(intent=why.intent)
    if why.reason == SISTER:
        return t("why_sister")
    if why.reason == REFUSED_TWICE:
        return t("why_refused_twice")
    return t("why_out_of_scope")


def _ranked(why: Why, t: Translator) -> str:
    """The passages the ranking gave, with their scores, and what they won over."""
    first, *behind = why.ranked
    text = t("why_ranked").format(
        passage=first.passage,
        score=f"{first.score:.2f}",
        words=f"{first.words:.2f}",
        meaning=f"{first.meaning:.2f}",
        over=why.over or t("why_over_refusal"),
    )
    for other in behind:
        close = t("why_close_behind").format(passage=other.passage, score=f"{other.score:.2f}")
        text = t("why_then").join([text, close])
    return text
