"""One multilingual model against one model per language, on the same held-out messages.

    python -m evaluation.compare          (about two minutes on 2 cores)

Trains NLU models into a temporary folder with the project's config.yml and
prints a Markdown table: intent macro-F1 per language, training time and
feature count. The result is written down in docs/nlu-model.md.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, Tuple

from bot.services import ROOT, _rasa, rasa_environment
from evaluation import heldout, nlu


def train_nlu(data: Path, out: Path, name: str) -> Tuple[Path, float, int]:
    """Model path, seconds, and the features the featurizers created."""
    started = time.perf_counter()
    result = subprocess.run(
        [_rasa(), "train", "nlu", "--config", "config.yml", "--nlu", str(data),
         "--out", str(out), "--fixed-model-name", name],
        cwd=ROOT, env={**rasa_environment(), "RASA_CACHE_DIRECTORY": str(out / "cache")},
        capture_output=True, text=True,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stdout[-2000:] + result.stderr[-2000:])
    log = result.stdout + result.stderr
    features = sum(int(n) for n in re.findall(r"(\d+) vocabulary items were created", log))
    return out / f"{name}.tar.gz", seconds, features


def main() -> None:
    rows: Dict[str, Dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        model, seconds, features = train_nlu(ROOT / "nlu", out, "all")
        scores = nlu.evaluate(model)
        rows["one model, three languages"] = {
            **{lang: f"{scores[lang]['intent_macro_f1']:.3f}" for lang in heldout.LANGUAGES},
            "train": f"{seconds:.0f} s", "features": str(features),
        }
        per_language = {}
        total_seconds, total_features = 0.0, 0
        for language in heldout.LANGUAGES:
            data = out / f"data-{language}"
            data.mkdir()
            for path in [*(ROOT / "nlu" / language).glob("*.yml"), ROOT / "nlu" / "entities.yml"]:
                shutil.copy(path, data / path.name)
            model, seconds, features = train_nlu(data, out, language)
            total_seconds += seconds
            total_features += features
            per_language[language] = nlu.evaluate(model, languages=[language])[language]
        rows["one model per language"] = {
            **{lang: f"{per_language[lang]['intent_macro_f1']:.3f}" for lang in heldout.LANGUAGES},
            "train": f"{total_seconds:.0f} s (3 models)", "features": str(total_features),
        }
    print("| pipeline | fr macro-F1 | zh macro-F1 | en macro-F1 | training | features |")
    print("|---|---|---|---|---|---|")
    for name, row in rows.items():
        features = row["features"] if row["features"] != "0" else "n/a"
        print(f"| {name} | {row['fr']} | {row['zh']} | {row['en']} | {row['train']} | {features} |")


if __name__ == "__main__":
    main()
