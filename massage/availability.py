"""When a therapist can take a booking: working hours minus bookings, with travel time between.

All wall-clock reasoning happens in Los Angeles time (zoneinfo makes DST days right);
bookings are stored in UTC.
"""

from datetime import date, datetime, timedelta
from typing import Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from massage import clock
from massage.business import FACTS
from massage.models import Booking, Therapist
from massage.pricing import DURATIONS

# Therapists drive between clients: keep this much free before and after every booking.
TRAVEL_BUFFER = timedelta(minutes=30)
# Nobody can be at the door sooner than this after booking.
MIN_LEAD_TIME = timedelta(hours=FACTS["min_notice_hours"])
SLOT_STEP = timedelta(minutes=30)
# How far ahead the directory looks for a next free slot.
SEARCH_HORIZON_DAYS = 14

Interval = Tuple[datetime, datetime]


def working_windows(therapist: Therapist, day: date) -> List[Interval]:
    """The therapist's working windows on one local day, as aware LA datetimes."""
    return [
        (datetime.combine(day, hours.starts, tzinfo=clock.LA), datetime.combine(day, hours.ends, tzinfo=clock.LA))
        for hours in therapist.working_hours
        if hours.weekday == day.weekday()
    ]


def busy_intervals(
    session: Session, therapist_id: int, start: datetime, end: datetime, ignore_booking_id: Optional[int] = None
) -> List[Interval]:
    """Confirmed bookings near [start, end), each widened by the travel buffer on both sides."""
    query = select(Booking.id, Booking.starts_at, Booking.ends_at).where(
        Booking.therapist_id == therapist_id,
        Booking.status == "confirmed",
        Booking.starts_at < end + TRAVEL_BUFFER,
        Booking.ends_at > start - TRAVEL_BUFFER,
    )
    return [
        (row.starts_at - TRAVEL_BUFFER, row.ends_at + TRAVEL_BUFFER)
        for row in session.execute(query)
        if row.id != ignore_booking_id
    ]


def _fits(start: datetime, end: datetime, windows: Sequence[Interval], busy: Iterable[Interval]) -> bool:
    in_hours = any(w_start <= start and end <= w_end for w_start, w_end in windows)
    return in_hours and all(end <= b_start or start >= b_end for b_start, b_end in busy)


def is_bookable(
    session: Session,
    therapist: Therapist,
    starts_at: datetime,
    minutes: int,
    ignore_booking_id: Optional[int] = None,
) -> bool:
    """Whether this therapist can start a `minutes`-long visit at `starts_at` (aware)."""
    start = starts_at.astimezone(clock.LA)
    end = start + timedelta(minutes=minutes)
    if not therapist.active or minutes not in DURATIONS or start.minute % 15 or start.second:
        return False
    if start < clock.now() + MIN_LEAD_TIME:
        return False
    busy = busy_intervals(session, therapist.id, start, end, ignore_booking_id)
    return _fits(start, end, working_windows(therapist, start.date()), busy)


def free_slots(
    session: Session,
    therapist: Therapist,
    window_start: datetime,
    window_end: datetime,
    minutes: int,
    ignore_booking_id: Optional[int] = None,
) -> List[datetime]:
    """Every bookable start (aware, LA) for a `minutes`-long visit within [window_start, window_end]."""
    if not therapist.active:
        return []
    earliest = max(window_start.astimezone(clock.LA), clock.now() + MIN_LEAD_TIME)
    latest = window_end.astimezone(clock.LA)
    if earliest > latest:
        return []
    length = timedelta(minutes=minutes)
    busy = busy_intervals(session, therapist.id, earliest, latest + length, ignore_booking_id)
    slots: List[datetime] = []
    day = earliest.date()
    while day <= latest.date():
        windows = working_windows(therapist, day)
        for w_start, w_end in windows:
            start = w_start
            while start + length <= w_end:
                if earliest <= start <= latest and _fits(start, start + length, windows, busy):
                    slots.append(start)
                start += SLOT_STEP
        day += timedelta(days=1)
    return sorted(slots)


def next_free_slot(
    session: Session, therapist: Therapist, after: datetime, minutes: int = 60, days: int = SEARCH_HORIZON_DAYS
) -> Optional[datetime]:
    """The first bookable start at or after `after`, looking `days` ahead."""
    slots = free_slots(session, therapist, after, after + timedelta(days=days), minutes)
    return slots[0] if slots else None
