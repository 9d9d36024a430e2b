"""A ResponseSelector that picks an FAQ answer only for messages that could be FAQ questions.

Rasa's ResponseSelector runs on every message (4-5 ms here), though its pick is read only when
the message may be an FAQ question: `action_answer_faq` answers the `faq` intent, and the
"did you mean ...?" buttons offer FAQ topics when `faq` has at least 0.05 confidence
(`actions.handoff.MIN_SUGGESTION_CONFIDENCE`). Below `min_faq_confidence` the message keeps no
`response_selector` property, so booking, directory and small-talk messages skip the selector.
Training is Rasa's.
"""

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

MIN_FAQ_CONFIDENCE = "min_faq_confidence"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FaqResponseSelector(ResponseSelector):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**ResponseSelector.get_default_config(), MIN_FAQ_CONFIDENCE: 0.05}

    def could_be_faq(self, message: Message) -> bool:
        return any(
            intent.get(INTENT_NAME_KEY) == self.retrieval_intent
            and intent.get(PREDICTED_CONFIDENCE_KEY, 0.0) >= self.component_config[MIN_FAQ_CONFIDENCE]
            for intent in message.get(INTENT_RANKING_KEY) or []
        )

    def process(self, messages: List[Message]) -> List[Message]:
        super().process([message for message in messages if self.could_be_faq(message)])
        return messages
