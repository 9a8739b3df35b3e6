"""Intent macro-F1 per language by k-fold cross-validation on the training data alone.

    python -m evaluation.cross_validation CONFIG [CONFIG...] [--folds 5]

For choosing a setting (a weight, a threshold) without looking at the
held-out messages of tests/nlu_heldout/, which only measure. The training
data is what ``rasa train`` reads with config.yml: every example of nlu/ and
one ``faq`` example per way of asking of content/faq.yml. Each fold keeps
the same share of every (language, intent); each model is trained on the
other folds with the config given, its importers left out (the folds already
hold the FAQ's ways of asking: the importer would add the held-out fold's
back).
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from curated import nlu_examples
from curated.content import load
from curated.schema import FAQ_INTENT
from evaluation import heldout, nlu
from language import LANGUAGES
from rasa_extensions import command as rasa_command
from rasa_extensions.command import ROOT


@dataclass(frozen=True)
class Item:
    language: str
    intent: str
    raw: str  # as written in nlu/, entity annotations included


def training_items(
    nlu_dir: Path = ROOT / "nlu", content_dir: Path = ROOT / "content"
) -> list[Item]:
    """Every example ``rasa train`` learns from with config.yml."""
    items = [Item(e.language, e.intent, e.raw) for e in nlu_examples.examples(nlu_dir)]
    for entry in load(content_dir).faq:
        for language in sorted(entry.questions):
            items.extend(
                Item(language, FAQ_INTENT, question) for question in entry.questions[language]
            )
    return items


def folds(items: Sequence[Item], k: int, seed: int = 0) -> list[list[Item]]:
    """``k`` folds, each with about 1/k of every (language, intent)."""
    groups: dict[tuple, list[Item]] = defaultdict(list)
    for item in items:
        groups[(item.language, item.intent)].append(item)
    out: list[list[Item]] = [[] for _ in range(k)]
    rng = random.Random(seed)
    start = 0
    for key in sorted(groups):
        members = groups[key][:]
        rng.shuffle(members)
        for i, item in enumerate(members):
            out[(start + i) % k].append(item)
        start += len(members)  # the remainders do not all land in fold 0
    return out


def write_nlu(items: Sequence[Item], directory: Path) -> None:
    """Rasa NLU YAML of ``items``, and nlu/entities.yml (synonyms) beside it."""
    directory.mkdir(parents=True)
    by_intent: dict[str, list[str]] = defaultdict(list)
    for item in items:
        by_intent[item.intent].append(item.raw)
    data = {
        "version": "3.1",
        "nlu": [
            {"intent": intent, "examples": "".join(f"- {raw}\n" for raw in examples)}
            for intent, examples in sorted(by_intent.items())
        ],
    }
    (directory / "examples.yml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1 << 20), encoding="utf-8"
    )
    shutil.copy(ROOT / "nlu" / "entities.yml", directory / "entities.yml")


def without_importers(config: Path, out: Path) -> Path:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data.pop("importers", None)
    out.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1 << 20), encoding="utf-8"
    )
    return out


@dataclass(frozen=True)
class Result:
    macro_f1: dict[str, float]  # per language, over the predictions of all folds
    train_s: list[float]  # per fold


def cross_validate(config: Path, work: Path, k: int = 5, seed: int = 0) -> Result:
    """Every fold predicted by a model trained on the others with ``config``."""
    work.mkdir(parents=True, exist_ok=True)
    plain_config = without_importers(config, work / "config.yml")
    parts = folds(training_items(), k, seed)
    gold: dict[str, list[str]] = defaultdict(list)
    predicted: dict[str, list[str]] = defaultdict(list)
    seconds = []
    for index, held in enumerate(parts):
        data = work / f"fold-{index}"
        write_nlu([item for j, part in enumerate(parts) if j != index for item in part], data)
        trained = rasa_command.train_nlu(plain_config, data, work, f"fold-{index}")
        seconds.append(trained.seconds)
        examples: dict[str, list[heldout.Example]] = defaultdict(list)
        for item in held:
            examples[item.language].append(
                heldout.Example(item.language, item.intent, nlu_examples.plain(item.raw))
            )
        scores = nlu.evaluate(trained.model, by_language=dict(examples))
        for language, language_examples in examples.items():
            gold[language].extend(e.intent for e in language_examples)
            predicted[language].extend(scores[language]["predicted"])
        trained.model.unlink()
        shutil.rmtree(work / f"cache-fold-{index}", ignore_errors=True)
    return Result(
        {language: nlu.macro_f1(gold[language], predicted[language]) for language in LANGUAGES},
        seconds,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("configs", nargs="+", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    print(
        f"| config | {' | '.join(f'{lang} macro-F1' for lang in LANGUAGES)} | mean | training per fold |"
    )
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n, config in enumerate(args.configs):
            result = cross_validate(config, Path(tmp) / str(n), args.folds)
            f1 = result.macro_f1
            mean = sum(f1.values()) / len(f1)
            train = sum(result.train_s) / len(result.train_s)
            print(
                f"| {config.name} | {' | '.join(f'{f1[lang]:.3f}' for lang in LANGUAGES)} | {mean:.3f} | {train:.0f} s |",
                flush=True,
            )


if __name__ == "__main__":
    main()
