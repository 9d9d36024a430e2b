"""Evaluates the trained model on the held-out NLU set and on the unseen set, and fails below the bars.

Held-out (tests/nlu_holdout.yml): intents and FAQ keys (the ResponseSelector's `faq/<key>`
labels) are scored by macro F1; both must reach --min-macro-f1.

Unseen (tests/nlu_unseen.yml): messages in other voices, run through the model as the bot would
decide (evaluation/outcomes.py), counted as answered right, confidently wrong, honest fallback
or one of two questions answered; fails below --min-right or above --max-wrong. Neither set may
share a sentence with data/nlu.
"""

import argparse
import asyncio
import json
import logging
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the model's custom components, actions and evaluation/

from evaluation.nlu_sets import overlap, rasa_nlu_examples, training_files, unseen_messages  # noqa: E402
from evaluation.outcomes import FALLBACK, PARTLY, RIGHT, WRONG, decide, judge  # noqa: E402


def print_report(title: str, report: dict) -> float:
    labels = sorted(k for k, v in report.items() if isinstance(v, dict) and "f1-score" in v and "avg" not in k)
    print(f"\n{title}")
    print(f"  {'label':40} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}")
    for label in labels:
        row = report[label]
        print(f"  {label:40} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1-score']:6.3f} {row['support']:4d}")
    macro = report["macro avg"]["f1-score"]
    print(f"  {'macro F1':40} {'':9} {'':7} {macro:6.3f}   accuracy {report.get('accuracy', float('nan')):.3f}")
    return macro


def evaluate_holdout(model: str, holdout: Path, out: Path, min_macro_f1: float) -> bool:
    subprocess.run(
        [str(Path(sys.executable).with_name("rasa")), "test", "nlu", "--model", model,
         "--nlu", str(holdout), "--out", str(out), "--no-plot", "--quiet"],
        check=True,
    )
    scores = {
        "intents": print_report("Held-out intent classification", json.loads((out / "intent_report.json").read_text())),
        "FAQ keys": print_report(
            "Held-out FAQ answer selection (faq/<key>)",
            json.loads((out / "response_selection_report.json").read_text()),
        ),
    }
    failed = {name: score for name, score in scores.items() if score < min_macro_f1}
    for name, score in failed.items():
        print(f"FAIL: {name} macro F1 {score:.3f} is below {min_macro_f1:.2f}")
    if not failed:
        summary = ", ".join(f"{name} {score:.3f}" for name, score in scores.items())
        print(f"\nHeld-out macro F1 at or above {min_macro_f1:.2f}: {summary}")
    return not failed


async def parse_all(model: str, texts: list) -> tuple:
    """Each message's parse, and the milliseconds each took (the model loaded once)."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # else every parse is printed
    agent = Agent.load(model)
    await agent.parse_message("warm up")
    parses, millis = [], []
    for text in texts:
        start = time.perf_counter()
        parses.append(await agent.parse_message(text))
        millis.append((time.perf_counter() - start) * 1000)
    return parses, millis


def shares(outcomes: list) -> str:
    n = len(outcomes)
    return "  ".join(f"{kind} {outcomes.count(kind) / n:6.1%}" for kind in (RIGHT, WRONG, FALLBACK, PARTLY))


def evaluate_unseen(model: str, unseen: Path, min_right: float, max_wrong: float, verbose: bool) -> bool:
    messages = unseen_messages(unseen)
    parses, millis = asyncio.run(parse_all(model, [text for _, _, text in messages]))
    outcomes = []
    print(f"\nUnseen messages ({unseen}), decided as the bot decides:")
    for (voice, expected, text), parse in zip(messages, parses, strict=True):
        decision = decide(parse)
        outcome = judge(expected, decision)
        outcomes.append((voice, outcome))
        if verbose and outcome != RIGHT:
            said = "+".join(decision.answers) if decision.answers else f"fallback ({decision.intent})"
            print(f"  {outcome:20} expected {'+'.join(expected):32} got {said:32} {text}")
    for voice in dict.fromkeys(v for v, _ in outcomes):
        in_voice = [o for v, o in outcomes if v == voice]
        print(f"  {voice:12} n={len(in_voice):3}  {shares(in_voice)}")
    every = [o for _, o in outcomes]
    right, wrong = every.count(RIGHT) / len(every), every.count(WRONG) / len(every)
    print(f"  {'all':12} n={len(every):3}  {shares(every)}")
    print(f"  parse time per message: p50 {statistics.median(millis):.1f} ms, "
          f"p95 {statistics.quantiles(millis, n=20)[-1]:.1f} ms")
    ok = right >= min_right and wrong <= max_wrong
    verdict = "" if ok else "FAIL: "
    print(f"{verdict}unseen: answered right {right:.1%} (bar >= {min_right:.0%}), "
          f"confidently wrong {wrong:.1%} (bar <= {max_wrong:.0%})")
    return ok


def sets_are_unseen(holdout: Path, unseen: Path) -> bool:
    training = [text for _, text in rasa_nlu_examples(training_files(ROOT))]
    shared = {
        holdout: overlap((text for _, text in rasa_nlu_examples([holdout])), training),
        unseen: overlap((text for _, _, text in unseen_messages(unseen)), training),
    }
    for path, sentences in shared.items():
        for sentence in sorted(sentences):
            print(f"FAIL: {path} shares a sentence with data/nlu: {sentence!r}")
    return not any(shared.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--holdout", type=Path, default=ROOT / "tests/nlu_holdout.yml")
    parser.add_argument("--unseen", type=Path, default=ROOT / "tests/nlu_unseen.yml")
    parser.add_argument("--out", type=Path, default=ROOT / "results/nlu")
    parser.add_argument("--min-macro-f1", type=float, default=0.90)
    parser.add_argument("--min-right", type=float, default=0.90)
    parser.add_argument("--max-wrong", type=float, default=0.03)
    parser.add_argument("--skip-holdout", action="store_true", help="only the unseen set (faster)")
    parser.add_argument("--verbose", action="store_true", help="list every unseen message not answered right")
    args = parser.parse_args()

    ok = sets_are_unseen(args.holdout, args.unseen)
    if not args.skip_holdout:
        ok = evaluate_holdout(args.model, args.holdout, args.out, args.min_macro_f1) and ok
    ok = evaluate_unseen(args.model, args.unseen, args.min_right, args.max_wrong, args.verbose) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
