"""What a visitor types through the REST channel when booking, shared by the REST test modules."""

from datetime import datetime, timedelta

from bench.booking_visitor import spoken  # noqa: F401 - the REST test modules take it from here
from conftest import texts
from massage import bookings, clock


def free_slot(minutes: int = 90, days_ahead: int = 3) -> datetime:
    """A time a deep-tissue therapist is free in 90069, `days_ahead` days from now or later."""
    start = (clock.now() + timedelta(days=days_ahead)).replace(hour=9, minute=0, second=0, microsecond=0)
    return bookings.free_times(start, start + timedelta(days=7), minutes, "deep tissue", "90069")[0]


def conversation(stack, sender, *messages):
    return [texts(stack.say(message, sender)) for message in messages]
