"""Writing notices into the outbox, inside the transaction that changes the booking.

Either the booking change and its notices are both committed or neither is: a confirmation is
never lost because a process died after the booking was written, and never sent for a change
that was rolled back. Each notice has a unique key (booking reference, revision, event,
audience, channel), so the same change can never be recorded twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from massage import clock
from massage.models import Booking, Notice, Therapist
from notices import recipients
from notices.recipients import Address

CHANGES = ("created", "rescheduled", "cancelled")
# Reminder event -> how long before the visit it goes out.
REMINDERS = {"reminder_24h": timedelta(hours=24), "reminder_2h": timedelta(hours=2)}


def record_change(
    session: Session, booking: Booking, therapist: Therapist, event: str, previous_start: datetime | None = None
) -> list[Notice]:
    """Add the notices of this booking change to the session (flushed; the caller commits).

    The client is told by email and on their channel, the therapist by their contact way; the
    reminders of an earlier revision are withdrawn and, unless cancelled, new ones scheduled.
    """
    if event not in CHANGES:
        raise ValueError(f"unknown booking change {event!r}")
    now = clock.now().astimezone(timezone.utc)
    revision = _next_revision(session, booking.id)
    session.execute(
        update(Notice)
        .where(Notice.booking_id == booking.id, Notice.event.in_(REMINDERS), Notice.status == "pending")
        .values(status="superseded", claimed_until=None)
    )
    client = _client_payload(booking, therapist, event, revision, previous_start)
    notices = [
        _notice(booking, revision, event, "client", address, client, due_at=now)
        for address in recipients.client_addresses(booking)
    ]
    therapist_address = recipients.therapist_address(therapist)
    if therapist_address is not None:
        payload = _therapist_payload(booking, therapist, event, revision, previous_start)
        notices.append(_notice(booking, revision, event, "therapist", therapist_address, payload, due_at=now))
    if event != "cancelled":
        address = recipients.reminder_address(booking)
        for reminder, ahead in REMINDERS.items():
            due_at = _utc(booking.starts_at) - ahead
            if due_at > now:
                payload = {**client, "event": reminder}
                notices.append(_notice(booking, revision, reminder, "client", address, payload, due_at=due_at))
    session.add_all(notices)
    session.flush()
    return notices


def _next_revision(session: Session, booking_id: int) -> int:
    latest = session.execute(select(func.max(Notice.revision)).where(Notice.booking_id == booking_id)).scalar()
    return 0 if latest is None else latest + 1


def _notice(
    booking: Booking, revision: int, event: str, audience: str, address: Address, payload: dict, due_at: datetime
) -> Notice:
    # One stream a recipient: a booking's changes reach each in order; reminders are their own stream.
    stream = "reminders" if event in REMINDERS else f"{audience}:{address.channel}"
    return Notice(
        key=f"{booking.reference}:{revision}:{event}:{audience}:{address.channel}",
        booking_id=booking.id,
        revision=revision,
        event=event,
        audience=audience,
        channel=address.channel,
        recipient=address.recipient,
        payload=payload,
        order_key=f"{booking.id}:{stream}",
        status="pending",
        due_at=due_at,
        attempts=0,
    )


def _common(booking: Booking, therapist: Therapist, event: str, revision: int, previous_start) -> dict:
    return {
        "changed_at": clock.now().isoformat(),
        "reference": booking.reference,
        "event": event,
        "revision": revision,
        "starts_at": _local_iso(booking.starts_at),
        "previous_starts_at": _local_iso(previous_start) if previous_start else None,
        "duration_minutes": booking.duration_minutes,
        "service": booking.service,
        "technique": booking.technique.replace("_", " ") if booking.technique else None,
        "therapist_name": therapist.name,
        "address": booking.address,
        "zip_code": booking.zip_code,
    }


def _client_payload(booking: Booking, therapist: Therapist, event: str, revision: int, previous_start) -> dict:
    return {
        **_common(booking, therapist, event, revision, previous_start),
        "client_name": booking.client_name,
        "price_cents": booking.price_cents,
        # Where a reply to a reminder arrives, and the phone number that chat proves (reply_context).
        "conversation_id": booking.conversation_id,
        "proven_phone": recipients.proven_phone(booking),
    }


def _therapist_payload(booking: Booking, therapist: Therapist, event: str, revision: int, previous_start) -> dict:
    """What the therapist needs for the visit: no contact details, and of the intake only the notes."""
    return {
        **_common(booking, therapist, event, revision, previous_start),
        "access_notes": booking.access_notes,
        "intake_notes": list((booking.intake or {}).get("notes", [])),
    }


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes until the row is reloaded; they are UTC.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _local_iso(moment: datetime) -> str:
    return _utc(moment).astimezone(clock.LA).isoformat()
