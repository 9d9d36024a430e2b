"""What a conversation keeps once its booking is written: placeholders instead of the client's
phone, email, visit address, access notes and health answers.

The booking row holds them (health answers encrypted, massage.intake_encryption); the
conversation's copies would otherwise stay in the tracker store for as long as it keeps the
conversation. Works on Rasa's stored events as dicts (the `data` of a tracker store row).
"""

from __future__ import annotations

from typing import Any

from massage.contact import display_phone
from massage.privacy import redact_contacts

PLACEHOLDERS = {
    "client_phone": "[phone]",
    "lookup_phone": "[phone]",
    "client_email": "[email]",
    "booking_address": "[address]",
    "access_notes": "[access notes]",
}
HEALTH_ANSWER = "[health answer]"
# The slot that marks a booking written (or looked up with its reference and phone).
BOOKING_REFERENCE_SLOT = "booking_reference"


def placeholder(slot: str | None) -> str | None:
    """The placeholder of a slot whose values are scrubbed, or None for the others."""
    if slot and slot.startswith("intake_"):
        return HEALTH_ANSWER
    return PLACEHOLDERS.get(slot)


def writes_booking(event: dict[str, Any]) -> bool:
    return event.get("event") == "slot" and event.get("name") == BOOKING_REFERENCE_SLOT and bool(event.get("value"))


def _known_values(events: list[dict[str, Any]]) -> dict[str, str]:
    """Each personal value the conversation set, as stored and as the bot shows it -> its placeholder."""
    values: dict[str, str] = {}
    for event in events:
        mask = placeholder(event.get("name")) if event.get("event") == "slot" else None
        value = event.get("value")
        if mask and isinstance(value, str) and value.strip():
            values[value] = mask
            if value.startswith("+"):
                values[display_phone(value)] = mask
    return values


def _replace(value: Any, known: dict[str, str]) -> Any:
    if isinstance(value, str):
        for personal in sorted(known, key=len, reverse=True):
            value = value.replace(personal, known[personal])
        return redact_contacts(value)
    if isinstance(value, list):
        return [_replace(item, known) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, known) for key, item in value.items()}
    return value


def scrub(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events with the personal values replaced: the same events, in the same order."""
    known = _known_values(events)
    scrubbed, requested = [], None
    for event in events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        if kind == "slot" and placeholder(event.get("name")):
            event = {**event, "value": None}
        elif kind == "user" and placeholder(requested):
            # The answer to a question for a personal detail: all of it.
            mask = placeholder(requested)
            parse_data = event.get("parse_data") or {}
            entities = [{**entity, "value": mask} for entity in parse_data.get("entities") or []]
            event = {**event, "text": mask, "parse_data": {**parse_data, "text": mask, "entities": entities}}
        scrubbed.append(_replace(event, known))
    return scrubbed
