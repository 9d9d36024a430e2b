"""Rasa core's dialogue states of a conversation, worked out once per event instead of per call.

Every policy prediction asks `Domain.states_for_tracker_history` for the state before each past
action, and Rasa replays the whole conversation to answer: three or four times per prediction,
a few predictions per message. The cost of a message grows with the length of the
conversation (the growth `make bench` measures).

Here each live tracker keeps the replay where it stopped, one per kind of call (the policies ask
with different options), and a call only replays the events added since. The states depend
only on the applied events, so a replay can be continued as long as the applied events of the
last call are the start of the new ones (checked by identity). Otherwise, e.g. after a
rewind, a restart or a form's loop, the replay starts over, as Rasa's always does. The applied
events themselves (the events less those rewound) are kept the same way: new events that
rewind nothing are added to the last list, anything else has Rasa work it out again.

Callers change the states they get (the featurizers delete keys), so each call returns copies.
Training trackers (`TrackerWithCachedStates`) keep Rasa's own method: they have a cache of their
own, and keeping a replay for each of thousands of them would only take memory.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

RASA_STATES = Domain.states_for_tracker_history
_HISTORIES = "_weho_state_histories"
_APPLIED = "_weho_applied_events"
# What `DialogueStateTracker.applied_events` does more with than add to the list (with an
# ActionExecuted of a loop's action, which may collapse the loop's earlier turns).
_REWINDING = (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted, ActiveLoop)


@dataclass
class _Replay:
    """Rasa's loop over `generate_all_prior_trackers`, paused after `events`."""

    domain: Domain
    prior: DialogueStateTracker
    events: List[Event] = field(default_factory=list)
    states: List[State] = field(default_factory=list)  # all but the state after the last event
    last_ml_action_sub_state: Optional[Dict[str, Any]] = None
    turn_was_hidden: bool = False

    def continues(self, domain: Domain, applied: List[Event]) -> bool:
        return (
            self.domain is domain
            and len(self.events) <= len(applied)
            and all(old is new for old, new in zip(self.events, applied, strict=False))  # applied may be longer
        )


@dataclass
class _Applied:
    """`tracker.applied_events()` as it was when the tracker had `count` events."""

    events: Any  # the tracker's deque of events
    count: int
    last: Optional[Event]
    applied: List[Event]
    loop_names: set


def applied_events(tracker: DialogueStateTracker) -> List[Event]:
    """`tracker.applied_events()`, only looking at the events added since the last call."""
    kept: Optional[_Applied] = tracker.__dict__.get(_APPLIED)
    events = tracker.events
    if (
        kept is not None
        and kept.events is events
        and kept.count <= len(events)
        and (kept.count == 0 or events[kept.count - 1] is kept.last)
    ):
        new = list(itertools.islice(events, kept.count, None))
        if not any(
            isinstance(event, _REWINDING)
            or (isinstance(event, ActionExecuted) and event.action_name in kept.loop_names)
            for event in new
        ):
            return _keep(tracker, kept.applied + new, kept.loop_names)
    loop_names = {event.name for event in events if isinstance(event, ActiveLoop) and event.name}
    return _keep(tracker, tracker.applied_events(), loop_names)


def _keep(tracker: DialogueStateTracker, applied: List[Event], loop_names: set) -> List[Event]:
    events = tracker.events
    tracker.__dict__[_APPLIED] = _Applied(events, len(events), events[-1] if events else None, applied, loop_names)
    return applied


def _options_key(omit_unset_slots: bool, ignore_rule_only_turns: bool,
                 rule_only_data: Optional[Dict[str, Any]]) -> Tuple:
    rule_only = tuple(sorted((name, tuple(values)) for name, values in (rule_only_data or {}).items()))
    return omit_unset_slots, ignore_rule_only_turns, rule_only


def _state_before(domain: Domain, replay: _Replay, hide_rule_turn: bool, omit_unset_slots: bool,
                  ignore_rule_only_turns: bool, rule_only_data: Optional[Dict[str, Any]],
                  commit: bool) -> Optional[State]:
    """One step of Rasa's loop in `Domain.states_for_tracker_history`, on the replay's tracker.
    Without commit, the loop's variables are left as they were (the state after the last event
    is asked for again on the next call, with more events behind it)."""
    tracker = replay.prior
    last_ml_action_sub_state, turn_was_hidden = replay.last_ml_action_sub_state, replay.turn_was_hidden
    if ignore_rule_only_turns:
        if not turn_was_hidden:
            last_ml_action_sub_state = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and not tracker.latest_action_name == tracker.active_loop_name:
            turn_was_hidden = hide_rule_turn
    if commit:
        replay.last_ml_action_sub_state, replay.turn_was_hidden = last_ml_action_sub_state, turn_was_hidden
    if ignore_rule_only_turns and turn_was_hidden:
        return None

    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if replay.states:
            domain._substitute_rule_only_user_input(state, replay.states[-1])
        if last_ml_action_sub_state:
            state[PREVIOUS_ACTION] = last_ml_action_sub_state
    return domain._clean_state(state)


def _copies(states: List[State]) -> List[State]:
    """The states with their sub-states copied, shared where Rasa's were shared."""
    copied: Dict[int, Dict[str, Any]] = {}
    result = []
    for state in states:
        new_state = {}
        for key, sub_state in state.items():
            copy = copied.get(id(sub_state))
            if copy is None:
                copy = copied[id(sub_state)] = dict(sub_state)
            new_state[key] = copy
        result.append(new_state)
    return result


def states_for_tracker_history(
    domain: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> List[State]:
    """`Domain.states_for_tracker_history`, replaying only the events added since the last call."""
    if type(tracker) is not DialogueStateTracker:
        return RASA_STATES(domain, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)

    options = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    applied = applied_events(tracker)
    replays = tracker.__dict__.setdefault(_HISTORIES, {})
    key = _options_key(*options)
    replay = replays.get(key)
    if replay is None or not replay.continues(domain, applied):
        replay = replays[key] = _Replay(domain, tracker.init_copy())

    for event in applied[len(replay.events):]:
        if isinstance(event, ActionExecuted):
            state = _state_before(domain, replay, event.hide_rule_turn, *options, commit=True)
            if state is not None:
                replay.states.append(state)
        replay.prior.update(event)
    replay.events = applied

    last = _state_before(domain, replay, False, *options, commit=False)
    return _copies(replay.states + ([last] if last is not None else []))


def install() -> None:
    Domain.states_for_tracker_history = states_for_tracker_history
