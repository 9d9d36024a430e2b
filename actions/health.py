"""Health safety anywhere in the conversation: a red flag told in a message gets the booking
intake's guidance (massage.intake), in or out of a booking; a red flag ends a booking as the
intake's "yes" would."""

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import health_note
from massage import intake
from massage.faq_facts import answer_values

INTAKE_SLOTS = {f"intake_{key}" for key in intake.QUESTIONS}


class ActionHealthConcern(Action):
    def name(self) -> str:
        return "action_health_concern"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        in_booking = (tracker.active_loop or {}).get("name") == "booking_form"
        if in_booking and tracker.get_slot("requested_slot") in INTAKE_SLOTS:
            return []  # an answer to the intake's own question: the form reads it
        text = tracker.latest_message.get("text") or ""
        red_flags = intake.red_flags_in(text)
        events: List[Dict[str, Any]] = []
        if red_flags:
            dispatcher.utter_message(text=intake.Assessment(red_flags=red_flags, notes=()).clearance_message())
            events = health_note(dispatcher, tracker)
            if in_booking:
                events += [SlotSet(f"intake_{key}", True) for key in red_flags] + [SlotSet("booking_stopped", True)]
        elif "pregnancy" in intake.mentioned(text):
            dispatcher.utter_message(response="utter_health_concern_pregnancy", **answer_values("prenatal_massage"))
        else:
            dispatcher.utter_message(response="utter_health_concern_general", **answer_values("see_a_doctor"))
        return events
