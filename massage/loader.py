"""Imports the provider directory (data/directory/therapists.yml) into the database.

Idempotent: therapists are matched by slug and updated in place; their working hours are replaced.
Run it with `python -m massage.loader` after editing the file.
"""

from datetime import time
from pathlib import Path
from typing import Any, Dict, List

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from massage.models import Therapist, WorkingHours

DIRECTORY_FILE = Path(__file__).resolve().parent.parent / "data" / "directory" / "therapists.yml"
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
PROFILE_FIELDS = (
    "name", "gender", "pronoun", "bio", "years_experience", "rating", "review_count",
    "certifications", "languages", "techniques", "zip_codes", "accepts_prescription",
)


def _parse_window(text: str) -> tuple:
    starts, ends = (time.fromisoformat(part.strip()) for part in text.split("-"))
    if ends <= starts:
        raise ValueError(f"working window {text!r} must end after it starts")
    return starts, ends


def _working_hours(hours: Dict[str, List[str]]) -> List[WorkingHours]:
    unknown = set(hours) - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"unknown weekdays in hours: {sorted(unknown)}")
    return [
        WorkingHours(weekday=WEEKDAYS.index(day), starts=starts, ends=ends)
        for day, windows in hours.items()
        for starts, ends in map(_parse_window, windows)
    ]


def load_directory(session: Session, path: Path = DIRECTORY_FILE) -> int:
    """Upsert every therapist in the file; returns how many were loaded."""
    entries: List[Dict[str, Any]] = yaml.safe_load(path.read_text())["therapists"]
    existing = {t.slug: t for t in session.execute(select(Therapist)).scalars()}
    for entry in entries:
        therapist = existing.get(entry["slug"]) or Therapist(slug=entry["slug"])
        for field in PROFILE_FIELDS:
            setattr(therapist, field, entry[field])
        therapist.active = entry.get("active", True)
        therapist.notify_via = entry.get("notify_via")
        if therapist.id is not None:
            therapist.working_hours.clear()
            session.flush()  # old windows go before new ones with the same start arrive
        therapist.working_hours = _working_hours(entry["hours"])
        session.add(therapist)
    listed = {entry["slug"] for entry in entries}
    for slug, therapist in existing.items():
        if slug not in listed:
            therapist.active = False  # kept for their past bookings, never offered again
    session.flush()
    return len(entries)


def load_directory_if_empty(session: Session) -> None:
    if not session.execute(select(func.count(Therapist.id))).scalar():
        load_directory(session)


if __name__ == "__main__":
    from massage.db import session_scope

    with session_scope() as db:
        print(f"Loaded {load_directory(db)} therapists from {DIRECTORY_FILE}.")
