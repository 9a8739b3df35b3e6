"""Real questions nobody here wrote: is out of scope refused, is the section asked answered?

``python -m evaluation.outside`` runs every message of ../shared/eval/outside_dev
(CrossWOZ, CLINC150, xSID; never trained on, never used to choose anything)
through what the assistant does with it: the language decision, the trained
model (in process), the rule of dialogue/rules.yml for its intent, and the real
decision of the actions with the curated content, each message from a new
tourist. What answered is read from each reply's ``why`` (the rule that
answered, as the review app shows it): the out-of-scope answer, small talk, "which destination?", or
in-domain content (a place's text, an FAQ answer, offers, events, contacts).

The figure that matters: the share of out-of-scope messages answered with
in-domain content (target: at most 2%).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from language import decision
from rasa_extensions.command import ROOT

OUTSIDE = ROOT.parent / "shared" / "eval" / "outside_dev"
RULES = ROOT / "dialogue" / "rules.yml"

# The out-of-scope files: (file, column of the text, language column or None).
OUT_OF_SCOPE = (
    ("crosswoz_val_out_of_scope_sample500.tsv", "text"),
    ("clinc150_out_of_scope_train_val_en.tsv", "text"),
    ("xsid_valid_zh_en.tsv", "zh"),
    ("xsid_valid_zh_en.tsv", "en"),
)
GREAT_WALL = "crosswoz_val_greatwall.tsv"

# The Great Wall section each CrossWOZ turn names, read by hand (None: no
# section the content covers: a hotel, a restaurant, another site near it, or
# a section it does not cover). What the assistant should answer, in the file's
# README: about the section named, never another section's content.
SECTION_NAMED = {
    0: "badaling",  # scenic spots around Badaling: not answered by the content
    1: None,  # 八达岭古长城 (the remnant wall near Badaling): not Badaling's scenic area
    2: "badaling",
    3: "badaling",  # a taxi to Badaling: the taxi is out of scope
    4: None,  # a restaurant named after Badaling
    5: "badaling",
    6: "badaling",  # the China Great Wall Museum, in Badaling's scenic area
    7: "badaling",
    8: "shuiguan",  # the metro to Shuiguan
    9: None,  # the Commune by the Great Wall (a hotel)
    10: "badaling",
    11: None,  # Badaling National Forest Park
    12: None,
    13: "simatai",
    14: None,
    15: None,
    16: None,
    17: "badaling",
    18: "badaling",
    19: "badaling",
    20: "badaling",
    21: "badaling",
    22: "badaling",
    23: None,
}


@dataclass
class Outcome:
    text: str
    intent: str
    kinds: tuple[str, ...]  # the kind of each reply: out_of_scope, place, faq...
    places: tuple[str, ...]  # the places whose content was given

    @property
    def in_domain(self) -> bool:
        return any(k in IN_DOMAIN for k in self.kinds)


IN_DOMAIN = {"place", "faq", "offers", "events", "contact"}


def rows(name: str) -> Iterator[dict[str, str]]:
    with open(OUTSIDE / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


class Assistant:
    """The assistant as one turn of a new tourist sees it, without servers: the
    model's parse, the rule of dialogue/rules.yml, then the actions' own
    decision (actions/decision.py) on the content read here."""

    def __init__(self, model: Path) -> None:
        from curated.content import load
        from curated.offices import read
        from evaluation.faq_compare import parser

        self.parse = parser(model)
        self.content = load(ROOT / "content")
        self.offices = read(ROOT / "content")
        self.rules = _rules()

    def turn(
        self, text: str, slots: dict[str, str] | None = None, language: str | None = None
    ) -> Outcome:
        import datetime as dt

        from actions.decision import decide
        from actions.turn import Turn, entities_of

        language = language or decision.decide(text, None, None).language
        parsed = self.parse(text)
        intent = (parsed.get("intent") or {}).get("name") or "nlu_fallback"
        action = self.rules.get(intent, "action_out_of_scope")
        if action.startswith("utter_"):
            self.whys, self.last_events = [action], []
            self.texts = [self._utterance(action, language)]
            return Outcome(text, intent, ("small_talk",), ())
        # What the actions read of the intent: its name and confidence, the
        # nearest training example (rasa_extensions/nearest_example.py).
        understood = parsed.get("intent") or {}
        nearest = understood.get("nearest_example")
        others = [r["name"] for r in parsed.get("intent_ranking") or [] if r["name"] != intent]
        turn = Turn(
            action=action,
            text=text,
            language=language,
            intent=intent,
            confidence=float(understood.get("confidence") or 0.0),
            nearest=nearest if isinstance(nearest, dict) else None,
            ranking=(intent, *others),
            entities=tuple(
                e
                for e in entities_of(text, parsed.get("entities") or [])
                if e.kind in ("place", "activity")
            ),
            place=(slots or {}).get("place"),
        )
        decided = decide(turn, self.content, dt.datetime.now(dt.timezone.utc), self.offices)
        self.last_events = decided.events
        self.whys = [str(why) for why in decided.why]
        self.texts = [
            r.text or self._utterance(r.response or "", language) for r in decided.replies
        ]
        kinds = tuple(why.rule for why in decided.why)
        places = tuple(why.place for why in decided.why if why.rule == "place" and why.place)
        return Outcome(text, intent, kinds, places)

    def _utterance(self, response: str, language: str) -> str:
        """The text of a domain response in ``language`` (its condition on the slot)."""
        from testkit.actions import domain

        variations = domain().get("responses", {}).get(response, [])
        for variation in variations:
            conditions = variation.get("condition") or []
            if any(c.get("value") == language for c in conditions):
                return str(variation.get("text", ""))
        plain = [v for v in variations if not v.get("condition")]
        return str(plain[0].get("text", "")) if plain else ""


def _rules() -> dict[str, str]:
    """intent -> the action that answers it (a rule's first action: contact_human's
    rule runs action_contact, then offers a person, which adds no content)."""
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    found = {}
    for rule in data["rules"]:
        steps = rule["steps"]
        if len(steps) >= 2 and "intent" in steps[0] and "action" in steps[1]:
            found[steps[0]["intent"]] = steps[1]["action"]
    return found


def measure(answer: Callable[[str], Outcome]) -> dict[str, dict]:
    results: dict[str, dict] = {}
    for name, column in OUT_OF_SCOPE:
        outcomes = [answer(row[column]) for row in rows(name)]
        wrong = [o for o in outcomes if o.in_domain]
        results[f"{name} ({column})"] = {
            "messages": len(outcomes),
            "in_domain": len(wrong),
            "kinds": Counter(k for o in outcomes for k in set(o.kinds)),
            "examples": [(o.text, o.intent, o.kinds) for o in wrong[:8]],
        }
    great_wall = []
    for number, row in enumerate(rows(GREAT_WALL)):
        outcome = answer(row["text"])
        named = SECTION_NAMED.get(number)
        other = [p for p in outcome.places if p != named]
        great_wall.append((number, row["text"], named, outcome, other))
    results[GREAT_WALL] = {
        "messages": len(great_wall),
        "another_place": sum(1 for *_, other in great_wall if other),
        "about_the_section": sum(
            1 for _, _, named, o, _ in great_wall if named and named in o.places
        ),
        "sections_named": sum(1 for _, _, named, _, _ in great_wall if named),
        "rows": great_wall,
    }
    return results


CONTENT_INTENTS = (
    "ask_overview", "ask_directions", "ask_prices", "ask_hours", "ask_best_time",
    "ask_activities", "ask_offers", "ask_events", "contact_human", "faq",
)  # fmt: skip


def heldout_refused(answer: Callable[[str], Outcome]) -> dict[str, tuple[int, int]]:
    """The cost of refusing: held-out questions of the content intents
    (tests/nlu_heldout, never trained on) that get the out-of-scope answer,
    per language: (refused, questions)."""
    from evaluation import heldout

    found = {}
    for language, examples in heldout.load_all().items():
        asked = [e for e in examples if e.intent in CONTENT_INTENTS]
        refused = [e for e in asked if set(answer(e.text).kinds) <= {"out_of_scope", "not_covered"}]
        found[language] = (len(refused), len(asked))
    return found


def report(results: dict[str, dict]) -> list[str]:
    lines = ["| file | messages | answered with in-domain content | share |", "|---|---|---|---|"]
    total = wrong = 0
    for name, result in results.items():
        if name == GREAT_WALL:
            continue
        total += result["messages"]
        wrong += result["in_domain"]
        share = result["in_domain"] / result["messages"]
        lines.append(f"| {name} | {result['messages']} | {result['in_domain']} | {share:.1%} |")
    lines.append(f"| all out-of-scope files | {total} | {wrong} | {wrong / total:.1%} |")
    gw = results[GREAT_WALL]
    lines += [
        "",
        f"Great Wall turns ({GREAT_WALL}, {gw['messages']}): answered with another place's content: "
        f"{gw['another_place']}; sections named that the content covers: {gw['sections_named']}, "
        f"answered about that section: {gw['about_the_section']}.",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    from evaluation.nlu import latest_model

    parser = argparse.ArgumentParser(
        prog="python -m evaluation.outside", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--model", type=Path, default=ROOT / "models", help="model file or folder")
    parser.add_argument(
        "--show", action="store_true", help="list the messages answered with content"
    )
    args = parser.parse_args(argv)
    if not OUTSIDE.exists():
        print(f"{OUTSIDE} is not there: nothing to measure.", file=sys.stderr)
        return 1
    model = args.model if args.model.is_file() else latest_model(args.model)
    assistant = Assistant(model)
    results = measure(assistant.turn)
    print("\n".join(report(results)))
    cost = heldout_refused(assistant.turn)
    print(
        "\nHeld-out questions of the content intents (tests/nlu_heldout) refused: "
        + ", ".join(f"{lang} {n}/{total} ({n / total:.1%})" for lang, (n, total) in cost.items())
    )
    if args.show:
        for name, result in results.items():
            if name == GREAT_WALL:
                for number, text, named, outcome, _other in result["rows"]:
                    print(
                        f"GW{number:>2} named={named} -> {outcome.intent} {outcome.kinds} {outcome.places} {text}"
                    )
                continue
            print(f"\n{name}: {dict(result['kinds'])}")
            for text, intent, kinds in result["examples"]:
                print(f"  {intent:15} {kinds} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
