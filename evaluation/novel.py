"""New questions nobody here wrote: is each answered right, refused, or from another entry?

``python -m evaluation.novel`` plays every conversation of ../shared/eval/novel_dev
(cases.yaml: new in-scope questions and follow-ups in three languages, a few out
of scope; its README) through what the assistant does with each turn: the
language decision with the conversation's previous language, the trained model
(in process), the rule of dialogue/rules.yml for its intent and the real action
on the curated content, the place slot carried from turn to turn. Never used to
choose anything: it measures.

Each turn is *right* when the joined replies are in the expected language, match
every ``any`` pattern and no ``none`` pattern; *refused* when the assistant gave
its out-of-scope or not-covered answer to an in-scope turn; *wrong entry*
otherwise (it answered, but not what was asked). An out-of-scope turn is right
when refused.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from evaluation.outside import Assistant
from language import chinese, decision
from rasa_extensions.command import ROOT

CASES = ROOT.parent / "shared" / "eval" / "novel_dev" / "cases.yaml"
REFUSALS = ("out_of_scope", "not_covered")


@dataclass
class Turn:
    conversation: str
    text: str
    expect: str
    language: str  # the language the assistant chose
    replies: str
    whys: tuple[str, ...]
    verdict: str  # right | refused | wrong


def play(assistant: Assistant, conversation: dict) -> list[Turn]:
    previous: str | None = None
    slots: dict[str, str] = {}
    played = []
    for turn in conversation["turns"]:
        text = turn["text"]
        chosen = decision.decide(text, previous, None)
        variant = chosen.variant
        understood = chinese.to_simplified(text) if variant == chinese.TRADITIONAL else text
        outcome = assistant.turn(understood, slots, language=chosen.language)
        replies = "\n".join(assistant.texts)
        if variant == chinese.TRADITIONAL:
            replies = chinese.to_traditional(replies)
        for event in assistant.last_events:
            if event.get("event") == "slot" and event.get("name") == "place" and event.get("value"):
                slots["place"] = event["value"]
        previous = variant
        refused = bool(outcome.kinds) and all(k in REFUSALS for k in outcome.kinds)
        matches = all(
            re.search(p, replies, re.IGNORECASE) for p in turn.get("any", ())
        ) and not any(re.search(p, replies, re.IGNORECASE) for p in turn.get("none", ()))
        right = turn["expect"] == chosen.language and (
            refused if turn.get("oos") else matches and not refused
        )
        verdict = "right" if right else ("refused" if refused else "wrong")
        played.append(
            Turn(conversation["id"], text, turn["expect"], chosen.language, replies,
                 tuple(assistant.whys), verdict)
        )  # fmt: skip
    return played


def measure(assistant: Assistant, cases: Path = CASES) -> list[Turn]:
    data = yaml.safe_load(cases.read_text(encoding="utf-8"))
    return [t for conversation in data["conversations"] for t in play(assistant, conversation)]


def report(turns: list[Turn]) -> list[str]:
    lines = ["| language | turns | right | refused | wrong entry |", "|---|---|---|---|---|"]
    for language in ("fr", "zh", "en", None):
        chosen = [t for t in turns if language is None or t.expect == language]
        counts = Counter(t.verdict for t in chosen)
        lines.append(
            f"| {language or 'all'} | {len(chosen)} | {counts['right']} | {counts['refused']}"
            f" | {counts['wrong']} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    from evaluation.nlu import latest_model

    parser = argparse.ArgumentParser(
        prog="python -m evaluation.novel", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--model", type=Path, default=ROOT / "models", help="model file or folder")
    parser.add_argument("--show", action="store_true", help="print every turn not right")
    args = parser.parse_args(argv)
    if not CASES.exists():
        print(f"{CASES} is not there: nothing to measure.", file=sys.stderr)
        return 1
    model = args.model if args.model.is_file() else latest_model(args.model)
    turns = measure(Assistant(model))
    print("\n".join(report(turns)))
    if args.show:
        for t in turns:
            if t.verdict != "right":
                print(f"\n[{t.verdict}] {t.conversation}: {t.text} ({t.expect}->{t.language})")
                print(f"  why: {t.whys}")
                print("  " + t.replies.replace("\n", "\n  ")[:600])
    return 0


if __name__ == "__main__":
    sys.exit(main())
