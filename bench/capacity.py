"""Capacity as visitors meet it: how many people can chat at once, each answer within a second?

    python -m bench.capacity --model models/weho-....tar.gz [--short] [--max-minutes 20]

Each simulated visitor talks the way people type: a message, then 3 to 10 s of thought before
the next. The number of visitors is ramped up; at each level both assistants get the same
visitors for the same time, one after the other, so that the shared machine's load falls on
both alike: ours in production mode (scripts/run-prod.sh: Rasa replicas and action servers
behind nginx, PostgreSQL, Redis) and the stock `rasa init` assistant (one `rasa run`, as
`rasa init` leaves it). An assistant stops ramping at the first level whose p95 reaches 1 s.
Prints the curve (visitors against p50 and p95) as a table, the most visitors kept under 1 s,
and writes the curve as a PNG plot.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.__main__ import OURS, ROOT, STOCK, Server, baseline_model, percentile
from bench.prod_mode import ProdMode

THINK_SECONDS = (3.0, 10.0)
GOAL_SECONDS = 1.0
PATIENCE_SECONDS = 30.0  # a turn slower than this counts as a visitor given up
LEVELS = [10, 20, 40, 60, 80, 100, 130, 160, 200, 250, 300]
SHORT_LEVELS = [10, 20, 40, 70, 100, 150, 200, 300]


@dataclass
class Level:
    visitors: int
    latencies: list[float] = field(default_factory=list)  # seconds, of turns begun once all visitors had arrived
    failures: int = 0
    seconds: float = 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 0.5) if self.latencies else float("inf")

    @property
    def p95(self) -> float:
        """Failed turns count as slower than any answer."""
        turns = self.latencies + [float("inf")] * self.failures
        return percentile(turns, 0.95) if turns else float("inf")

    @property
    def throughput(self) -> float:
        return (len(self.latencies) + self.failures) / self.seconds if self.seconds else 0.0


async def visit(session: aiohttp.ClientSession, url: str, messages: list[str], level: Level,
                measure_from: float, until: float, rng: random.Random) -> None:
    """One visitor: arrives within the first think time, then message, think, message, ... until `until`."""
    sender = f"capacity-{uuid.uuid4().hex[:10]}"
    await asyncio.sleep(rng.uniform(0, THINK_SECONDS[1]))
    turn = 0
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            async with session.post(url, json={"sender": sender, "message": messages[turn % len(messages)]},
                                    timeout=aiohttp.ClientTimeout(total=PATIENCE_SECONDS)) as response:
                await response.read()
                ok = response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            ok = False
        if started >= measure_from:
            if ok:
                level.latencies.append(time.monotonic() - started)
            else:
                level.failures += 1
        turn += 1
        await asyncio.sleep(rng.uniform(*THINK_SECONDS))


async def run_level(url: str, messages: list[str], visitors: int, seconds: float, seed: int) -> Level:
    """`visitors` visitors for `seconds`, measured once every visitor has arrived."""
    level = Level(visitors)
    rng = random.Random(seed)
    start = time.monotonic()
    measure_from, until = start + THINK_SECONDS[1], start + THINK_SECONDS[1] + seconds
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [asyncio.create_task(visit(session, url, messages, level, measure_from, until,
                                           random.Random(rng.random()))) for _ in range(visitors)]
        await asyncio.sleep(until - time.monotonic())
        # Turns under way finish (and count); visitors thinking leave.
        await asyncio.wait(tasks, timeout=PATIENCE_SECONDS)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    level.seconds = time.monotonic() - measure_from
    return level


def ramp(targets: dict[str, tuple[str, list[str]]], levels: list[int], seconds: float,
         deadline: float) -> dict[str, list[Level]]:
    """Each level for each assistant still under the goal, in alternation, until the deadline."""
    curves: dict[str, list[Level]] = {name: [] for name in targets}
    for index, visitors in enumerate(levels):
        for name, (url, messages) in targets.items():
            curve = curves[name]
            if curve and curve[-1].p95 >= GOAL_SECONDS:
                continue
            if time.monotonic() + seconds + 2 * THINK_SECONDS[1] > deadline:
                print(f"Time is up before {visitors} visitors ({name}).", file=sys.stderr)
                return curves
            level = asyncio.run(run_level(url, messages, visitors, seconds, seed=index))
            curve.append(level)
            print(f"  {name:>16}: {visitors:4d} visitors  p50 {level.p50 * 1000:6.0f} ms  "
                  f"p95 {level.p95 * 1000:6.0f} ms  {level.throughput:5.1f} turns/s  {level.failures} failed",
                  file=sys.stderr)
        if all(curve and curve[-1].p95 >= GOAL_SECONDS for curve in curves.values()):
            break
    return curves


def capacity(curve: list[Level]) -> str:
    """The most visitors kept at p95 under the goal (">N" when the ramp ended first)."""
    kept = [level.visitors for level in curve if level.p95 < GOAL_SECONDS]
    if not kept:
        return f"<{curve[0].visitors}" if curve else "n/a"
    return str(kept[-1]) if any(level.p95 >= GOAL_SECONDS for level in curve) else f">={kept[-1]}"


def print_table(curves: dict[str, list[Level]]) -> None:
    def ms(value: float) -> str:
        return "failed" if value == float("inf") else f"{value * 1000:.0f} ms"

    names = list(curves)
    print(f"\n{'visitors':>8}" + "".join(f"{name + ' p50':>22}{name + ' p95':>22}" for name in names))
    for visitors in sorted({level.visitors for curve in curves.values() for level in curve}):
        row = f"{visitors:>8}"
        for name in names:
            level = next((level for level in curves[name] if level.visitors == visitors), None)
            row += f"{ms(level.p50):>22}{ms(level.p95):>22}" if level else f"{'-':>22}{'-':>22}"
        print(row)
    print(f"\nMost visitors with p95 under {GOAL_SECONDS:.0f} s (each thinking {THINK_SECONDS[0]:.0f}-"
          f"{THINK_SECONDS[1]:.0f} s between messages): "
          + ", ".join(f"{name} {capacity(curve)}" for name, curve in curves.items()))


def plot(curves: dict[str, list[Level]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 5))
    for (name, curve), colour in zip(curves.items(), ("tab:blue", "tab:orange"), strict=False):
        shown = [level for level in curve if level.latencies]
        visitors = [level.visitors for level in shown]
        axes.plot(visitors, [min(level.p95, 2 * PATIENCE_SECONDS) for level in shown], "o-", color=colour,
                  label=f"{name} p95")
        axes.plot(visitors, [level.p50 for level in shown], "s--", color=colour, label=f"{name} p50")
    axes.axhline(GOAL_SECONDS, color="grey", linewidth=0.8)
    axes.set_yscale("log")
    axes.set_xlabel(f"concurrent visitors (each thinking {THINK_SECONDS[0]:.0f}-{THINK_SECONDS[1]:.0f} s)")
    axes.set_ylabel("turn latency (s)")
    axes.set_title(f"Capacity on {os.cpu_count()} cores: p95 under {GOAL_SECONDS:.0f} s")
    axes.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.capacity", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="our trained model (.tar.gz)")
    parser.add_argument("--short", action="store_true", help="fewer, shorter levels (about 10 minutes at most)")
    parser.add_argument("--seconds", type=float, help="measured seconds per level (default 60, short 25)")
    parser.add_argument("--max-minutes", type=float, help="stop ramping after this long (default 30, short 10)")
    parser.add_argument("--replicas", type=int, default=2, help="our Rasa replicas and action servers")
    parser.add_argument("--plot", type=Path, default=ROOT / "results" / "capacity.png")
    args = parser.parse_args()
    levels = SHORT_LEVELS if args.short else LEVELS
    seconds = args.seconds or (25 if args.short else 60)
    deadline = time.monotonic() + 60 * (args.max_minutes or (10 if args.short else 30))

    project, stock_model, _ = baseline_model(retrain=False)
    with tempfile.TemporaryDirectory(prefix="weho-capacity-") as tmp:
        stock_dir, ours_dir = Path(tmp) / "stock", Path(tmp) / "ours"
        stock_dir.mkdir()
        ours_dir.mkdir()
        stock = Server("stock rasa init", stock_model, project, False, stock_dir)
        ours = ProdMode(ours_dir, str(Path(args.model).resolve()), args.replicas, args.replicas)
        try:
            print("Starting the stock assistant and ours in production mode ...", file=sys.stderr)
            stock.start()
            ours.start()
            targets = {
                "stock": (f"{stock.url}/webhooks/rest/webhook", STOCK),
                "ours (prod)": (f"{ours.url}/webhooks/rest/webhook", OURS),
            }
            print(f"Ramping visitors ({seconds:.0f} s measured per level) ...", file=sys.stderr)
            curves = ramp(targets, levels, seconds, deadline)
        finally:
            stock.stop()
            ours.stop()
    print_table(curves)
    plot(curves, args.plot)
    print(f"Plot: {args.plot}\nRasa replicas (ours): {args.replicas}; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} at the end.")


if __name__ == "__main__":
    main()
