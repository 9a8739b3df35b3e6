"""The reply language as an entity, so Rasa fills the ``language`` slot.

The channel layer (``language.decision``) decides the language and sends it as
message metadata (``{"language": "zh"}``). This component turns it into a
``language`` entity, which the slot's ``from_entity`` mapping picks up before
any policy or action runs: responses conditioned on the slot are then in the
user's language from the first turn. A message that arrives without the
metadata (Rasa's own REST channel, ``rasa shell``) gets the channel layer's
decision on its text alone.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from language import decision as language

ENTITY = "language"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds the channel's language decision as the ``language`` entity."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageEntityExtractor:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            metadata = message.get("metadata") or {}
            decided = metadata.get("language") if isinstance(metadata, dict) else None
            if decided not in language.SUPPORTED:
                decided = language.decide(text).language
            entity = {"entity": ENTITY, "value": decided, "start": 0, "end": len(text)}
            found = self.add_extractor_name([entity])
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
