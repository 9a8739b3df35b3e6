"""Intent macro-F1 and entity F1 per language: the project's pipeline against
Rasa's default one (the pipeline `rasa init` trains with), on the same data."""

from __future__ import annotations

from pathlib import Path

import yaml

from evaluation import nlu
from rasa_extensions import command as rasa_command
from rasa_extensions.command import ROOT


def rasa_default_config() -> Path:
    """The pipeline and policies `rasa init` trains with, as Rasa ships them
    (Rasa is imported here, when a benchmark asks, not when this module loads)."""
    import rasa

    return Path(rasa.__file__).parent / "engine/recipes/config_files/default_config.yml"


def train_nlu(config: Path, out: Path, name: str) -> tuple[Path, float]:
    """Train with a fresh cache, so the time is the whole training."""
    trained = rasa_command.train_nlu(config, ROOT / "nlu", out, name)
    return trained.model, trained.seconds


def default_config_with_our_data() -> str:
    """Rasa's default pipeline and policies, reading the same training data as
    ours: config.yml's importers (nlu/ plus the FAQ's ways of asking)."""
    default = yaml.safe_load(rasa_default_config().read_text(encoding="utf-8"))
    ours = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    if "importers" in ours:
        default["importers"] = ours["importers"]
    return yaml.safe_dump(default, allow_unicode=True, sort_keys=False)


def compare(work: Path, with_default: bool, trained: Path | None = None) -> dict[str, dict]:
    """Scores of the project's pipeline (and Rasa's default one when ``with_default``).

    ``trained``: score this already trained model instead of training one (the
    smoke run: its training time is then not measured, ``train_s`` is None).
    """
    rows: dict[str, dict] = {}
    if trained is not None:
        rows["project pipeline"] = {"scores": nlu.evaluate(trained), "train_s": None}
    else:
        model, seconds = train_nlu(ROOT / "config.yml", work, "project")
        rows["project pipeline"] = {"scores": nlu.evaluate(model), "train_s": seconds}
    if with_default:
        config = work / "rasa-default-config.yml"
        config.write_text(default_config_with_our_data(), encoding="utf-8")
        model, seconds = train_nlu(config, work, "rasa-default")
        rows["Rasa default pipeline"] = {"scores": nlu.evaluate(model), "train_s": seconds}
    return rows
