"""The second reader: blended confidences, the second FAQ question of a message, and its speed-up
giving sklearn's own numbers."""

import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.second_reader import FAQ_TOPICS, SecondReader, _FastReader, _reader, clauses

EXAMPLES = {
    "faq/insurance": ["does insurance cover massage", "do you take insurance", "is this covered by my health plan",
                      "will my insurer pay", "insurance coverage for massage"],
    "faq/tipping": ["do i need to tip", "should i tip the therapist", "how much do people tip", "is a tip expected",
                    "tipping etiquette"],
    "faq/pets": ["is it ok if i have a dog", "can my cat be around", "we have pets at home", "are dogs a problem",
                 "my dog will be home"],
    "book_massage": ["book a massage", "i want to book a session", "schedule a massage tomorrow",
                     "can i make an appointment", "set up a massage for friday"],
}


def training_data() -> TrainingData:
    return TrainingData([
        Message({"text": text, "intent": label.split("/")[0], "intent_response_key": label if "/" in label else None})
        for label, texts in EXAMPLES.items() for text in texts
    ])


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("reader"))
    resource, context = Resource("reader"), ExecutionContext(GraphSchema({}), "test")
    config = SecondReader.get_default_config()
    SecondReader.create(config, storage, resource, context).train(training_data())
    return SecondReader.load(config, storage, resource, context)


def read(reader: SecondReader, text: str, diet: dict) -> Message:
    message = Message({"text": text, "intent_ranking": [{"name": n, "confidence": c} for n, c in diet.items()]})
    reader.process([message])
    return message


@pytest.mark.parametrize("text, parts", [
    ("do you take insurance and do I tip?", ["do you take insurance", "do I tip"]),
    ("i have a dog, is that ok? also how much space do you need",
     ["i have a dog, is that ok", "how much space do you need"]),
    ("what should i wear", ["what should i wear"]),
    ("sheets and towels?", []),  # one word on each side of "and": no question of its own
])
def test_a_message_is_split_into_the_clauses_that_could_be_questions(text, parts):
    assert clauses(text) == parts


def test_the_fast_reader_gives_sklearns_probabilities():
    texts = [text for texts in EXAMPLES.values() for text in texts]
    labels = [label for label, texts in EXAMPLES.items() for _ in texts]
    pipeline = _reader().fit(texts, labels)
    asked = ["Do you take INSURANCE?!", "my dog and cat", "zzz", ""]
    fast = _FastReader(pipeline).probabilities(asked)
    expected = pipeline.predict_proba(asked)
    assert np.allclose([[row[label] for label in pipeline.classes_] for row in fast], expected, atol=1e-12)


def test_two_questions_in_one_message_name_both_topics(reader):
    message = read(reader, "do you take insurance and do i tip?", {"faq": 0.9, "book_massage": 0.1})
    assert message.get("intent")["name"] == "faq"
    assert set(message.get(FAQ_TOPICS)) == {"insurance", "tipping"}
    assert message.as_dict(only_output_properties=True)[FAQ_TOPICS]  # reaches the tracker's latest_message


def test_one_question_gets_one_topic_written_where_the_response_selector_writes(reader):
    message = read(reader, "should i tip my therapist", {"faq": 0.9, "book_massage": 0.1})
    assert message.get(FAQ_TOPICS) is None
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/tipping"
    assert message.get("response_selector")["faq"]["response"]["utter_action"] == "utter_faq/tipping"


def test_when_diet_and_the_reader_disagree_the_blend_is_unsure(reader):
    agreed = read(reader, "i want to book a massage", {"book_massage": 0.95, "faq": 0.05})
    disputed = read(reader, "i want to book a massage", {"faq": 0.95, "book_massage": 0.05})
    assert agreed.get("intent")["name"] == "book_massage"
    assert disputed.get("intent")["confidence"] < agreed.get("intent")["confidence"]


@pytest.fixture(scope="module")
def agent(model_path):
    return Agent.load(model_path)


async def test_the_trained_assistant_finds_both_questions_and_keeps_one_question_whole(agent):
    both = await agent.parse_message("do you take insurance and do I tip?")
    assert set(both.get(FAQ_TOPICS) or []) == {"insurance", "tipping"}
    whole = await agent.parse_message("what happens before, during and after the massage?")
    assert whole.get(FAQ_TOPICS) is None
