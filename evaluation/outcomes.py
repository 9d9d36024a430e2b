"""What the bot does with a parsed message, and whether that was right for the visitor.

The decision mirrors the assistant's: the FallbackClassifier's `nlu_fallback` asks "did you
mean ...?", an FAQ answer below `actions.faq.MIN_ANSWER_CONFIDENCE` offers topics instead, and
`out_of_scope` is the honest "I don't know that one". A second FAQ question in the same message
is read from the `faq_topics` property (components/second_reader.py).
"""

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from actions.faq import MIN_ANSWER_CONFIDENCE
from components.second_reader import FAQ_TOPICS

RIGHT, WRONG, FALLBACK, PARTLY = "right", "confidently wrong", "honest fallback", "one of two answered"


@dataclass(frozen=True)
class Decision:
    """What the bot acts on: the intent, or the FAQ answers it gives; None for a fallback."""

    answers: Optional[List[str]]
    intent: str


def decide(parse: Dict[str, Any]) -> Decision:
    intent = (parse.get("intent") or {}).get("name") or "nlu_fallback"
    if intent == "nlu_fallback":
        return Decision(None, intent)
    if intent != "faq":
        return Decision([intent], intent)
    # Two questions read by both the selector and the clause reader are both answered.
    two_topics = parse.get(FAQ_TOPICS)
    if two_topics:
        return Decision([f"faq/{topic}" for topic in two_topics], intent)
    response = parse.get("response_selector", {}).get("faq", {}).get("response", {})
    key = response.get("intent_response_key")
    if not key or response.get("confidence", 0.0) < MIN_ANSWER_CONFIDENCE:
        return Decision(None, intent)
    return Decision([key], intent)


def judge(expected: List[str], decision: Decision) -> str:
    """right / confidently wrong / honest fallback / one of two answered, for one message."""
    if decision.answers is None:
        return FALLBACK
    if decision.answers == ["out_of_scope"]:
        return RIGHT if expected == ["out_of_scope"] else FALLBACK
    if not set(decision.answers) <= set(expected):
        return WRONG
    return RIGHT if set(expected) <= set(decision.answers) else PARTLY
