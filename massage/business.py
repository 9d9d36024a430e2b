"""The business's facts, read from the owner-edited data/business.yml (BUSINESS_FILE overrides it).

Read once at import: the booking rules (pricing, policy, service_area, handoff, availability)
and the FAQ answers take their values from FACTS, so a restart applies an edit everywhere.
A file that misses a fact or has a value of the wrong kind stops start-up with a message
naming the fact, instead of the assistant stating something broken.
"""

from __future__ import annotations

import os
import re
from datetime import time
from pathlib import Path
from typing import Any, Dict

import yaml

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "business.yml"

# Facts that are numbers; every other fact not named below is a phrase or sentence.
_NUMBERS = ("free_change_hours", "late_change_fee_percent", "min_notice_hours", "max_days_ahead", "minimum_age")
_MAPPINGS = ("prices", "services", "visit_hours", "team_hours", "served_zips", "neighbourhoods")
_PHRASES = (
    "length_advice", "surcharges", "payment_methods", "when_charged", "hsa_fsa", "receipts",
    "superbill", "tip_how", "gift_cards", "packages", "visit_days", "venues",
    "table_space", "therapist_brings", "client_provides", "pets", "access", "what_to_wear",
    "prepare_yourself", "oils", "comfort", "therapist_gender", "couples", "prenatal", "minors",
    "repeat_therapist", "therapist_late", "client_late", "licensing", "background_checks",
    "therapist_insurance", "conduct", "privacy", "soreness", "how_often", "chronic_conditions",
)  # fmt: skip
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_ZIP = re.compile(r"^\d{5}$")


class BusinessFileError(ValueError):
    """The facts file is missing a fact or holds a value the assistant cannot state."""


def load(path: Path | str | None = None) -> Dict[str, Any]:
    """The facts of `path` (default: BUSINESS_FILE or data/business.yml), checked."""
    path = Path(path or os.environ.get("BUSINESS_FILE") or DEFAULT_FILE)
    try:
        facts = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise BusinessFileError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(facts, dict):
        raise BusinessFileError(f"{path} must hold `name: value` lines")
    _check(facts, path)
    return facts


def clock_time(value: str) -> time:
    """'08:00' -> time(8, 0)."""
    hours, minutes = _CLOCK.match(value).groups()
    return time(int(hours), int(minutes))


def _check(facts: Dict[str, Any], path: Path) -> None:
    def fail(problem: str) -> None:
        raise BusinessFileError(f"{path}: {problem}")

    for name in _NUMBERS + _MAPPINGS + _PHRASES:
        if name not in facts:
            fail(f"`{name}` is missing")
    for name in _NUMBERS:
        if not isinstance(facts[name], int) or isinstance(facts[name], bool) or facts[name] < 0:
            fail(f"`{name}` must be a whole number, not {facts[name]!r}")
    for name in _MAPPINGS:
        if not isinstance(facts[name], dict) or not facts[name]:
            fail(f"`{name}` must list `name: value` lines under it")
    for name in _PHRASES:
        if not isinstance(facts[name], str) or not facts[name].strip():
            fail(f"`{name}` must be a phrase in words")
    tip = facts.get("tip_usual_percent")
    if not (isinstance(tip, list) and len(tip) == 2 and all(isinstance(p, int) for p in tip) and tip[0] <= tip[1]):
        fail(f"`tip_usual_percent` must be two whole numbers, lowest first, like [15, 20], not {tip!r}")
    lengths = None
    for service, by_length in facts["prices"].items():
        if service not in facts["services"]:
            fail(f"prices: `{service}` has no name under `services`")
        if not isinstance(by_length, dict) or not all(
            isinstance(m, int) and isinstance(p, int) and p > 0 for m, p in by_length.items()
        ):
            fail(f"prices: `{service}` must list `minutes: dollars` lines, e.g. `60: 140`")
        if lengths is not None and set(by_length) != lengths:
            fail("prices: every service must offer the same session lengths")
        lengths = set(by_length)
    for name, keys in (("visit_hours", ("first_start", "last_end")), ("team_hours", ("opens", "closes"))):
        for key in keys:
            value = facts[name].get(key)
            if not isinstance(value, str) or not _CLOCK.match(value):
                fail(f'{name}: `{key}` must be a time like "08:00", not {value!r}')
    for zip_code in facts["served_zips"]:
        if not isinstance(zip_code, str) or not _ZIP.match(zip_code):
            fail(f'served_zips: write each ZIP code in quotes, like "90069" (not {zip_code!r})')
    for place, zip_code in facts["neighbourhoods"].items():
        if zip_code not in facts["served_zips"]:
            fail(f"neighbourhoods: `{place}` points to {zip_code!r}, which is not under served_zips")


FACTS: Dict[str, Any] = load()
