"""The booking form asks web-chat clients whether they agree to texts, and only them."""

import pytest
from messaging_cases import DOMAIN
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import BOOKING_SLOTS, ValidateBookingForm
from actions.texts_consent import with_consent_question

FILLED = {
    "booking_service": "medical", "booking_technique": "deep tissue", "booking_duration": "90",
    "booking_address": "8500 Sunset Blvd, West Hollywood 90069", "booking_zip": "90069",
    "booking_time": "2026-12-05T14:00:00-08:00", "slot_checked": True, "therapist": "maria-alvarez",
    "client_name": "Jane Doe", "client_phone": "+13105550123", "client_email": "jane@example.com",
}  # fmt: skip


def tracker(sender: str, text: str, intent: str) -> Tracker:
    return Tracker.from_dict({
        "sender_id": sender, "slots": {**FILLED, "requested_slot": "sms_consent"},
        "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []},
        "events": [], "paused": False, "followup_action": None,
        "active_loop": {"name": "booking_form"}, "latest_action_name": "action_listen",
    })  # fmt: skip


@pytest.mark.parametrize("sender, asked", [("web:4f2a", True), ("rest:me", False), ("telegram:77", False),
                                           ("whatsapp:whatsapp:+13105550123", False), ("4f2a", False)])  # fmt: skip
def test_only_web_chat_clients_are_asked_after_their_email(sender, asked):
    slots = with_consent_question(BOOKING_SLOTS, tracker(sender, "hi", "greet"))
    assert ("sms_consent" in slots) == asked
    if asked:
        assert slots[slots.index("client_email") + 1] == "sms_consent"


@pytest.mark.parametrize(
    "text, intent, consent, next_slot",
    [("yes please", "affirm", True, "access_notes"), ("Yes, text me", "affirm", True, "access_notes"),
     ("no thanks", "deny", False, "access_notes"), ("hmm not sure", "affirm", None, "sms_consent")],
)  # fmt: skip
async def test_the_answer_is_kept_and_the_form_goes_on(text, intent, consent, next_slot):
    dispatcher = CollectingDispatcher()
    events = await ValidateBookingForm().run(dispatcher, tracker("web:4f2a", text, intent), DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["sms_consent"] is consent and slots["requested_slot"] == next_slot
    asked_again = [] if consent is not None else ["utter_answer_yes_or_no"]
    assert [m.get("response") for m in dispatcher.messages] == asked_again
