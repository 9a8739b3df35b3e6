"""The training example nearest in meaning to a message, as evidence for the actions.

The intent classifier always picks some intent: "这家酒店的电话是多少？" (this
hotel's phone number) comes out as ``contact_human``, "what year was Star Trek
released" as ``ask_events``. Its nearest training example by meaning often
tells better: the sentence encoder's vectors (``sentence_encoder.py``) of the
two messages are close when they mean the same thing, and nlu/ has
out-of-scope examples for hotels, restaurants, films and the weather. This
component keeps the vectors of the training examples in the model and adds,
to the intent of each message, the intent of the nearest one and how close it
is (cosine):

    {"name": "contact_human", "confidence": 0.81,
     "nearest_example": {"intent": "out_of_scope", "similarity": 0.74}}

The actions use it as one more grounding rule (actions/grounding.py): a
message that names no place and whose nearest example is out of scope gets
the out-of-scope answer. One neighbour, no threshold: chosen on the training
data by leave-one-out (``python -m evaluation.grounding``).

It reads the vectors the sentence encoder already put on the message (no
second encoding) and must come after it and after the intent classifiers.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language import meaning

logger = logging.getLogger(__name__)

KEY = "nearest_example"
_ENCODER = "SentenceEncoderFeaturizer"  # the features it reads are this featurizer's
_VECTORS = "vectors.npy"
_LABELS = "labels.json"


def sentence_vector(message: Message) -> np.ndarray | None:
    """The sentence encoder's vector of the message, of length 1; None without one."""
    for feature in message.features:
        if (
            feature.attribute == TEXT
            and feature.type == "sentence"
            and not feature.is_sparse()
            and _ENCODER in str(feature.origin)
        ):
            vector = np.asarray(feature.features, dtype=np.float32).reshape(-1)
            norm = float(np.linalg.norm(vector))
            return vector / norm if norm else None
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NearestExample(GraphComponent):
    """Adds the intent of the nearest training example (by meaning) to the message's intent."""

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        vectors: np.ndarray | None = None,
        labels: list[str] | None = None,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.vectors = vectors if vectors is not None else np.zeros((0, 0), dtype=np.float32)
        self.labels = labels or []

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NearestExample:
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        rows, labels = [], []
        for example in training_data.intent_examples:
            vector = sentence_vector(example)
            if vector is not None and example.get(INTENT):
                rows.append(vector)
                labels.append(str(example.get(INTENT)))
        self.vectors = np.vstack(rows).astype(np.float16) if rows else self.vectors
        self.labels = labels
        with self._model_storage.write_to(self._resource) as directory:
            np.save(directory / _VECTORS, self.vectors)
            (directory / _LABELS).write_text(json.dumps(labels), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> NearestExample:
        try:
            with model_storage.read_from(resource) as directory:
                vectors = np.load(directory / _VECTORS)
                labels = json.loads((directory / _LABELS).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError, OSError):
            logger.warning("NearestExample: no stored examples; it adds nothing.")
            return cls(model_storage, resource)
        return cls(model_storage, resource, vectors.astype(np.float32), labels)

    def nearest(self, vector: np.ndarray) -> tuple[str, float] | None:
        """The intent of the training example closest to ``vector``, and the cosine."""
        if not self.labels:
            return None
        similarities = self.vectors @ vector
        best = int(np.argmax(similarities))
        return self.labels[best], float(similarities[best])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT)
            vector = sentence_vector(message)
            found = self.nearest(vector) if vector is not None else None
            if not isinstance(intent, dict) or found is None or vector is None:
                continue
            label, similarity = found
            # The vector itself travels too, for the actions' search over the
            # content (actions/retrieval.py): the message is encoded once.
            nearest = {
                "intent": label,
                "similarity": round(similarity, 3),
                "vector": meaning.pack(vector),
            }
            intent = {**intent, KEY: nearest}
            message.set(INTENT, intent, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
