"""What ``make train`` (the first step of ``make run``) shows a newcomer: Rasa's
progress, not the warnings its libraries raise; those stay in var/log/train.log."""

from __future__ import annotations

import sys
from dataclasses import replace

from bot import services
from rasa_extensions import command as rasa_command

# What `rasa train` prints, in miniature: its log records and messages, and the
# warnings of the libraries it imports (a deprecation, a notice over several lines).
FAKE_TRAIN = """
import logging, sys, warnings
logging.basicConfig(
    stream=sys.stderr, format="%(asctime)s %(levelname)-8s %(name)s  - %(message)s",
    datefmt="%Y-%m-%d %H:%M:%S", level=logging.INFO,
)
warnings.warn("'setParseAction' deprecated - use 'set_parse_action'", DeprecationWarning)
logging.getLogger("rasa.engine.training.hooks").info("Starting to train component 'JiebaTokenizer'.")
warnings.warn("You have defined training data consisting of entity examples, but your NLU\\n"
              "configuration does not include an entity extractor.", UserWarning)
print("Your Rasa model is trained and saved.", flush=True)
"""


def test_training_shows_rasas_progress_and_keeps_library_warnings_in_the_log(
    settings, tmp_path, monkeypatch, capfd
):
    script = tmp_path / "train.py"
    script.write_text(FAKE_TRAIN, encoding="utf-8")
    models = tmp_path / "models"
    models.mkdir()
    (models / "20260101-000000-model.tar.gz").write_bytes(b"")
    monkeypatch.setattr(
        rasa_command, "train_if_changed_argv", lambda out: [sys.executable, str(script)]
    )
    own = replace(settings, var_dir=tmp_path / "var", models_dir=models)
    services.train(own, quiet=False)
    shown = capfd.readouterr()
    terminal = shown.out + shown.err
    assert "Starting to train component 'JiebaTokenizer'." in terminal
    assert "Your Rasa model is trained and saved." in terminal
    assert "Warning" not in terminal and "set_parse_action" not in terminal
    assert "entity extractor" not in terminal
    log = (own.log_dir / "train.log").read_text(encoding="utf-8")
    assert "DeprecationWarning: 'setParseAction' deprecated" in log
    assert "configuration does not include an entity extractor." in log
