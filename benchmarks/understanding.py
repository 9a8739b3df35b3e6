"""Intent macro-F1 and entity F1 per language: the project's pipeline against
Rasa's default one (the pipeline `rasa init` trains with), on the same data."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Dict, Tuple

import yaml

from bot.services import ROOT, _rasa, rasa_environment
from evaluation import nlu

RASA_DEFAULT_CONFIG = Path(__import__("rasa").__file__).parent / "engine/recipes/config_files/default_config.yml"


def train_nlu(config: Path, out: Path, name: str) -> Tuple[Path, float]:
    """Train with a fresh cache, so the time is the whole training."""
    env = {**rasa_environment(), "RASA_CACHE_DIRECTORY": str(out / f"cache-{name}")}
    started = time.perf_counter()
    result = subprocess.run(
        [_rasa(), "train", "nlu", "--config", str(config), "--nlu", "nlu", "--out", str(out),
         "--fixed-model-name", name],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stdout[-2000:] + result.stderr[-2000:])
    return out / f"{name}.tar.gz", time.perf_counter() - started


def default_config_with_our_data() -> str:
    """Rasa's default pipeline and policies, reading the same training data as
    ours: config.yml's importers (nlu/ plus the FAQ's ways of asking)."""
    default = yaml.safe_load(RASA_DEFAULT_CONFIG.read_text(encoding="utf-8"))
    ours = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    if "importers" in ours:
        default["importers"] = ours["importers"]
    return yaml.safe_dump(default, allow_unicode=True, sort_keys=False)


def compare(work: Path, with_default: bool) -> Dict[str, Dict]:
    rows: Dict[str, Dict] = {}
    model, seconds = train_nlu(ROOT / "config.yml", work, "project")
    rows["project pipeline"] = {"scores": nlu.evaluate(model), "train_s": seconds}
    if with_default:
        config = work / "rasa-default-config.yml"
        config.write_text(default_config_with_our_data(), encoding="utf-8")
        model, seconds = train_nlu(config, work, "rasa-default")
        rows["Rasa default pipeline"] = {"scores": nlu.evaluate(model), "train_s": seconds}
    return rows
