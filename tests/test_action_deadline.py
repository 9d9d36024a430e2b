"""`make run` (one action server): when it does not answer, the visitor hears so within seconds,
and the chat goes on once it answers again (channels/action_deadline.py)."""

import os
import signal
import time

from test_prod_mode import RESPONSES

from channels.action_deadline import ACTION_CALL_TIMEOUT_SECONDS
from channels.formatting import FAILURE_REPLY
from conftest import Stack, texts


def test_a_hung_action_server_gets_an_apology_within_seconds_and_the_chat_goes_on(stack: Stack, sender: str) -> None:
    os.kill(stack.actions.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        reply = stack.say("do I need to tip?", sender)
        waited = time.monotonic() - started
    finally:
        os.kill(stack.actions.pid, signal.SIGCONT)
    assert texts(reply) == FAILURE_REPLY
    assert ACTION_CALL_TIMEOUT_SECONDS <= waited < ACTION_CALL_TIMEOUT_SECONDS + 3
    assert RESPONSES["utter_faq/tipping"][0]["text"] in texts(stack.say("do I need to tip?", sender))
