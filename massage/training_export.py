"""Labelled unanswered questions as Rasa NLU training data, for the next training."""

from __future__ import annotations

from collections import defaultdict

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from massage.models import UnansweredQuestion


def labelled_examples(session: Session) -> dict[str, list[str]]:
    """Each topic's distinct examples, as typed (contacts already masked when recorded)."""
    rows = session.execute(
        select(UnansweredQuestion.label, UnansweredQuestion.text)
        .where(UnansweredQuestion.label.is_not(None))
        .order_by(UnansweredQuestion.label, UnansweredQuestion.created_at)
    )
    examples: dict[str, list[str]] = defaultdict(list)
    for label, text in rows:
        line = " ".join(text.split())  # one example is one line
        if line and line not in examples[label]:
            examples[label].append(line)
    return dict(examples)


class _Literal(str):
    """Written as a YAML block (`examples: |`), as Rasa's own training files are."""


yaml.SafeDumper.add_representer(_Literal, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|"
))


def nlu_yaml(examples: dict[str, list[str]]) -> str:
    nlu = [
        {"intent": topic, "examples": _Literal("".join(f"- {example}\n" for example in lines))}
        for topic, lines in sorted(examples.items())
    ]
    return yaml.safe_dump({"version": "3.1", "nlu": nlu}, sort_keys=False, allow_unicode=True, width=1000)
