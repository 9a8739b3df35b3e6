"""Places and activities found by name, in French, Chinese and English.

The names come from the training data: every annotated entity example gives
an entity type (``place``, ``activity``) and a value, and the synonyms in
``nlu/entities.yml`` give every way of writing that value ("勃朗峰", "Mont-Blanc",
"mont blanc" -> ``mont_blanc``). Matching ignores case, accents, hyphens and
apostrophes; Latin names must stand as whole words, Chinese names may stand
anywhere. The entity value is the canonical id that content/ uses.

A learned extractor would need hundreds of examples per place to be as
reliable on names as a list is; the list also makes "which places does the
assistant know" a question with a plain answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import curated.schema
import language.names
import language.text
from curated.schema import ACTIVITIES
from language.names import Gazetteer
from language.text import fold
from rasa_extensions.fingerprint import source_fingerprint


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class GazetteerEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts the entities named in the training data, by name."""

    FILE_NAME = "gazetteer.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"entities": ["place", "activity"]}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.gazetteer = gazetteer or Gazetteer([])

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        here = Path(__file__).resolve()
        return source_fingerprint(
            here,
            Path(language.names.__file__),
            Path(language.text.__file__),
            Path(curated.schema.__file__),
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GazetteerEntityExtractor:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        self.gazetteer = Gazetteer.from_pairs(
            names_in(training_data, set(self._config["entities"]))
        )
        with self._model_storage.write_to(self._resource) as directory:
            rasa.shared.utils.io.dump_obj_as_json_to_file(
                directory / self.FILE_NAME, self.gazetteer.to_json()
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> GazetteerEntityExtractor:
        try:
            with model_storage.read_from(resource) as directory:
                rows = rasa.shared.utils.io.read_json_file(directory / cls.FILE_NAME)
        except ValueError:
            rows = []
        return cls(config, model_storage, resource, Gazetteer.from_json(rows))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = self.add_extractor_name(self.gazetteer.find(message.get(TEXT) or ""))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


def names_in(training_data: TrainingData, entity_types: set) -> list[tuple[str, str, str]]:
    """(surface form, entity type, canonical value) for every known name."""
    # Synonyms are matched the way names are: "tramway du mont blanc" is
    # "Tramway du Mont-Blanc".
    synonyms = {fold(surface): value for surface, value in training_data.entity_synonyms.items()}
    value_type: dict[str, str] = {}
    typed = []
    for example in training_data.entity_examples:
        text = example.get(TEXT)
        for entity in example.get(ENTITIES, []):
            if entity["entity"] not in entity_types:
                continue
            surface = text[entity["start"] : entity["end"]]
            value = synonyms.get(fold(surface)) or synonyms.get(
                fold(str(entity["value"])), entity["value"]
            )
            value_type[value] = entity["entity"]
            typed.append((surface, entity["entity"], value))
    # Declared synonyms first: where two meanings share a written form, they win.
    # nlu/entities.yml holds places and activities only: a value no annotated
    # example shows is a place unless it is one of the activities, so a place
    # added there is found without an example of it.
    for value in set(training_data.entity_synonyms.values()) - set(value_type):
        value_type[value] = "activity" if value in ACTIVITIES else "place"
    declared = [
        (surface, value_type[value], value)
        for surface, value in training_data.entity_synonyms.items()
        if value_type[value] in entity_types
    ]
    ids = [(value.replace("_", " "), kind, value) for value, kind in value_type.items()]
    return declared + typed + ids
