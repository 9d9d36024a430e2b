"""Deletes what the assistant keeps about people once it is older than a set age.

    python -m massage.retention --older-than 30d

- conversations whose last event is older than the age: every row of Rasa's tracker store
  (table `events`), so their messages, slots and intake answers are gone;
- handoff requests that are closed and older than the age.

Bookings are business records and stay. The tracker store is `--tracker-url`, or
TRACKER_DATABASE_URL, or DATABASE_URL when that is PostgreSQL (production keeps both in one
database), or the SQLite file of `make run`.
"""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, inspect, text
from sqlalchemy.orm import Session

from massage.db import ROOT, database_url, engine_for
from massage.models import HandoffRequest

_AGE = re.compile(r"^\s*(\d+)\s*([dhm])\s*$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


@dataclass(frozen=True)
class Deleted:
    conversations: int
    events: int
    handoff_requests: int


def parse_age(value: str) -> timedelta:
    """'30d', '12h' or '90m' as a timedelta."""
    match = _AGE.match(value)
    if not match:
        raise argparse.ArgumentTypeError(f"age must look like 30d, 12h or 90m, not {value!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def default_tracker_url() -> str:
    if os.environ.get("TRACKER_DATABASE_URL"):
        return os.environ["TRACKER_DATABASE_URL"]
    if database_url().startswith("postgresql"):
        return database_url()
    return f"sqlite:///{ROOT / '.state' / 'tracker.db'}"


def delete_old_conversations(tracker_url: str, cutoff: datetime) -> tuple[int, int]:
    """(conversations, events) deleted whose last event is before `cutoff`."""
    engine = engine_for(tracker_url)
    if not inspect(engine).has_table("events"):
        return 0, 0
    stale = "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"
    with engine.begin() as connection:
        params = {"cutoff": cutoff.timestamp()}
        conversations = len(connection.execute(text(stale), params).all())
        events = connection.execute(text(f"DELETE FROM events WHERE sender_id IN ({stale})"), params).rowcount
    return conversations, events


def delete_closed_handoffs(url: str, cutoff: datetime) -> int:
    with Session(engine_for(url), future=True) as session, session.begin():
        result = session.execute(
            delete(HandoffRequest)
            .where(HandoffRequest.status != "open", HandoffRequest.created_at < cutoff)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount


def purge(older_than: timedelta, tracker_url: str | None = None, bookings_url: str | None = None) -> Deleted:
    cutoff = datetime.now(timezone.utc) - older_than
    conversations, events = delete_old_conversations(tracker_url or default_tracker_url(), cutoff)
    handoffs = delete_closed_handoffs(bookings_url or database_url(), cutoff)
    return Deleted(conversations, events, handoffs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m massage.retention", description=__doc__.split("\n\n")[0])
    parser.add_argument("--older-than", type=parse_age, required=True, help="age such as 30d, 12h or 90m")
    parser.add_argument("--tracker-url", help="SQLAlchemy URL of Rasa's tracker store")
    parser.add_argument("--database-url", help="SQLAlchemy URL of the bookings database (default DATABASE_URL)")
    args = parser.parse_args(argv)
    deleted = purge(args.older_than, args.tracker_url, args.database_url)
    print(
        f"Deleted {deleted.conversations} conversations ({deleted.events} events) and "
        f"{deleted.handoff_requests} closed handoff requests older than {args.older_than}."
    )


if __name__ == "__main__":
    main()
