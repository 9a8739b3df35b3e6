"""Training examples for the ``faq`` intent, read from content/faq.yml.

Editors write each FAQ entry's ways of asking in content/faq.yml. Used only
by the matcher (``actions/faq.py``), they are not enough: the intent
classifier, never shown those questions, reads "what should I wear on the
Great Wall in January" as a best-time question and the FAQ is never asked
(docs/faq.md has the figures). This importer, declared in config.yml, adds
every way of asking as an example of one intent, ``faq``, to whatever
``rasa train`` reads, so the classifier learns what an FAQ-like question
looks like; the rule ``faq -> action_answer_faq`` then lets the matcher
pick the entry.

What that means for editors:
- a new entry or way of asking is matched at once (live reload), and after
  the next ``make train`` (or ``make run``, which trains first) its
  paraphrases are routed to the FAQ as well;
- an edited answer changes no training example, so it never retrains.

Only entries that pass the content checks are read (``curated.content.load``):
a mistake in content/ is reported by ``make validate`` and never stops a
training.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from curated.content import load
from curated.schema import FAQ_INTENT

logger = logging.getLogger(__name__)


def faq_examples(content_dir: Path) -> list[Message]:
    """One ``faq`` example per way of asking of every valid entry, all languages."""
    content = load(content_dir)
    return [
        Message(data={TEXT: question, INTENT: FAQ_INTENT})
        for entry in content.faq
        for language in sorted(entry.questions)
        for question in entry.questions[language]
    ]


class FaqImporter(RasaFileImporter):
    """Rasa's own file importer (--data, --domain, --config) plus the ``faq``
    examples. One importer rather than two beside each other: Rasa only
    auto-configures, and stays quiet, with a single importer."""

    def __init__(
        self,
        config_file: str | None = None,
        domain_path: str | None = None,
        training_data_paths: list[str] | str | None = None,
        content_dir: str = "content",
    ) -> None:
        super().__init__(config_file, domain_path, training_data_paths)
        # Relative to the working directory, like rasa train's --data paths.
        self.content_dir = Path(content_dir)

    def get_nlu_data(self, language: str | None = "en") -> TrainingData:
        examples = faq_examples(self.content_dir)
        if not examples:
            logger.warning(
                "No FAQ questions in %s: the faq intent has no examples", self.content_dir
            )
        return super().get_nlu_data(language).merge(TrainingData(training_examples=examples))
