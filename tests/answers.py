"""Running the answer actions on a tracker built from one message, and reading their replies as a
user reads them (through Rasa's response templating)."""

from pathlib import Path
from typing import Any, Dict, List

import yaml
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

DOMAIN = yaml.safe_load((Path(__file__).resolve().parent.parent / "domain.yml").read_text())
EMPTY_SLOTS = {slot: None for slot in DOMAIN["slots"]}
_NLG = TemplatedNaturalLanguageGenerator(DOMAIN["responses"])
_MESSAGE_KEYS = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}


def message_tracker(
    text: str,
    topic: str | None = None,
    confidence: float = 0.9,
    intent: str = "faq",
    slots: Dict[str, Any] | None = None,
    active_loop: str | None = None,
    **message: Any,
) -> Tracker:
    """A conversation whose latest message is `text`, read by NLU as `intent` (and `topic`)."""
    selector = {"faq": {"response": {"intent_response_key": f"faq/{topic}", "confidence": confidence}, "ranking": []}}
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": [],
        "response_selector": selector if topic else {},
        **message,
    }
    return Tracker.from_dict(
        {
            "sender_id": "rest:visitor",
            "slots": {**EMPTY_SLOTS, "health_note_given": False, **(slots or {})},
            "latest_message": latest,
            "events": [{"event": "user", "text": text, "parse_data": latest, "input_channel": "rest"}],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


def run(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, DOMAIN)
    return events, dispatcher.messages


def render(message: Dict[str, Any]) -> Dict[str, Any]:
    """One reply as the user gets it: its response filled with the values the action gave."""
    if not message.get("response"):
        return message
    values = {k: v for k, v in message.items() if k not in _MESSAGE_KEYS}
    return _NLG.generate_from_slots(message["response"], EMPTY_SLOTS, "rest", **values)


def rendered(messages: List[Dict[str, Any]]) -> List[str]:
    """Each reply's text as the user reads it."""
    return [render(message)["text"] for message in messages]
