"""Asking web-chat clients, while they book, whether they agree to texts (confirmations and
reminders by SMS). Messaging-app clients hear on their app and are not asked; nor is anyone
whose conversation's channel is unknown (they get email)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from massage import conversation_ids

SLOT = "sms_consent"
ASKED_AFTER = "client_email"


def asks_consent(tracker: Tracker) -> bool:
    try:
        return conversation_ids.split(tracker.sender_id)[0] == "web"
    except ValueError:
        return False


def with_consent_question(slots: List[str], tracker: Tracker) -> List[str]:
    """The booking form's slots, with the consent question after the email for web-chat clients."""
    if not asks_consent(tracker) or ASKED_AFTER not in slots:
        return slots
    at = slots.index(ASKED_AFTER) + 1
    return [*slots[:at], SLOT, *slots[at:]]


class AsksConsentToTexts:
    """Part of the booking form: the answer is read as the intake's yes/no answers are."""

    async def extract_sms_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> Dict[str, Any]:
        return self._extract_intake(SLOT, dispatcher, tracker)
