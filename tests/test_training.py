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


def test_a_model_without_the_digest_of_its_files_is_checked_by_rasa_and_kept(
    settings, model, tmp_path
):
    from bot import services

    models = tmp_path / "models"
    models.mkdir()
    for path in (model, fingerprint_path(model)):
        shutil.copy2(path, models / path.name)
    copied = replace(settings, models_dir=models, var_dir=tmp_path / "var")
    assert services.train(copied) == models / model.name
    assert sorted(models.glob("*.tar.gz")) == [models / model.name]  # nothing trained
    assert "the model is kept, not retrained" in _log(copied)
    # Rasa found it current: the digest of its files is kept for the next time.
    assert (
        inputs_path(models / model.name).read_text().strip()
        == inputs_path(model).read_text(encoding="utf-8").strip()
    )


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
