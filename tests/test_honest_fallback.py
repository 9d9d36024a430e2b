"""'I don't know that one' needs less certainty than an answer; everything else falls back as before."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.honest_fallback import HonestFallbackClassifier

CONFIG = {**HonestFallbackClassifier.get_default_config(), "threshold": 0.6, "ambiguity_threshold": 0.1}


def decided(intent: str, confidence: float, runner_up: float = 0.0) -> str:
    ranking = [{"name": intent, "confidence": confidence}, {"name": "greet", "confidence": runner_up}]
    message = Message({"text": "x", "intent": ranking[0], "intent_ranking": ranking})
    HonestFallbackClassifier(CONFIG).process([message])
    return message.get("intent")["name"]


@pytest.mark.parametrize("intent, confidence, expected", [
    ("out_of_scope", 0.45, "out_of_scope"),  # honest "I don't know" at 0.4 and up
    ("out_of_scope", 0.35, "nlu_fallback"),
    ("faq", 0.45, "nlu_fallback"),  # an answer still needs 0.6
    ("faq", 0.75, "faq"),
])
def test_only_out_of_scope_gets_the_lower_bar(intent, confidence, expected):
    assert decided(intent, confidence) == expected


def test_an_ambiguous_answer_still_falls_back():
    assert decided("faq", 0.65, runner_up=0.6) == "nlu_fallback"
