"""A few figures for the owner: conversations per day and channel, the share that ended in a
fallback, bookings started against confirmed, and handoffs with how long they waited."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from statistics import median

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from massage.clock import LA
from massage.db import engine_for
from massage.models import Booking, HandoffRequest

FALLBACK_INTENT = "nlu_fallback"
BOOKING_FORM = "booking_form"


@dataclass(frozen=True)
class Conversations:
    per_day_and_channel: dict[tuple[date, str], int]
    total: int
    ended_in_fallback: int
    bookings_started: int

    @property
    def fallback_share(self) -> float:
        return self.ended_in_fallback / self.total if self.total else 0.0


@dataclass(frozen=True)
class Handoffs:
    asked: int
    taken: int
    waiting_now: int
    median_wait: timedelta | None
    longest_wait: timedelta | None


def conversations(tracker_url: str, since: datetime) -> Conversations:
    """Conversations with a visitor message since `since`, counted on the (LA) day they began."""
    engine = engine_for(tracker_url)
    if not inspect(engine).has_table("events"):
        return Conversations({}, 0, 0, 0)
    with engine.connect() as connection:
        user_rows = connection.execute(
            text(
                "SELECT sender_id, timestamp, intent_name, data FROM events"
                " WHERE type_name = 'user' AND timestamp >= :since ORDER BY id"
            ),
            {"since": since.timestamp()},
        ).all()
        started = connection.execute(
            text(
                "SELECT COUNT(DISTINCT sender_id) FROM events"
                " WHERE type_name = 'active_loop' AND action_name = :form AND timestamp >= :since"
            ),
            {"form": BOOKING_FORM, "since": since.timestamp()},
        ).scalar()
    first: dict[str, tuple[date, str]] = {}
    last_intent: dict[str, str | None] = {}
    for sender_id, timestamp, intent_name, data in user_rows:
        if sender_id not in first:
            day = datetime.fromtimestamp(timestamp, tz=timezone.utc).astimezone(LA).date()
            first[sender_id] = (day, json.loads(data).get("input_channel") or "unknown")
        last_intent[sender_id] = intent_name
    return Conversations(
        per_day_and_channel=dict(sorted(Counter(first.values()).items())),
        total=len(first),
        ended_in_fallback=sum(1 for intent in last_intent.values() if intent == FALLBACK_INTENT),
        bookings_started=started or 0,
    )


def bookings_confirmed(session: Session, since: datetime) -> int:
    return session.execute(select(func.count(Booking.id)).where(Booking.created_at >= since)).scalar() or 0


def handoffs(session: Session, since: datetime) -> Handoffs:
    requests = session.execute(select(HandoffRequest).where(HandoffRequest.created_at >= since)).scalars().all()
    waits = [r.taken_at - r.created_at for r in requests if r.taken_at is not None]
    return Handoffs(
        asked=len(requests),
        taken=len(waits),
        waiting_now=sum(1 for r in requests if r.status == "open"),
        median_wait=median(waits) if waits else None,
        longest_wait=max(waits) if waits else None,
    )
