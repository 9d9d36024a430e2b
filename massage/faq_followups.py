"""What a follow-up ("ok and how much would be normal?", "and for two hours?") asks within the
topic just answered, so the answer stays in that topic instead of starting a new one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict

from massage import faq_facts, pricing

_HOW_MUCH = re.compile(r"\b(?:how much|cost|costs|price|prices|pay|charge|charged)\b")
_PREGNANT = re.compile(r"\b(?:pregnan\w*|expecting|trimester)\b")
_TWO_PEOPLE = re.compile(r"\b(?:two (?:of us|people)|2 people|couples?|partner|husband|wife|both of us|friend)\b")
# How a message that goes on from the last answer starts ("ok and how much would be normal?").
_GOES_ON = re.compile(r"^\W*(?:and|ok|okay|so|but|then|what about|how about)\b")
# Topics after which a session length or "how much" asks for a price.
_PRICED = frozenset({"prices", "session_lengths", "couples_massage", "packages_memberships", "surcharges"})


@dataclass(frozen=True)
class FollowUp:
    """The answer to give: an FAQ topic's answer, or one of the follow-up responses, with its values."""

    response: str
    topic: str  # the topic the conversation is in afterwards
    values: Dict[str, str] = field(default_factory=dict)


def follow_up(topic: str, text: str) -> FollowUp | None:
    """The in-topic answer to a follow-up of `topic`; None when it asks for nothing specific."""
    clean = " ".join((text or "").lower().split())
    minutes = pricing.parse_duration(clean)
    if minutes is not None and topic != "tipping" and (topic in _PRICED or _HOW_MUCH.search(clean)):
        return FollowUp("utter_faq_length_prices", "prices", faq_facts.length_prices(minutes))
    if _PREGNANT.search(clean):
        return _answer("prenatal_massage")
    if _TWO_PEOPLE.search(clean):
        return _answer("couples_massage")
    if topic == "tipping":  # "how much would be normal?", "and for 90 minutes?"
        return FollowUp("utter_faq_more_tipping", "tipping", faq_facts.tip_amounts(minutes or 60))
    if topic not in _PRICED and _HOW_MUCH.search(clean):
        return _answer("prices")
    return None


def stays_in_topic(topic: str, text: str) -> FollowUp | None:
    """The in-topic answer when the message goes on from `topic` and asks within it, even if
    NLU read it as another topic ("ok and how much would be normal?" is not the price list)."""
    asked = follow_up(topic, text) if _GOES_ON.match((text or "").lower()) else None
    return asked if asked and asked.topic == topic else None


def _answer(topic: str) -> FollowUp:
    return FollowUp(f"utter_faq/{topic}", topic, faq_facts.answer_values(topic))
