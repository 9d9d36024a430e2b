"""The NLU training data and the evaluation sets, read as plain sentences.

Training must never see an evaluation sentence: `overlap` finds sentences two sets share,
compared without case, punctuation or entity annotations.
"""

import re
from pathlib import Path
from typing import Dict, Iterable, List, Set, Tuple

import yaml

# `[90 minutes](duration)` and `[therapeutic]{"entity": ...}` are read as their words.
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_NOT_A_WORD = re.compile(r"[^a-z0-9]+")


def normalized(sentence: str) -> str:
    return _NOT_A_WORD.sub(" ", _ANNOTATION.sub(r"\1", sentence).lower()).strip()


def rasa_nlu_examples(paths: Iterable[Path]) -> List[Tuple[str, str]]:
    """(label, sentence) of every example in Rasa NLU YAML files (data/nlu, tests/nlu_holdout.yml)."""
    examples = []
    for path in paths:
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            if "intent" not in block:  # synonyms, regexes and lookup tables
                continue
            for line in block.get("examples", "").splitlines():
                if line.strip().startswith("- "):
                    examples.append((block["intent"], line.strip()[2:]))
    return examples


def unseen_messages(path: Path) -> List[Tuple[str, List[str], str]]:
    """(voice, expected labels, message) of the unseen set; two labels for a two-question message."""
    return [
        (voice, label.split("+"), text)
        for voice, entries in yaml.safe_load(path.read_text()).items()
        for label, text in entries
    ]


def overlap(sentences: Iterable[str], others: Iterable[str]) -> Set[str]:
    """Sentences of the first set that the second also holds (normalized)."""
    return {normalized(s) for s in sentences} & {normalized(s) for s in others}


def training_files(root: Path) -> List[Path]:
    return sorted((root / "data" / "nlu").glob("*.yml"))


def label_counts(examples: Iterable[Tuple[str, str]]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for label, _ in examples:
        counts[label] = counts.get(label, 0) + 1
    return counts
