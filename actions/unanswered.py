"""The honest "I don't know that one": the question is recorded for the owner (massage.unanswered)
and a person from the team is offered, instead of a confident wrong answer."""

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from massage import unanswered
from massage.db import session_scope
from massage.faq_facts import clock_text
from massage.handoff import TEAM_CLOSES, TEAM_OPENS

logger = logging.getLogger(__name__)


def last_question(tracker: Tracker) -> Optional[str]:
    """What the user last typed: a button's payload ("/out_of_scope" from "Something else") is
    no question, so then it is the message "did you mean ...?" asked about."""
    text = (tracker.latest_message.get("text") or "").strip()
    if text and not text.startswith("/"):
        return text
    return tracker.get_slot("unclear_question")


class ActionUnknownQuestion(Action):
    def name(self) -> str:
        return "action_unknown_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        question = last_question(tracker)
        if question:
            try:
                with session_scope() as db:
                    unanswered.record(db, tracker.sender_id, tracker.get_latest_input_channel() or "unknown", question)
            except SQLAlchemyError:
                # The answer still goes out; only the owner's list misses this one.
                logger.exception("could not record an unanswered question")
        dispatcher.utter_message(
            response="utter_unknown_question", team_hours=f"{clock_text(TEAM_OPENS)}–{clock_text(TEAM_CLOSES)}"
        )
        return [SlotSet("unclear_question", None)]


class ActionDefaultFallback(ActionUnknownQuestion):
    """The last stage of the two-stage fallback (still unclear after "did you mean" and a
    rephrase) and the dialogue's own fallback: the same honest answer. As Rasa's default does,
    the unclear message is taken back so it does not steer the next turns."""

    def name(self) -> str:
        return "action_default_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        return super().run(dispatcher, tracker, domain) + [UserUtteranceReverted()]
