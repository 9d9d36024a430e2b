"""The calendar invitation (.ics) attached to booking emails.

One event per booking, so calendar apps update it in place: the UID is the booking's reference,
SEQUENCE is the booking's revision (raised by every change), a reschedule is a new REQUEST with
the new time, and a cancellation is METHOD:CANCEL with STATUS:CANCELLED. Times are
America/Los_Angeles with its VTIMEZONE.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parseaddr

from icalendar import Calendar, Event, vCalAddress

from notices.content import render, session_name, starts_at

UID_DOMAIN = "notices.weho-massage"


def uid(reference: str) -> str:
    return f"{reference}@{UID_DOMAIN}"


def build(payload: dict, audience: str, organizer: str, attendee: str, stamp: datetime) -> tuple[bytes, str]:
    """The .ics bytes and its iTIP method (REQUEST or CANCEL)."""
    cancelled = payload["event"] == "cancelled"
    method = "CANCEL" if cancelled else "REQUEST"
    calendar = Calendar()
    calendar.add("prodid", "-//weho-massage//notices//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid(payload["reference"]))
    event.add("sequence", payload["revision"])
    event.add("dtstamp", stamp.astimezone(timezone.utc))
    begin = starts_at(payload)
    event.add("dtstart", begin)
    event.add("dtend", begin + timedelta(minutes=payload["duration_minutes"]))
    event.add("summary", f"{session_name(payload)} with {payload['therapist_name']}")
    event.add("location", payload["address"])
    event.add("description", render(payload, audience).text)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", vCalAddress(f"mailto:{parseaddr(organizer)[1]}"))
    event.add("attendee", vCalAddress(f"mailto:{attendee}"))
    calendar.add_component(event)
    year = timedelta(days=366)  # the VTIMEZONE's transitions around the visit, not since 1970
    calendar.add_missing_timezones(first_date=begin.date() - year, last_date=begin.date() + year)
    return calendar.to_ical(), method
