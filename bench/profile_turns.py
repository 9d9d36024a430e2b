"""Where one turn's time goes, early and late in a conversation.

    .venv/bin/rasa run actions &     # the action server the FAQ answers come from
    python -m bench.profile_turns --model models/weho-....tar.gz [--turns 50]

Loads the model into an Agent in this process, with the SQLite tracker store `make run` uses
(in a temporary folder) and the action server at --actions, plays one conversation, and prints
the time per turn of each NLU component and policy, the action server calls, the tracker store
and Rasa's dialogue-state history (which policies recompute over the whole conversation), over
turns 1-10 and over the last ten turns: what costs most, and what grows.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
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


def timed(owner: Any, method: str, label: Callable[[tuple], str]) -> None:
    """Wraps owner.method to add its duration to the current window, under label(args)."""
    original = getattr(owner, method)

    def record(args: tuple, start: float) -> None:
        if window["now"]:
            spent[window["now"]][label(args)] += time.perf_counter() - start

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


async def play(model: str, actions_url: str, turns: int) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.log_utils import configure_structlog

    from components.action_calls import close_kept_sessions, keep_sessions_open

    # As `rasa run` logs: debug records are dropped, not formatted (they would inflate the figures).
    logging.basicConfig(level=logging.INFO)
    configure_structlog(logging.INFO)
    instrument()
    await keep_sessions_open(None, asyncio.get_running_loop())  # as the server does once started
    with tempfile.TemporaryDirectory(prefix="weho-profile-") as tmp:
        endpoints = ours_endpoints(Path(tmp), actions_url)
        agent = await load_agent(model_path=model, endpoints=AvailableEndpoints.read_endpoints(str(endpoints)))
        for turn in range(len(OURS)):  # warm-up conversation
            await agent.handle_text(OURS[turn], sender_id="profile-warm-up")
        first, last = "turns 1-10", f"turns {turns - 9}-{turns}"
        latencies = []
        for turn in range(turns):
            window["now"] = first if turn < 10 else last if turn >= turns - 10 else None
            start = time.perf_counter()
            await agent.handle_text(OURS[turn % len(OURS)], sender_id="profile")
            latencies.append((time.perf_counter() - start) * 1000)
    await close_kept_sessions()
    early, late = statistics.median(latencies[:10]), statistics.median(latencies[-10:])
    print(f"median turn: {early:.1f} ms ({first}), {late:.1f} ms ({last}): {late / early:.2f}x\n")
    print(f"{'ms per turn':>12}{'':>12}")
    print(f"{first:>12}{last:>12}")
    for part in sorted(spent[last], key=lambda part: -spent[last][part]):
        print(f"{spent[first][part] * 100:12.2f}{spent[last][part] * 100:12.2f}  {part}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_turns")
    parser.add_argument("--model", required=True)
    parser.add_argument("--actions", default="http://localhost:5055/webhook", help="the running action server")
    parser.add_argument("--turns", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(play(args.model, args.actions, max(args.turns, 20)))


if __name__ == "__main__":
    main()
