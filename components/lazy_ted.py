"""TED's prediction, worked out only when it could be the one chosen.

Rasa runs every policy for every prediction, then picks the most confident prediction, ties
going to the higher priority. A rule or a memorised story predicts with confidence 1.0 and
outranks TED, whose confidences are at most 1.0: TED's prediction can't be chosen then. Its
inference is the largest part of a turn after NLU (twice per turn), and it is wasted on every
turn a rule handles: FAQ answers, greetings, each question of the booking form.

`LazyTEDPolicy` gives the ensemble a prediction that runs TED's inference when first read, and
the ensemble's choice (patched by `install`) leaves it unread when the other predictions already
beat anything TED could predict. Anything else that reads it (e.g. the ensemble zeroing a
rejected action's confidence in every prediction) runs it. This is exact for a TED trained
without user text, as ours is: it then predicts from intents only, so never end to end, and
with no events. A TED that was trained with text predicts at once, as TEDPolicy does.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, List, Optional

from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT

RASA_PICK = DefaultPolicyPredictionEnsemble._pick_best_policy
# The highest confidence TED can predict (a softmax).
TED_MAX_CONFIDENCE = 1.0


class UnreadPrediction(PolicyPrediction):
    """An intent-only TED prediction: what is known without inference, the rest on first read."""

    def __init__(self, predict: Callable[[], PolicyPrediction], policy_name: str, policy_priority: int) -> None:
        # Not PolicyPrediction.__init__: probabilities and diagnostic_data are read from the inference.
        self._predict = predict
        self._made: Optional[PolicyPrediction] = None
        self.policy_name = policy_name
        self.policy_priority = policy_priority
        self.events: List = []
        self.optional_events: List = []
        self.is_end_to_end_prediction = False
        self.is_no_user_prediction = False
        self.hide_rule_turn = False
        self.action_metadata = None

    @property
    def read(self) -> bool:
        return self._made is not None

    @property
    def made(self) -> PolicyPrediction:
        if self._made is None:
            self._made = self._predict()
        return self._made

    @property
    def probabilities(self) -> List[float]:
        return self.made.probabilities

    @property
    def diagnostic_data(self) -> Dict[str, Any]:
        return self.made.diagnostic_data


def cannot_win(unread: UnreadPrediction, others: List[PolicyPrediction]) -> bool:
    """Whether Rasa's choice among the predictions would pass over `unread` whatever its
    confidences: another beats confidence 1.0 at its priority, or it is not in the kind of
    prediction chosen from (no-user predictions, e.g. a form's next question, overrule the rest,
    then end-to-end ones)."""
    if any(other.is_no_user_prediction for other in others):
        return True
    if any(other.is_end_to_end_prediction for other in others):
        return True
    return any(
        (other.max_confidence, other.policy_priority) > (TED_MAX_CONFIDENCE, unread.policy_priority)
        for other in others
    )


def pick_best_policy(predictions: List[PolicyPrediction]) -> PolicyPrediction:
    """Rasa's `_pick_best_policy`, without the unread predictions that can't win (they have
    no events to contribute either)."""
    def unread(prediction: PolicyPrediction) -> bool:
        return isinstance(prediction, UnreadPrediction) and not prediction.read

    # By identity: comparing predictions would read them.
    others = [p for p in predictions if not unread(p)]
    if others and len(others) < len(predictions):
        if all(cannot_win(p, others) for p in predictions if unread(p)):
            predictions = others
    return RASA_PICK(predictions)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True)
class LazyTEDPolicy(TEDPolicy):
    """TEDPolicy, predicting only if its prediction is read (see the module's docstring)."""

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        precomputations: Optional[Any] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        predict = functools.partial(
            super().predict_action_probabilities, tracker, domain, rule_only_data=rule_only_data,
            precomputations=precomputations, **kwargs,
        )
        if self.model is None or TEXT in (self.fake_features or {}):
            return predict()
        return UnreadPrediction(predict, self.__class__.__name__, self.priority)


def install() -> None:
    DefaultPolicyPredictionEnsemble._pick_best_policy = staticmethod(pick_best_policy)
