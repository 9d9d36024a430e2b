"""FAQ extras: answer a retrieval FAQ, remember its topic, follow up on "tell me more"."""

import json
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from massage import faq_topics, policy, pricing, service_area

# Below this ResponseSelector confidence the answer could be the wrong one: ask instead.
MIN_ANSWER_CONFIDENCE = 0.5
SOMETHING_ELSE_BUTTON = {"title": "Something else", "payload": "/out_of_scope"}

# The answers about the business's own terms fill these in from the code that applies them.
BUSINESS_TERMS: Dict[str, Dict[str, str]] = {
    "prices": {"prices": pricing.price_list()},
    "cancellation_policy": {"cancellation_policy": policy.CANCELLATION_POLICY},
    "service_area": {"areas": service_area.area_names()},
}


def faq_button(topic: str) -> Dict[str, str]:
    """A button that asks for an FAQ answer directly, bypassing NLU."""
    return {
        "title": faq_topics.TITLES[topic],
        "payload": "/faq" + json.dumps({"faq_topic": topic}),
    }


def faq_candidates(latest_message: Dict[str, Any], limit: int = 3) -> List[str]:
    """The ResponseSelector's likeliest FAQ topics for a message, best first."""
    ranking = latest_message.get("response_selector", {}).get("faq", {}).get("ranking", [])
    topics = (faq_topics.topic_from_response_key(c.get("intent_response_key")) for c in ranking)
    return [topic for topic in topics if topic][:limit]


def _asked_topic(tracker: Tracker) -> Tuple[Optional[str], float]:
    """The topic the user asked about and how sure we are; a button's entity is certain."""
    entity = next(tracker.get_latest_entity_values("faq_topic"), None)
    if entity in faq_topics.TITLES:
        return entity, 1.0
    response = tracker.latest_message.get("response_selector", {}).get("faq", {}).get("response", {})
    return faq_topics.topic_from_response_key(response.get("intent_response_key")), response.get("confidence", 0.0)


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        topic, confidence = _asked_topic(tracker)
        if topic is None:
            dispatcher.utter_message(response="utter_ask_faq_topic")
            return []
        if confidence < MIN_ANSWER_CONFIDENCE:
            dispatcher.utter_message(
                text="I want to get this right. Which of these did you mean?",
                buttons=[faq_button(t) for t in faq_candidates(tracker.latest_message)] + [SOMETHING_ELSE_BUTTON],
            )
            return []
        dispatcher.utter_message(response=f"utter_faq/{topic}", **BUSINESS_TERMS.get(topic, {}))
        events: List[Dict[str, Any]] = [SlotSet("faq_topic", topic)]
        if faq_topics.needs_health_note(topic, bool(tracker.get_slot("health_note_given"))):
            dispatcher.utter_message(response="utter_health_note")
            events.append(SlotSet("health_note_given", True))
        return events


class ActionFaqMore(Action):
    def name(self) -> str:
        return "action_faq_more"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        topic = tracker.get_slot("faq_topic")
        if topic not in faq_topics.TITLES:
            dispatcher.utter_message(response="utter_ask_faq_topic")
            return []
        more = f"utter_faq_more_{topic}"
        if more in domain.get("responses", {}):
            dispatcher.utter_message(response=more)
        else:
            dispatcher.utter_message(
                response="utter_faq_related",
                buttons=[faq_button(t) for t in faq_topics.RELATED[topic]],
                faq_topic_title=faq_topics.TITLES[topic].lower(),
            )
        return []
