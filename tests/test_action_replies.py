"""Action server replies are checked as Rasa checks them, with the schema validator built once."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from components import action_replies

ACTION = RemoteAction("action_answer_faq", None)
VALID = [
    {},
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "timestamp": None, "name": "faq_topic", "value": "tipping"}],
        "responses": [{"response": "utter_faq/tipping", "buttons": [], "text": None}],
    },
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"event": "slot", "value": "no name"}]},
    {"events": [{"event": "no_such_event"}]},
    {"responses": [["not an object"]]},
]


def test_loading_the_model_components_installs_the_check():
    assert RemoteAction._validate_action_result is action_replies.validate_action_result


@pytest.mark.parametrize("reply", VALID)
def test_valid_replies_pass_as_with_rasa(reply):
    assert ACTION._validate_action_result(reply) is action_replies.RASA_CHECK(ACTION, reply) is True


@pytest.mark.parametrize("reply", INVALID)
def test_invalid_replies_fail_with_rasas_error(reply):
    with pytest.raises(ValidationError) as ours:
        ACTION._validate_action_result(reply)
    with pytest.raises(ValidationError) as rasas:
        action_replies.RASA_CHECK(ACTION, reply)
    assert ours.value.message == rasas.value.message
