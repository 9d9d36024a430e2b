"""spaCy's named entities at a third of the cost of Rasa's SpacyEntityExtractor."""

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language
from spacy.tokens import Doc

RECOGNIZER = "ner"


def recognizer_pipes(nlp: Language) -> List[str]:
    """The entity recognizer and any pipe it listens to, in pipeline order (en_core_web_sm's has
    its own tok2vec, so just itself)."""
    return [
        name for name, pipe in nlp.components
        if name == RECOGNIZER or RECOGNIZER in getattr(pipe, "listening_components", [])
    ]


def recognize(nlp: Language, text: str) -> Doc:
    doc = nlp.make_doc(text)
    for name in recognizer_pipes(nlp):
        doc = nlp.get_pipe(name)(doc)
    return doc


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP"
)
class CasedNerEntityExtractor(SpacyEntityExtractor):
    """Entities from spaCy's recognizer run alone on the cased text.

    SpacyNLP parses each message lowercased (what the featurizers are trained on), which NER
    can't use, so Rasa's SpacyEntityExtractor parses it a second time, whole. Here only the
    recognizer runs, on the cased text, and it is switched off in SpacyNLP's parse, where its
    entities went unused (its tok2vec, tagger and lemmatizer give the same features without it).
    """

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        nlp = model.model
        if RECOGNIZER in nlp.pipe_names:
            nlp.disable_pipe(RECOGNIZER)
        for message in messages:
            doc = recognize(nlp, message.get(TEXT) or "")
            extracted = self.filter_irrelevant_entities(
                self.add_extractor_name(self._extract_entities(doc)), self._config["dimensions"]
            )
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages
