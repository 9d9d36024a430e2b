"""Evaluates the trained model on the held-out NLU set and fails below a macro-F1 bar.

Training never sees tests/nlu_holdout.yml. Intents and FAQ keys (the ResponseSelector's
`faq/<key>` labels) are scored separately; both must reach the bar.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--holdout", default="tests/nlu_holdout.yml")
    parser.add_argument("--out", default="results/nlu")
    parser.add_argument("--min-macro-f1", type=float, default=0.90)
    args = parser.parse_args()

    subprocess.run(
        [str(Path(sys.executable).with_name("rasa")), "test", "nlu", "--model", args.model,
         "--nlu", args.holdout, "--out", args.out, "--no-plot", "--quiet"],
        check=True,
    )
    out = Path(args.out)
    scores = {
        "intents": print_report("Held-out intent classification", json.loads((out / "intent_report.json").read_text())),
        "FAQ keys": print_report(
            "Held-out FAQ answer selection (faq/<key>)",
            json.loads((out / "response_selection_report.json").read_text()),
        ),
    }
    failed = {name: score for name, score in scores.items() if score < args.min_macro_f1}
    for name, score in failed.items():
        print(f"FAIL: {name} macro F1 {score:.3f} is below {args.min_macro_f1:.2f}")
    if not failed:
        summary = ", ".join(f"{name} {score:.3f}" for name, score in scores.items())
        print(f"\nHeld-out macro F1 at or above {args.min_macro_f1:.2f}: {summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
