"""Keeps clock times out of the `duration` entity.

DIET sometimes tags the "12:30" of "the 12:30 one" as a duration. The booking form takes a
duration entity whenever one is said, so the length the visitor chose earlier would be
replaced by an invalid one and asked for again, and the time they picked would be lost.
"""

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, TEXT
from rasa.shared.nlu.training_data.message import Message

DURATION = "duration"
# "12:30", "10am", "2 p.m.": a time of day, never a session length.
CLOCK_TIME = re.compile(r"\d:\d\d|\d\s*[ap]\.?m\b\.?", re.I)


def is_clock_time(entity: Dict[str, Any], text: str) -> bool:
    said = text[entity["start"] : entity["end"]] if "start" in entity and "end" in entity else ""
    return bool(CLOCK_TIME.search(said or str(entity.get("value", ""))))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ClockTimeDurationFilter(GraphComponent):
    """Drops `duration` entities that are clock times; every other entity is left as it is."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ClockTimeDurationFilter":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            text = message.get(TEXT) or ""
            kept = [e for e in entities if not (e.get(ENTITY_ATTRIBUTE_TYPE) == DURATION and is_clock_time(e, text))]
            if len(kept) != len(entities):
                message.set(ENTITIES, kept, add_to_output=True)
        return messages
