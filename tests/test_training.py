"""``make train`` (and so ``make run``): a model is trained only when what it
is made of changed; otherwise the latest model is kept as it is, at once when
not one of its files changed, after Rasa's dry run when some did."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from rasa_extensions.train_if_changed import (
    fingerprint_path,
    inputs_digest,
    inputs_path,
)

pytestmark = pytest.mark.e2e


def _log(settings) -> str:
    return (settings.log_dir / "train.log").read_text(encoding="utf-8")


def test_training_again_with_nothing_changed_keeps_the_latest_model_at_once(settings, model):
    from bot import services

    models_before = sorted(settings.models_dir.glob("*.tar.gz"))
    assert services.train(settings) == model
    assert sorted(settings.models_dir.glob("*.tar.gz")) == models_before
    assert f"Nothing changed since {model.name} (the same files)" in _log(settings)


def test_a_model_without_the_digest_of_its_files_is_checked_by_rasa_then_kept_at_once(
    settings, model, tmp_path
):
    """A model from before the digests (or copied without it): Rasa's dry run
    decides, and keeps it when its training cache still holds every component
    (or trains, when it does not); either way the latest model then carries
    the digest, and the next time it is kept at once."""
    from bot import services
    from rasa_extensions.command import ROOT

    models = tmp_path / "models"
    models.mkdir()
    for path in (model, fingerprint_path(model)):
        shutil.copy2(path, models / path.name)
    copied = replace(settings, models_dir=models, var_dir=tmp_path / "var")
    checked = services.train(copied)
    assert inputs_path(checked).read_text(encoding="utf-8").strip() == inputs_digest(ROOT)
    log = _log(copied)
    assert "the model is kept, not retrained" in log or checked != models / model.name
    assert "(the same files)" not in log  # Rasa's dry run, not the digest, decided
    models_before = sorted(models.glob("*.tar.gz"))
    assert services.train(copied) == checked
    assert sorted(models.glob("*.tar.gz")) == models_before
    assert f"Nothing changed since {checked.name} (the same files)" in _log(copied)


def test_the_digest_of_a_model_s_files_changes_with_its_training_data_only(tmp_path):
    (tmp_path / "nlu").mkdir()
    (tmp_path / "config.yml").write_text("language: fr\n")
    (tmp_path / "nlu" / "greet.yml").write_text("nlu:\n- intent: greet\n")
    before = inputs_digest(tmp_path)
    (tmp_path / "language" / "__pycache__").mkdir(parents=True)
    (tmp_path / "language" / "__pycache__" / "text.cpython-310.pyc").write_bytes(b"\0")
    (tmp_path / "README.md").write_text("not a model's input\n")
    assert inputs_digest(tmp_path) == before
    (tmp_path / "nlu" / "greet.yml").write_text("nlu:\n- intent: greet\n  examples: |\n")
    assert inputs_digest(tmp_path) != before
