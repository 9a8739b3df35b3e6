"""The Rasa project itself: valid data, test stories, understanding of held-out messages."""

from __future__ import annotations

import pytest

from evaluation import heldout, nlu
from language import LANGUAGES
from rasa_extensions import command as rasa_command
from rasa_extensions.command import ROOT

pytestmark = pytest.mark.e2e


def rasa(*args, cwd=ROOT, timeout=600):
    return rasa_command.run(args, cwd=cwd, timeout=timeout)


def test_training_data_and_domain_validate_without_a_warning():
    result = rasa(*rasa_command.VALIDATE)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_the_test_stories_of_each_language_pass(model, tmp_path):
    result = rasa(
        "test",
        "core",
        "--stories",
        "tests/stories",
        "--model",
        str(model),
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "None of the test stories failed" in (tmp_path / "failed_test_stories.yml").read_text()


@pytest.fixture(scope="module")
def scores(model):
    return nlu.evaluate(model)


@pytest.mark.parametrize("language", LANGUAGES)
def test_held_out_messages_are_understood(scores, language):
    # Messages never seen in training; the figures are in docs/evaluation.md.
    assert scores[language]["intent_macro_f1"] >= 0.90
    assert scores[language]["entity_f1"] >= 0.95


def test_no_held_out_message_is_also_a_training_example():
    from rasa.shared.importers.importer import TrainingDataImporter

    # What `make train` trains on: nlu/ and the FAQ's ways of asking (config.yml's importer).
    training = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "nlu")]
    ).get_nlu_data()
    seen = {m.get("text").strip().lower() for m in training.intent_examples}
    for language, examples in heldout.load_all().items():
        leaked = [e.text for e in examples if e.text.strip().lower() in seen]
        assert leaked == [], language
