"""One multilingual model against one model per language, on the same held-out messages.

    python -m evaluation.compare          (about two minutes on 2 cores)

Trains NLU models into a temporary folder with the project's config.yml and
prints a Markdown table: intent macro-F1 per language, training time and
feature count. The result is written down in docs/nlu-model.md.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from evaluation import nlu
from language import LANGUAGES
from rasa_extensions import command as rasa_command
from rasa_extensions.command import ROOT


def train_nlu(data: Path, out: Path, name: str) -> tuple[Path, float, int]:
    """Model path, seconds, and the features the featurizers created."""
    trained = rasa_command.train_nlu(ROOT / "config.yml", data, out, name)
    features = sum(
        int(n) for n in re.findall(r"(\d+) vocabulary items were created", trained.output)
    )
    return trained.model, trained.seconds, features


def main() -> None:
    rows: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        model, seconds, features = train_nlu(ROOT / "nlu", out, "all")
        scores = nlu.evaluate(model)
        rows["one model, three languages"] = {
            **{lang: f"{scores[lang]['intent_macro_f1']:.3f}" for lang in LANGUAGES},
            "train": f"{seconds:.0f} s",
            "features": str(features),
        }
        per_language = {}
        total_seconds, total_features = 0.0, 0
        for language in LANGUAGES:
            data = out / f"data-{language}"
            data.mkdir()
            for path in [*(ROOT / "nlu" / language).glob("*.yml"), ROOT / "nlu" / "entities.yml"]:
                shutil.copy(path, data / path.name)
            model, seconds, features = train_nlu(data, out, language)
            total_seconds += seconds
            total_features += features
            per_language[language] = nlu.evaluate(model, languages=[language])[language]
        rows["one model per language"] = {
            **{lang: f"{per_language[lang]['intent_macro_f1']:.3f}" for lang in LANGUAGES},
            "train": f"{total_seconds:.0f} s (3 models)",
            "features": str(total_features),
        }
    print("| pipeline | fr macro-F1 | zh macro-F1 | en macro-F1 | training | features |")
    print("|---|---|---|---|---|---|")
    for name, row in rows.items():
        shown = row["features"] if row["features"] != "0" else "n/a"
        print(f"| {name} | {row['fr']} | {row['zh']} | {row['en']} | {row['train']} | {shown} |")


if __name__ == "__main__":
    main()
