"""A reply to a reminder ("cancel", "C", "move it to 5pm") goes straight into the manage-booking
flow with the booking known: when a reminder goes to a chat, the booking's reference is set in
that conversation's `booking_reference` slot through Rasa's HTTP API, and where the chat proves
the phone number (WhatsApp from the booked number) `lookup_phone` too, so the form asks neither.
"""

from __future__ import annotations

from urllib.parse import quote

from notices.messaging import SendFailed, post
from notices.settings import Settings


def remember_booking(settings: Settings, payload: dict) -> None:
    """Set the slots in the client's conversation; SendFailed if Rasa did not take them."""
    if not (settings.rasa_url and settings.rasa_token and payload.get("conversation_id")):
        return
    events = [{"event": "slot", "name": "booking_reference", "value": payload["reference"]}]
    if payload.get("proven_phone"):
        events.append({"event": "slot", "name": "lookup_phone", "value": payload["proven_phone"]})
    # Rasa's route takes the id as written (Sanic does not decode %3A or %2B in it): ":" and "+" stay.
    conversation = quote(payload["conversation_id"], safe=":+@")
    url = f"{settings.rasa_url.rstrip('/')}/conversations/{conversation}/tracker/events"
    response = post(url, params={"token": settings.rasa_token, "include_events": "NONE"}, json=events)
    if response.status_code >= 400:
        raise SendFailed(f"Rasa HTTP API {response.status_code}")
