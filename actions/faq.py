"""FAQ extras: answer a retrieval FAQ (two at once when asked two), remember its topic, and keep
follow-ups ("tell me more", "and for two hours?") in that topic."""

import json
from typing import Any, Dict, List, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from massage import faq_topics
from massage.faq_facts import answer_values
from massage.faq_followups import follow_up, stays_in_topic

# Below this ResponseSelector confidence the answer could be the wrong one: ask instead.
MIN_ANSWER_CONFIDENCE = 0.5
SOMETHING_ELSE_BUTTON = {"title": "Something else", "payload": "/out_of_scope"}



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


def answered_in_topic(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Answer a message that goes on from the last FAQ answer and asks within its topic ("and for
    two hours?" after the prices), whatever NLU made of it; False when it is no such message."""
    in_topic = stays_in_topic(tracker.get_slot("faq_topic") or "", tracker.latest_message.get("text") or "")
    if in_topic:
        dispatcher.utter_message(response=in_topic.response, **in_topic.values)
    return in_topic is not None


def remember_unclear_question(tracker: Tracker) -> Dict[str, Any]:
    """Keep the message "did you mean ...?" asks about: "Something else" records it as unanswered."""
    return SlotSet("unclear_question", tracker.latest_message.get("text"))


def _asked_topics(tracker: Tracker) -> Tuple[List[str], float]:
    """The topics the user asked about and how sure we are. A button's entity is certain; so are
    two questions in one message (NLU's `faq_topics`, set only when each clause's topic agrees
    with the ResponseSelector: components/two_questions.py)."""
    entity = next(tracker.get_latest_entity_values("faq_topic"), None)
    if entity in faq_topics.TITLES:
        return [entity], 1.0
    two = [key for key in dict.fromkeys(tracker.latest_message.get("faq_topics") or []) if key in faq_topics.TITLES]
    if len(two) >= 2:
        return two[:2], 1.0
    response = tracker.latest_message.get("response_selector", {}).get("faq", {}).get("response", {})
    topic = faq_topics.topic_from_response_key(response.get("intent_response_key"))
    return ([topic] if topic else []), response.get("confidence", 0.0)


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        topics, confidence = _asked_topics(tracker)
        if not topics:
            dispatcher.utter_message(response="utter_ask_faq_topic")
            return []
        if answered_in_topic(dispatcher, tracker):
            return []
        if confidence < MIN_ANSWER_CONFIDENCE:
            dispatcher.utter_message(
                text="I want to get this right. Which of these did you mean?",
                buttons=[faq_button(t) for t in faq_candidates(tracker.latest_message)] + [SOMETHING_ELSE_BUTTON],
            )
            return [remember_unclear_question(tracker)]
        if len(topics) > 1:
            first, second = (faq_topics.TITLES[t].lower() for t in topics)
            dispatcher.utter_message(response="utter_two_topics", first_title=first, second_title=second)
        for answered in topics:
            dispatcher.utter_message(response=f"utter_faq/{answered}", **answer_values(answered))
        given = bool(tracker.get_slot("health_note_given"))
        about_health = any(faq_topics.needs_health_note(t, given) for t in topics)
        return [SlotSet("faq_topic", topics[-1])] + (health_note(dispatcher, tracker) if about_health else [])


def health_note(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[str, Any]]:
    """The once-per-conversation note that massage is no diagnosis and when to call 911."""
    if tracker.get_slot("health_note_given"):
        return []
    dispatcher.utter_message(response="utter_health_note")
    return [SlotSet("health_note_given", True)]


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
        asked = follow_up(topic, tracker.latest_message.get("text") or "")
        if asked:
            dispatcher.utter_message(response=asked.response, **asked.values)
            return [SlotSet("faq_topic", asked.topic)] if asked.topic != topic else []
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
