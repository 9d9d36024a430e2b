"""TED's prediction is left unread only when Rasa's choice could not have picked it: the chosen
prediction is Rasa's own, for made-up predictions of every kind, for every step of every
conversation test run through the trained model, and off script."""

from typing import List

import numpy as np
import pytest
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from test_dialogue_states import DOMAIN, conversation_tests

from components import lazy_ted
from components.lazy_ted import RASA_PICK, UnreadPrediction

ACTIONS = len(DOMAIN.action_names_or_texts)
LISTEN = DOMAIN.index_for_action("action_listen")
FAQ = DOMAIN.index_for_action("action_answer_faq")


def confidences(index: int, confidence: float) -> List[float]:
    spread = [(1 - confidence) / (ACTIONS - 1)] * ACTIONS
    spread[index] = confidence
    return spread


def prediction(policy: str, priority: int, index: int, confidence: float, **flags) -> PolicyPrediction:
    return PolicyPrediction(confidences(index, confidence), policy, priority, **flags)


class Counted:
    """A TED prediction made on demand, counting how often it was."""

    def __init__(self, made: PolicyPrediction):
        self.made, self.calls = made, 0

    def __call__(self) -> PolicyPrediction:
        self.calls += 1
        return self.made


TED_SURE = prediction("LazyTEDPolicy", 1, FAQ, 1.0)
TED_UNSURE = prediction("LazyTEDPolicy", 1, FAQ, 0.6)
RULE = prediction("RulePolicy", 4, LISTEN, 1.0)
RULE_FALLBACK = prediction("RulePolicy", 4, DOMAIN.index_for_action("action_default_fallback"), 0.3)
MEMO = prediction("MemoizationPolicy", 3, LISTEN, 1.0)
MEMO_NONE = PolicyPrediction([0.0] * ACTIONS, "MemoizationPolicy", 3)
FORM_NEXT = prediction("RulePolicy", 4, DOMAIN.index_for_action("booking_form"), 1.0, is_no_user_prediction=True)
E2E = prediction("MemoizationPolicy", 3, LISTEN, 0.8, is_end_to_end_prediction=True)


@pytest.mark.parametrize("others, ted, read", [
    pytest.param([MEMO_NONE, RULE], TED_SURE, False, id="a rule predicts: TED can't win"),
    pytest.param([MEMO, RULE_FALLBACK], TED_SURE, False, id="a memorised story predicts: TED can't win"),
    pytest.param([MEMO_NONE, FORM_NEXT], TED_UNSURE, False, id="a form's next question overrules"),
    pytest.param([E2E, RULE_FALLBACK], TED_SURE, False, id="an end-to-end prediction overrules"),
    pytest.param([MEMO_NONE, RULE_FALLBACK], TED_UNSURE, True, id="no rule or story: TED decides"),
    pytest.param([MEMO_NONE, RULE_FALLBACK], TED_SURE, True, id="no rule or story, TED sure"),
])
def test_the_choice_is_rasas_and_ted_is_read_only_when_it_could_win(others, ted, read):
    counted = Counted(ted)
    unread = UnreadPrediction(counted, "LazyTEDPolicy", 1)
    ours = lazy_ted.pick_best_policy([*others, unread])
    rasa = RASA_PICK([*others, ted])
    assert (ours.policy_name, ours.probabilities, ours.events) == (rasa.policy_name, rasa.probabilities, rasa.events)
    assert ours.is_no_user_prediction == rasa.is_no_user_prediction
    assert counted.calls == int(read)


def test_a_rejected_action_is_zeroed_in_ted_too_so_it_is_read():
    """Rasa sets a rejected action's confidence to 0 in every prediction before choosing."""
    tracker = DialogueStateTracker.from_events("x", [ActionExecuted("action_listen"),
                                                     ActionExecutionRejected("action_listen")], DOMAIN.slots)
    counted = Counted(prediction("LazyTEDPolicy", 1, FAQ, 0.9))
    rule = prediction("RulePolicy", 4, LISTEN, 1.0)
    chosen = DefaultPolicyPredictionEnsemble._best_policy_prediction(
        [rule, UnreadPrediction(counted, "LazyTEDPolicy", 1)], tracker, DOMAIN)
    assert counted.calls == 1 and chosen.policy_name == "LazyTEDPolicy" and np.argmax(chosen.probabilities) == FAQ


def off_script_steps() -> List[DialogueStateTracker]:
    """Each intent after an action no rule or story follows it with: only TED can decide."""
    return [
        DialogueStateTracker.from_events("x", [ActionExecuted("action_listen"), UserUttered(intent, {"name": intent}),
                                               ActionExecuted("utter_greet")], DOMAIN.slots)
        for intent in DOMAIN.intents
    ]


def test_every_step_of_every_conversation_test_is_predicted_as_rasa_would(agent, monkeypatch):
    steps = [
        DialogueStateTracker.from_events("x", events[:index], DOMAIN.slots)
        for param in conversation_tests()
        for events in param.values
        for index, event in enumerate(events)
        if isinstance(event, ActionExecuted) and index > 0
    ] + off_script_steps()

    def predictions() -> List[PolicyPrediction]:
        return [agent.processor._predict_next_with_tracker(tracker.copy()) for tracker in steps]

    unread: List[UnreadPrediction] = []
    original_init = UnreadPrediction.__init__

    def counting_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        unread.append(self)

    monkeypatch.setattr(UnreadPrediction, "__init__", counting_init)
    ours = predictions()
    skipped = sum(not prediction.read for prediction in unread)
    monkeypatch.setattr(DefaultPolicyPredictionEnsemble, "_pick_best_policy", staticmethod(RASA_PICK))
    rasa = predictions()

    assert [(p.policy_name, np.argmax(p.probabilities), p.max_confidence, p.events) for p in ours] == [
        (p.policy_name, np.argmax(p.probabilities), p.max_confidence, p.events) for p in rasa]
    # The conversation tests follow rules and stories: TED was left unread there. Off script, it decided.
    assert skipped >= len(steps) - len(DOMAIN.intents)
    assert sum(prediction.policy_name == "LazyTEDPolicy" for prediction in ours) > len(DOMAIN.intents) // 2
