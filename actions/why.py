"""Why the assistant gave a reply: a typed record, for the staff who review it.

Every reply the actions send carries one (``Reply.why``). It travels in the
bot message's metadata as a dict (``as_dict``), which Rasa keeps in its
tracker store; the review app imports it with the turn and shows it in the
staff's language (review/why.py), and the hand-off counts refusals with it
(actions/handoff.py). Tourists never see it.

``rule`` says which rule answered:

- grounded on the content: ``place`` (a place's topic; ``missing`` when the
  content has no text for it), ``faq``, ``contact``, ``offers``, ``events``,
  ``thanks``, ``detail_missing`` (the place's content does not speak of the
  detail asked), ``activity_missing``;
- asked back: ``which_place``;
- refused: ``out_of_scope``, ``not_covered`` (a place we do not cover,
  ``name`` as typed);
- the hand-off: ``handoff_offered``, ``handoff_requested``; and ``greeting``
  (``preview``: the content editor's preview, never sent).

When the ranking of the content's passages answered (actions/ranking.py),
``ranked`` holds the passages given with their scores, first the one that
answered, then those close behind it, and ``over`` the pipeline's proposal
it won over (None: the pipeline refused). ``compared`` holds the two places
of a comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Protocol

GROUNDED_RULES = frozenset(
    {
        "place",
        "faq",
        "contact",
        "offers",
        "events",
        "thanks",
        "detail_missing",
        "activity_missing",
    }
)
ASKED_RULES = frozenset({"which_place"})
# The assistant refused: the content does not answer. The review app counts
# them, the hand-off offers a person after two in a row.
REFUSED_RULES = frozenset({"out_of_scope", "not_covered"})
# ``preview``: a text the content editor shows as the tourist would read it, never sent.
OTHER_RULES = frozenset({"greeting", "handoff_offered", "handoff_requested", "preview"})
RULES = GROUNDED_RULES | ASKED_RULES | REFUSED_RULES | OTHER_RULES

# What a refusal lacked, or what was added to an answer (``reason``).
NO_WORDS = "no_words"  # no place named, no words of the kind asked (``words``)
NO_FAQ_ENTRY = "no_faq_entry"  # FAQ-like, no entry close enough
INTENT = "intent"  # the intent (``intent``) is one the content does not answer
SISTER = "sister_destination"  # the sister destination, suggested after an answer
REFUSED_TWICE = "refused_twice"  # a person offered after two refusals in a row
REASONS = frozenset({NO_WORDS, NO_FAQ_ENTRY, INTENT, SISTER, REFUSED_TWICE})


@dataclass(frozen=True)
class Scored:
    """A passage the ranking gave, with its score and the two parts of the search."""

    passage: str  # its id: "faq paying_in_china", "topic badaling prices"...
    score: float
    words: float
    meaning: float


class _Passage(Protocol):
    @property
    def id(self) -> str: ...


class _Ranked(Protocol):
    """actions/ranking.py's Ranked, as far as a record needs it."""

    @property
    def passage(self) -> _Passage: ...
    @property
    def score(self) -> float: ...
    @property
    def lexical(self) -> float: ...
    @property
    def meaning(self) -> float: ...


def scored(ranked: _Ranked) -> Scored:
    """A ranked passage as the record keeps it (scores to three decimals)."""
    return Scored(
        ranked.passage.id,
        round(ranked.score, 3),
        round(ranked.lexical, 3),
        round(ranked.meaning, 3),
    )


@dataclass(frozen=True)
class Why:
    rule: str
    place: str | None = None  # the place answered about
    topic: str | None = None  # the place's topic (prices, location...)
    entry: str | None = None  # the FAQ entry, event or offer
    name: str | None = None  # what the tourist typed: a place not covered, an activity
    missing: bool = False  # the content has no text for this place's topic
    similarity: float | None = None  # the FAQ matcher's similarity to the entry
    reason: str | None = None  # one of REASONS
    words: str | None = None  # with NO_WORDS: the kind of words looked for
    intent: str | None = None  # with INTENT and which_place: the intent
    ranked: tuple[Scored, ...] = ()
    over: str | None = None  # with ranked: the pipeline's proposal, None for a refusal
    compared: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown rule {self.rule!r}: one of {sorted(RULES)}")
        if self.reason is not None and self.reason not in REASONS:
            raise ValueError(f"unknown reason {self.reason!r}: one of {sorted(REASONS)}")

    @property
    def refused(self) -> bool:
        return self.rule in REFUSED_RULES

    def as_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data, without the fields left empty."""
        empty = {f.name: f.default for f in fields(self)}
        data = {k: v for k, v in asdict(self).items() if k == "rule" or v != empty[k]}
        for key in ("ranked", "compared"):
            if key in data:
                data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Why:
        """The record ``as_dict`` wrote (unknown keys are ignored: a newer writer)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["ranked"] = tuple(Scored(**s) for s in values.get("ranked") or ())
        values["compared"] = tuple(values.get("compared") or ())
        return cls(**values)

    def __str__(self) -> str:
        """One line for logs and evaluation reports: "place badaling prices",
        "out_of_scope: intent nlu_fallback", "faq tipping_in_france; ranked ..."."""
        head = [self.rule, self.place, self.topic, self.entry, self.name]
        if not self.reason:
            head.append(self.intent)
        text = " ".join(p for p in head if p) + (" (missing)" if self.missing else "")
        if self.reason:
            text += ": " + " ".join(p for p in (self.reason, self.words, self.intent) if p)
        for number, given in enumerate(self.ranked):
            text += f"; {'ranked' if number == 0 else 'close behind'} {given.passage}"
            text += f" {given.score:.2f}"
        if self.ranked:
            text += f" over {self.over or 'a refusal'}"
        return text


def is_refusal(why: Why | Mapping[str, Any] | str | None) -> bool:
    """The reply refused: the content does not answer. A ``why`` from the
    metadata of a bot message (a dict), or the text reason of a conversation
    logged before the record was typed ("out_of_scope: ...", "not_covered X")."""
    if isinstance(why, Why):
        return why.refused
    if isinstance(why, Mapping):
        return why.get("rule") in REFUSED_RULES
    if isinstance(why, str):
        return why.startswith(("out_of_scope", "not_covered "))
    return False


def rule_of(why: Why | Mapping[str, Any] | str | None) -> str:
    """The rule of a ``why`` read back from a bot message's metadata, or ""."""
    if isinstance(why, Why):
        return why.rule
    if isinstance(why, Mapping):
        return str(why.get("rule") or "")
    return ""
