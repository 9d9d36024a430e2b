"""Conversations outlive the Rasa server: trackers are in the SQL tracker store, not in memory.

Two visitors are left mid-way (one after an FAQ answer, one half-way through a booking), the
shared stack's Rasa server is restarted once, and each picks up where they left off.
"""

from typing import Dict, Iterator, Tuple

import pytest
from messaging_cases import DOMAIN, faq_answer
from rest_cases import conversation, free_slot, spoken

from conftest import Stack, texts

Senders = Dict[str, str]


@pytest.fixture(scope="module")
def restarted(stack: Stack) -> Iterator[Tuple[Stack, Senders]]:
    senders = {"faq": "restart-faq", "booking": "restart-booking"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", stack.env["DATABASE_URL"])  # free_slot reads the stack's bookings
        moment = free_slot()
    assert faq_answer("insurance") in texts(stack.say("does insurance cover medical massage?", senders["faq"]))
    before = conversation(
        stack, senders["booking"], f"book a 90 minute deep tissue massage {spoken(moment)}", "9000 Beverly Blvd 90048"
    )
    assert "What name" in before[-1]
    stack.stop_rasa()
    stack.start_rasa()
    yield stack, senders


def test_an_faq_follow_up_after_a_restart_stays_on_the_topic(restarted):
    stack, senders = restarted
    more = DOMAIN["responses"]["utter_faq_more_insurance"][0]["text"]
    assert more in texts(stack.say("tell me more", senders["faq"]))


def test_a_booking_in_progress_continues_after_a_restart(restarted):
    stack, senders = restarted
    after = conversation(stack, senders["booking"], "Jane Doe")
    assert "mobile number" in after[-1]
