"""Where one turn's time goes, early and late in a conversation (cProfile, in process).

    python -m bench.profile_turns --model models/weho-....tar.gz [--turns 50]

Loads the model into an Agent with the in-memory tracker store (no HTTP, no database), plays
one conversation, and prints the functions with the most cumulative time over turns 1-10 and
over the last ten turns, so growth shows up as the rows that grew.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import time

from bench.__main__ import OURS


async def play(model: str, turns: int, top: int) -> None:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    sender = "profile"
    profiles = {"turns 1-10": cProfile.Profile(), f"turns {turns - 9}-{turns}": cProfile.Profile()}
    latencies = []
    for turn in range(turns):
        profile = profiles["turns 1-10"] if turn < 10 else profiles[f"turns {turns - 9}-{turns}"] if (
            turn >= turns - 10) else None
        start = time.perf_counter()
        if profile:
            profile.enable()
        await agent.handle_text(OURS[turn % len(OURS)], sender_id=sender)
        if profile:
            profile.disable()
        latencies.append((time.perf_counter() - start) * 1000)
    first, last = statistics.median(latencies[:10]), statistics.median(latencies[-10:])
    print(f"median turn: {first:.0f} ms (1-10), {last:.0f} ms (last 10): {last / first:.2f}x")
    for name, profile in profiles.items():
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(top)
        print(f"\n=== {name} ===\n" + "\n".join(out.getvalue().splitlines()[6:]))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_turns")
    parser.add_argument("--model", required=True)
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    asyncio.run(play(args.model, args.turns, args.top))


if __name__ == "__main__":
    main()
