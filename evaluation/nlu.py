"""Intent macro-F1 and entity F1 per language on the held-out messages.

python -m evaluation.nlu [--model models/] [--out docs/evaluation-nlu.md]
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from evaluation import heldout
from language import LANGUAGES
from rasa_extensions import command as rasa_command


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Unweighted mean of the per-label F1 over the labels of ``gold``."""
    labels = sorted(set(gold))
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=False))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=False))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=False))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def entity_f1(gold: Iterable[Counter], predicted: Iterable[Counter]) -> float:
    """Micro F1 over (entity type, surface text) pairs, message by message."""
    tp = fp = fn = 0
    for g, p in zip(gold, predicted, strict=False):
        common = sum((g & p).values())
        tp += common
        fp += sum(p.values()) - common
        fn += sum(g.values()) - common
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


async def parse_all(model: Path, examples: list[heldout.Example]) -> list[dict]:
    import logging

    from rasa_extensions import speedups

    speedups.import_skops_first()  # before TensorFlow, if not loaded yet: 9 s less
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))
    return [await agent.parse_message(e.text) for e in examples]


def evaluate(
    model: Path,
    languages=LANGUAGES,
    by_language: dict[str, list[heldout.Example]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Scores per language: intent macro-F1, accuracy, entity F1, errors.

    On the held-out messages, or on ``by_language`` (language -> examples),
    as cross-validation does with a fold of the training data.
    ``nlu_fallback`` counts as ``out_of_scope``: both get the same answer.
    """
    by_language = by_language or {language: heldout.load(language) for language in languages}
    everything = [e for examples in by_language.values() for e in examples]
    parsed = asyncio.run(parse_all(model, everything))
    results: dict[str, dict[str, Any]] = {}
    offset = 0
    for language, examples in by_language.items():
        chunk = parsed[offset : offset + len(examples)]
        offset += len(examples)
        gold = [e.intent for e in examples]
        predicted = [_answered_as(p["intent"]["name"]) for p in chunk]
        gold_entities = [Counter(e.entities) for e in examples]
        predicted_entities = [
            Counter(
                (ent["entity"], p["text"][ent["start"] : ent["end"]])
                for ent in p.get("entities", [])
                if ent["entity"] in ("place", "activity")
            )
            for p in chunk
        ]
        results[language] = {
            "examples": len(examples),
            "intent_macro_f1": macro_f1(gold, predicted),
            "intent_accuracy": sum(g == p for g, p in zip(gold, predicted, strict=False))
            / len(gold),
            "entity_f1": entity_f1(gold_entities, predicted_entities),
            "predicted": predicted,
            "errors": [
                (e.text, e.intent, p)
                for e, p in zip(examples, predicted, strict=False)
                if e.intent != p
            ],
        }
    return results


def _answered_as(intent: str) -> str:
    return "out_of_scope" if intent == "nlu_fallback" else intent


def latest_model(directory: Path) -> Path:
    model = rasa_command.latest_model(directory)
    if model is None:
        raise SystemExit(f"No trained model in {directory}: run `make train` first.")
    return model


def report(results: dict[str, dict[str, Any]], model: Path) -> str:
    lines = [
        "| language | held-out examples | intent macro-F1 | intent accuracy | entity F1 |",
        "|---|---|---|---|---|",
    ]
    for language, r in results.items():
        lines.append(
            f"| {language} | {r['examples']} | {r['intent_macro_f1']:.3f} | "
            f"{r['intent_accuracy']:.3f} | {r['entity_f1']:.3f} |"
        )
    lines.append("")
    lines.append("Misclassified held-out messages (text, expected, predicted):")
    lines.append("")
    for language, r in results.items():
        for text, gold, predicted in r["errors"]:
            lines.append(f"- {language}: `{text}`: {gold} -> {predicted}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=Path("models"))
    args = parser.parse_args(argv)
    model = args.model if args.model.is_file() else latest_model(args.model)
    print(report(evaluate(model), model))


if __name__ == "__main__":
    main()
