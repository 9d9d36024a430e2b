"""Handing off to a person, and admitting uncertainty ("did you mean ...?")."""

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.faq import (
    SOMETHING_ELSE_BUTTON,
    answered_in_topic,
    faq_button,
    faq_candidates,
    remember_unclear_question,
)
from massage.contact import display_phone, normalise_email, normalise_phone
from massage.db import session_scope
from massage.handoff import TEAM_CLOSES, TEAM_OPENS, note_callback, request_handoff

logger = logging.getLogger(__name__)

# What "did you mean ...?" calls each intent it may offer.
INTENT_TITLES: Dict[str, str] = {
    "greet": "Just saying hello",
    "help": "What can you do?",
    "human_handoff": "Talk to a person",
    "search_therapists": "Find a therapist",
    "book_massage": "Book a massage",
    "cancel_booking": "Cancel a booking",
    "reschedule_booking": "Reschedule a booking",
    "check_booking": "Check my booking",
    "bot_challenge": "Are you a bot?",
    "urgent_symptoms": "I have urgent symptoms",
}
MAX_SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.05


def suggestion_buttons(latest_message: Dict[str, Any]) -> List[Dict[str, str]]:
    """The likeliest readings of an unclear message, as buttons that bypass NLU."""
    buttons: List[Dict[str, str]] = []
    for intent in latest_message.get("intent_ranking", []):
        name, confidence = intent.get("name"), intent.get("confidence", 0.0)
        if confidence < MIN_SUGGESTION_CONFIDENCE or len(buttons) >= MAX_SUGGESTIONS:
            break
        if name == "faq":
            room = MAX_SUGGESTIONS - len(buttons)
            buttons.extend(faq_button(topic) for topic in faq_candidates(latest_message, limit=min(2, room)))
        elif name in INTENT_TITLES:
            buttons.append({"title": INTENT_TITLES[name], "payload": f"/{name}"})
    return buttons


class ActionAskAffirmation(Action):
    """First stage of the two-stage fallback: offer the likeliest meanings instead of guessing,
    unless the message goes on from the last FAQ answer within its topic (the context is clear)."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        if answered_in_topic(dispatcher, tracker):
            return []
        buttons = suggestion_buttons(tracker.latest_message) + [SOMETHING_ELSE_BUTTON]
        dispatcher.utter_message(text="Sorry, I'm not sure I understood. Did you mean:", buttons=buttons)
        return [remember_unclear_question(tracker)]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        channel = tracker.get_latest_input_channel() or "unknown"
        try:
            with session_scope() as db:
                ticket = request_handoff(db, tracker.sender_id, channel, reason="asked for a person")
        except SQLAlchemyError:
            logger.exception("could not record a handoff request")
            dispatcher.utter_message(
                text="I'm sorry, I couldn't reach our team's inbox just now. "
                "Please try again in a few minutes, or ask me anything in the meantime."
            )
            return []
        hours = f"{TEAM_OPENS:%-I%p}–{TEAM_CLOSES:%-I%p}".lower()
        if ticket.team_available_now:
            when = "Someone from our care team will pick up this conversation shortly."
        else:
            when = f"Our care team is offline right now (they're in {hours} Pacific); they'll pick this up first thing."
        dispatcher.utter_message(
            text=f"I've asked a person from our team to take over (request #{ticket.number}). {when} "
            "I'm still here if you want to keep asking me questions in the meantime."
        )
        if ticket.team_available_now or tracker.active_loop.get("name"):
            return []
        return [FollowupAction("callback_form")]  # offers a call back; never in the middle of a booking


class ActionNoteCallback(Action):
    """Keeps the phone number or email left for a call back on the handoff request (the console shows it)."""

    def name(self) -> str:
        return "action_note_callback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        text = tracker.get_slot("callback_contact") or ""
        phone, email = normalise_phone(text), normalise_email(text)
        contact = ", ".join(filter(None, [display_phone(phone) if phone else None, email]))
        if not contact:
            dispatcher.utter_message(
                text="No problem, I won't leave a number for them. "
                "The team will still read this conversation when they're back."
            )
            return [SlotSet("callback_contact", None)]
        try:
            with session_scope() as db:
                noted = note_callback(db, tracker.sender_id, contact)
        except SQLAlchemyError:
            logger.exception("could not note a call-back contact")
            noted = False
        if noted:
            dispatcher.utter_message(
                text="Thanks, I've passed that on: the team will get back to you there when they're in."
            )
        else:
            dispatcher.utter_message(
                text="I'm sorry, I couldn't pass that on just now. Please ask for a person again in a few minutes."
            )
        # The contact lives on the handoff request now; the conversation need not keep it in a slot.
        return [SlotSet("callback_contact", None)]
