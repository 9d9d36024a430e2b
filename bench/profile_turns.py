"""Where one turn's time goes, early and late in a conversation.

    .venv/bin/rasa run actions &     # the action server the FAQ answers come from
    python -m bench.profile_turns --model models/weho-....tar.gz [--turns 50]

Loads the model into an Agent in this process, with the SQLite tracker store `make run` uses
(in a temporary folder) and the action server at --actions, freezes the loaded heap as the
server does, plays one conversation, and prints the time per turn of each NLU component and
policy, the action server calls, the tracker store, Rasa's dialogue-state history (which
policies recompute over the whole conversation) and garbage collection, over turns 1-10 and
over the last ten turns: what costs most, and what grows. Then the slowest turns of the
conversation (--conversations more of them for more turns), each with where its time went:
what makes the tail.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import logging
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from bench.__main__ import OURS, ours_endpoints

# Seconds spent per part, by the window of turns being measured (None: not measured).
spent: Dict[str, Dict[str, float]] = defaultdict(lambda: defaultdict(float))
window: Dict[str, Optional[str]] = {"now": None}
# Seconds spent per part in the turn being played (None between turns).
turn_parts: Dict[str, Optional[Dict[str, float]]] = {"now": None}


def add(part: str, seconds: float) -> None:
    if window["now"]:
        spent[window["now"]][part] += seconds
    if turn_parts["now"] is not None:
        turn_parts["now"][part] = turn_parts["now"].get(part, 0.0) + seconds


def timed(owner: Any, method: str, label: Callable[[tuple], str]) -> None:
    """Wraps owner.method to add its duration to the current window, under label(args)."""
    original = getattr(owner, method)

    def record(args: tuple, start: float) -> None:
        add(label(args), time.perf_counter() - start)

    if asyncio.iscoroutinefunction(original):
        @functools.wraps(original)
        async def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                record(args, start)
    else:
        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                record(args, start)
    setattr(owner, method, wrapper)


def instrument() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.engine.graph import GraphNode
    from rasa.shared.core.domain import Domain

    import components  # noqa: F401  (installs what loading the model would, so that it is what gets timed)
    from channels.tracker_store import IncrementalSQLTrackerStore

    timed(GraphNode, "__call__", lambda args: f"graph node {args[0]._node_name}")
    timed(RemoteAction, "run", lambda args: f"action server call ({args[0].name()})")
    timed(Domain, "states_for_tracker_history", lambda _: "  of which dialogue-state history (policies)")
    timed(IncrementalSQLTrackerStore, "retrieve", lambda _: "tracker store: read")
    timed(IncrementalSQLTrackerStore, "save", lambda _: "tracker store: save")
    collection_started = {}

    def collection(phase: str, info: Dict[str, int]) -> None:
        if phase == "start":
            collection_started["at"] = time.perf_counter()
        elif "at" in collection_started:
            seconds = time.perf_counter() - collection_started.pop("at")
            add(f"garbage collection, generation {info['generation']}", seconds)

    gc.callbacks.append(collection)


async def play(model: str, actions_url: str, turns: int, conversations: int) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.log_utils import configure_structlog

    from channels.heap import freeze_loaded_objects
    from components.action_calls import close_kept_sessions, keep_sessions_open

    # As `rasa run` logs: debug records are dropped, not formatted (they would inflate the figures).
    logging.basicConfig(level=logging.INFO)
    configure_structlog(logging.INFO)
    instrument()
    await keep_sessions_open(None, asyncio.get_running_loop())  # as the server does once started
    with tempfile.TemporaryDirectory(prefix="weho-profile-") as tmp:
        endpoints = ours_endpoints(Path(tmp), actions_url)
        agent = await load_agent(model_path=model, endpoints=AvailableEndpoints.read_endpoints(str(endpoints)))
        freeze_loaded_objects()  # as the server does once started
        for turn in range(len(OURS)):  # warm-up conversation
            await agent.handle_text(OURS[turn], sender_id="profile-warm-up")
        first, last = "turns 1-10", f"turns {turns - 9}-{turns}"
        latencies = []
        played = []  # (ms, conversation, turn, text, parts)
        for conversation in range(1 + conversations):
            for turn in range(turns if conversation == 0 else len(OURS)):
                if conversation == 0:
                    window["now"] = first if turn < 10 else last if turn >= turns - 10 else None
                turn_parts["now"] = {}
                text = OURS[turn % len(OURS)]
                start = time.perf_counter()
                await agent.handle_text(text, sender_id=f"profile-{conversation}")
                elapsed = (time.perf_counter() - start) * 1000
                played.append((elapsed, conversation, turn + 1, text, turn_parts["now"]))
                turn_parts["now"] = window["now"] = None
                if conversation == 0:
                    latencies.append(elapsed)
    await close_kept_sessions()
    early, late = statistics.median(latencies[:10]), statistics.median(latencies[-10:])
    print(f"median turn: {early:.1f} ms ({first}), {late:.1f} ms ({last}): {late / early:.2f}x\n")
    print(f"{'ms per turn':>12}{'':>12}")
    print(f"{first:>12}{last:>12}")
    for part in sorted(spent[last], key=lambda part: -spent[last][part]):
        print(f"{spent[first][part] * 100:12.2f}{spent[last][part] * 100:12.2f}  {part}")
    ordered = sorted(played, key=lambda turn: -turn[0])
    median = statistics.median(turn[0] for turn in played)
    print(f"\nThe slowest turns of {len(played)} (median {median:.1f} ms), where their time went (ms):")
    for elapsed, conversation, turn, text, parts in ordered[:5]:
        top = sorted(parts.items(), key=lambda part: -part[1])[:5]
        print(f"{elapsed:8.1f}  conversation {conversation}, turn {turn}: {text!r}")
        print("          " + "; ".join(f"{part} {seconds * 1000:.1f}" for part, seconds in top))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_turns")
    parser.add_argument("--model", required=True)
    parser.add_argument("--actions", default="http://localhost:5055/webhook", help="the running action server")
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--conversations", type=int, default=0,
                        help="more conversations of ten turns, from their first message, for the slowest turns")
    args = parser.parse_args()
    asyncio.run(play(args.model, args.actions, max(args.turns, 20), args.conversations))


if __name__ == "__main__":
    main()
