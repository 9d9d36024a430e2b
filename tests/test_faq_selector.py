"""The FAQ answer is picked for messages that could be FAQ questions, and only for them."""

from types import SimpleNamespace

import pytest
from rasa.shared.nlu.training_data.message import Message

from actions.handoff import MIN_SUGGESTION_CONFIDENCE
from components.faq_selector import FaqResponseSelector


@pytest.mark.parametrize(
    "text, topic",
    [("do I need to tip?", "tipping"), ("does insurance cover medical massage?", "insurance"),
     ("what is skin rolling?", "skin_rolling")],
)
async def test_an_faq_question_gets_its_answer_picked(agent, text, topic):
    parsed = await agent.parse_message(text)
    assert parsed["intent"]["name"] == "faq"
    assert parsed["response_selector"]["faq"]["response"]["intent_response_key"] == f"faq/{topic}"
    assert len(parsed["response_selector"]["faq"]["ranking"]) > 1  # for "did you mean ...?" buttons


@pytest.mark.parametrize("text", ["hi", "I'd like to book a massage for tomorrow at 3pm", "cancel my booking"])
async def test_a_message_that_cannot_be_an_faq_question_skips_the_selector(agent, text):
    parsed = await agent.parse_message(text)
    faq = next((i["confidence"] for i in parsed["intent_ranking"] if i["name"] == "faq"), 0.0)  # top 10 only
    assert faq < 0.05
    assert "response_selector" not in parsed


def ranked(faq_confidence: float) -> Message:
    return Message({"text": "x", "intent_ranking": [
        {"name": "book_massage", "confidence": 1 - faq_confidence}, {"name": "faq", "confidence": faq_confidence}]})


@pytest.mark.parametrize("faq_confidence, runs", [(0.0, False), (0.049, False), (0.05, True), (0.4, True)])
def test_the_selector_runs_from_the_confidence_at_which_faq_topics_are_suggested(faq_confidence, runs):
    selector = SimpleNamespace(retrieval_intent="faq", component_config=FaqResponseSelector.get_default_config())
    assert FaqResponseSelector.could_be_faq(selector, ranked(faq_confidence)) is runs


def test_the_threshold_is_the_one_below_which_no_faq_topic_is_suggested():
    assert FaqResponseSelector.get_default_config()["min_faq_confidence"] == MIN_SUGGESTION_CONFIDENCE
