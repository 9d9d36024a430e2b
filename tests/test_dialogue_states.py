"""The dialogue states replayed from the last new event are exactly the states Rasa replays from
the start: after every event of every conversation test, of a real conversation through the
running stack, and of event sequences that rewind, restart or run a form's loop."""

import itertools
from pathlib import Path
from typing import List

import pytest
import requests
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from components.dialogue_states import RASA_STATES, applied_events, states_for_tracker_history

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
RULE_ONLY = {"rule_only_slots": ["health_note_given"], "rule_only_loops": ["manage_booking_form"]}
OPTIONS = [
    dict(omit_unset_slots=omit, ignore_rule_only_turns=ignore, rule_only_data=rule_only)
    for omit, ignore, rule_only in itertools.product([False, True], [False, True], [None, RULE_ONLY])
]


def conversation_tests() -> List[tuple]:
    reader = YAMLStoryReader(DOMAIN)
    return [
        pytest.param(step.explicit_events(DOMAIN), id=step.block_name[:60])
        for path in sorted((ROOT / "tests").glob("test_*.yml"))
        for step in reader.read_from_file(str(path))
    ]


def assert_same_states_after_each_event(events: List[Event]) -> None:
    """Grows a tracker an event at a time, as a conversation does, asking for its states with
    every combination of options and changing what it gets, as callers do (and for its applied
events). It asks after each
    event, then after every fourth: several events between two calls (as between two predictions)
    can rewind and add as many as they rewound."""
    for every in (1, 4):
        tracker = DialogueStateTracker("someone", DOMAIN.slots)
        for count, event in enumerate(events, start=1):
            tracker.update(event)
            if count % every and count != len(events):
                continue
            ours, rasa = applied_events(tracker), tracker.applied_events()
            assert len(ours) == len(rasa) and all(a is b for a, b in zip(ours, rasa, strict=True)), (count, event)
            for options in OPTIONS:
                ours = states_for_tracker_history(DOMAIN, tracker, **options)
                assert ours == RASA_STATES(DOMAIN, tracker, **options), (count, event, options)
                for state in ours:  # the featurizers delete keys of the states they are given
                    state.get("user", {}).pop("text", None)
                    state.pop("prev_action", None)


def test_the_states_compared_are_real_and_varied():
    """The comparisons below are of real, varied states (not of empty lists)."""
    trackers = [DialogueStateTracker.from_events("x", *param.values, DOMAIN.slots) for param in conversation_tests()]
    states = [repr(state) for tracker in trackers for state in states_for_tracker_history(DOMAIN, tracker)]
    assert len(set(states)) > 50
    assert any("active_loop" in state for state in states) and any("entities" in state for state in states)


@pytest.mark.parametrize("events", conversation_tests())
def test_each_conversation_test(events):
    assert_same_states_after_each_event(events)


def turn(intent: str, *actions: str, hidden: bool = False) -> List[Event]:
    return [UserUttered(intent, {"name": intent}),
            *(ActionExecuted(action, hide_rule_turn=hidden) for action in actions),
            ActionExecuted("action_listen", hide_rule_turn=hidden)]


START = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
FORM_TURN = [UserUttered("book", {"name": "book"}), ActionExecuted("booking_form"), ActiveLoop("booking_form"),
             SlotSet("requested_slot", "service"), ActionExecuted("action_listen")]
FORM_ANSWER = [UserUttered("inform", {"name": "inform"}), ActionExecuted("booking_form"),
               SlotSet("service", "medical"), SlotSet("requested_slot", "date"), ActionExecuted("action_listen")]


@pytest.mark.parametrize("events", [
    pytest.param(START + turn("greet", "utter_greet") + turn("faq", "action_answer_faq", hidden=True)
                 + turn("faq_more", "action_faq_more"), id="rule turns hidden from ML policies"),
    pytest.param(START + turn("greet", "utter_greet") + [UserUttered("nlu_fallback", {"name": "nlu_fallback"}),
                 ActionExecuted("action_two_stage_fallback"), UserUtteranceReverted(),
                 ActionExecuted("action_listen")] + turn("faq", "action_answer_faq"), id="user utterance rewound"),
    pytest.param(START + turn("greet", "utter_greet") + [UserUttered("stop", {"name": "stop"}),
                 ActionExecuted("action_restart"), ActionReverted()] + turn("thanks", "utter_welcome"),
                 id="action rewound"),
    pytest.param(START + FORM_TURN + FORM_ANSWER + FORM_ANSWER + turn("faq", "action_answer_faq")
                 + [ActionExecuted("booking_form"), ActiveLoop(None), SlotSet("requested_slot", None)],
                 id="form loop collapses earlier loop turns"),
    pytest.param(START + turn("greet", "utter_greet") + [UserUttered("handoff", {"name": "handoff"}),
                 FollowupAction("action_handoff"), ActionExecuted("action_handoff"), ActionExecuted("action_listen")]
                 + [Restarted()] + START + turn("greet", "utter_greet"), id="follow-up action and restart"),
])
def test_rewinds_restarts_and_loops(events):
    assert_same_states_after_each_event(events)


def test_a_real_conversation_through_the_stack(stack, sender):
    """A kept tracker, with the events the processor adds: rule turns, fallbacks, the form."""
    for text in ["hi", "do I need to tip?", "tell me more", "xqzv blorp", "I want to book a massage",
                 "what is effleurage?", "medical massage", "stop"]:
        stack.say(text, sender)
    reply = requests.get(f"{stack.url}/conversations/rest:{sender}/tracker", params={"token": "test-token"}, timeout=10)
    events = deserialise_events(reply.json()["events"])
    assert any(isinstance(event, ActiveLoop) and event.name for event in events)
    assert any(isinstance(event, ActionExecuted) and event.hide_rule_turn for event in events)
    assert_same_states_after_each_event(events)
