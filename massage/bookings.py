"""Creating, finding, cancelling and moving bookings, each in one locked transaction.

Each change records its notices (confirmation, therapist notice, reminders) in the same
transaction (notices.outbox); the notices worker sends them.

A therapist can never be double-booked: every write takes a lock on the therapist's
row first (PostgreSQL `SELECT ... FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` from
`massage.db` locks the whole database), then checks the slot again, then writes.
Two people racing for the same slot are serialised; the second one sees the first
booking and gets `SlotTaken` with alternatives.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from massage import availability, clock, contact, policy, pricing
from massage.db import session_scope
from massage.models import Booking, Therapist
from notices import outbox

# No 0/O, 1/I/L, 2/Z, 5/S or 8/B: references are read out over the phone.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
REFERENCE_LENGTH = 6
MAX_ALTERNATIVES = 3
# How far from the wished time alternatives are looked for.
ALTERNATIVES_HORIZON = timedelta(days=7)


class BookingError(Exception):
    """A booking could not be made or changed; `str()` is safe to show to the user."""


class SlotTaken(BookingError):
    """The slot is no longer free (or was never bookable); here are others close to it."""

    def __init__(self, alternatives: list[datetime], message: str = "that time is no longer available."):
        super().__init__(message)
        self.alternatives = alternatives


class BookingNotFound(BookingError):
    """No booking has this reference together with this phone number."""


class BookingClosed(BookingError):
    """The booking is cancelled or already in the past, so it cannot be changed."""


class TherapistUnsuitable(BookingError):
    """The therapist asked for does not offer this technique or does not travel to this ZIP."""


@dataclass(frozen=True)
class SlotOffer:
    """A therapist who is free at the wished time."""

    therapist_slug: str
    therapist_name: str


@dataclass(frozen=True)
class BookingDetails:
    """What a client may see of their booking, detached from the database session."""

    reference: str
    therapist_slug: str
    therapist_name: str
    starts_at: datetime  # Los Angeles time
    duration_minutes: int
    service: str
    technique: str | None
    status: str
    client_name: str
    phone: str
    email: str
    address: str
    zip_code: str
    access_notes: str | None
    price_cents: int
    intake: dict = field(default_factory=dict)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class NewBooking:
    """Everything the form collected; validated again here before anything is written."""

    therapist_slug: str
    starts_at: datetime
    duration_minutes: int
    service: str
    technique: str | None
    client_name: str
    phone: str
    email: str
    address: str
    zip_code: str
    access_notes: str | None = None
    intake: dict = field(default_factory=dict)
    conversation_id: str | None = None
    sms_consent: bool = False


def new_reference() -> str:
    return "WH-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


_REFERENCE = re.compile(r"\bWH[-\s]?([A-Z0-9]{4,8})\b", re.I)
_BARE_REFERENCE = re.compile(rf"^\s*([{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}})\s*$", re.I)


def normalise_reference(text: str) -> str | None:
    """The reference in a text: 'it's wh-4k7q9c' or a bare '4k7q9c' -> 'WH-4K7Q9C'; else None."""
    if not text or len(text) > 200:
        return None
    match = _REFERENCE.search(text) or _BARE_REFERENCE.match(text)
    return "WH-" + match.group(1).upper() if match else None


def technique_key(technique: str | None) -> str | None:
    """'deep tissue' -> 'deep_tissue', the key the directory uses."""
    return technique.replace(" ", "_") if technique else None


def therapist_name(slug: str | None) -> str:
    with session_scope() as session:
        therapist = session.execute(select(Therapist).where(Therapist.slug == slug)).scalar_one_or_none()
        return therapist.name if therapist else "the best available therapist"


def offer_slot(
    starts_at: datetime, minutes: int, technique: str | None, zip_code: str, therapist_slug: str | None = None
) -> SlotOffer:
    """The therapist to book at this time: the one asked for, else the best-rated free one.

    Raises SlotTaken (with the nearest free times) when nobody suitable is free, and
    TherapistUnsuitable when the therapist asked for does not do this technique here.
    """
    with session_scope() as session:
        candidates = _candidates(session, technique, zip_code, therapist_slug)
        for therapist in candidates:
            if availability.is_bookable(session, therapist, starts_at, minutes):
                return SlotOffer(therapist.slug, therapist.name)
        raise SlotTaken(_nearest(session, candidates, starts_at, minutes), _why_not(starts_at, candidates))


def free_times(
    start: datetime,
    end: datetime,
    minutes: int,
    technique: str | None,
    zip_code: str,
    therapist_slug: str | None = None,
    ignore_reference: str | None = None,
) -> list[datetime]:
    """Up to three bookable start times (LA) within [start, end], earliest first."""
    with session_scope() as session:
        ignore = _booking_id(session, ignore_reference)
        times: set[datetime] = set()
        for therapist in _candidates(session, technique, zip_code, therapist_slug):
            times.update(availability.free_slots(session, therapist, start, end, minutes, ignore_booking_id=ignore))
        return sorted(times)[:MAX_ALTERNATIVES]


def create_booking(request: NewBooking) -> BookingDetails:
    """Write a confirmed booking, or raise SlotTaken if the slot was just taken."""
    phone = contact.normalise_phone(request.phone)
    if phone is None:
        raise BookingError("That phone number doesn't look valid.")
    price = pricing.price_cents(request.service, request.duration_minutes)
    starts_at = request.starts_at.astimezone(timezone.utc)
    with session_scope() as session:
        therapist = _lock_therapist(session, request.therapist_slug)
        earlier = _same_visit(session, request, therapist, starts_at, phone)
        if earlier is not None:
            return _details(earlier, therapist)
        _require_bookable(session, therapist, starts_at, request.duration_minutes)
        now = clock.now().astimezone(timezone.utc)
        booking = Booking(
            reference=_unused_reference(session),
            therapist_id=therapist.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=request.duration_minutes),
            duration_minutes=request.duration_minutes,
            service=request.service,
            technique=technique_key(request.technique),
            status="confirmed",
            client_name=request.client_name,
            phone=phone,
            email=request.email,
            address=request.address,
            zip_code=request.zip_code,
            access_notes=request.access_notes,
            intake=request.intake,
            price_cents=price,
            conversation_id=request.conversation_id,
            sms_consent=request.sms_consent,
            created_at=now,
            updated_at=now,
        )
        session.add(booking)
        session.flush()
        outbox.record_change(session, booking, therapist, "created")
        return _details(booking, therapist)


def find_booking(reference: str, phone: str) -> BookingDetails:
    """The booking with this reference AND this phone number; BookingNotFound otherwise."""
    with session_scope() as session:
        booking = _owned_booking(session, reference, phone)
        return _details(booking, session.get(Therapist, booking.therapist_id))


def cancel_booking(reference: str, phone: str) -> tuple[BookingDetails, int]:
    """Cancel a booking; returns it and the late-cancellation fee in cents (0 if free)."""
    with session_scope() as session:
        booking = _owned_booking(session, reference, phone)
        _require_open(booking)
        fee = policy.change_fee_cents(_local(booking.starts_at), booking.price_cents)
        booking.status = "cancelled"
        booking.updated_at = clock.now().astimezone(timezone.utc)
        therapist = session.get(Therapist, booking.therapist_id)
        outbox.record_change(session, booking, therapist, "cancelled")
        return _details(booking, therapist), fee


def reschedule_booking(reference: str, phone: str, new_start: datetime) -> tuple[BookingDetails, int]:
    """Move a booking to a new start with the same therapist; returns it and the fee.

    Raises SlotTaken (with alternatives) if the therapist is not free then.
    """
    with session_scope() as session:
        booking = _owned_booking(session, reference, phone)
        _require_open(booking)
        fee = policy.change_fee_cents(_local(booking.starts_at), booking.price_cents)
        therapist = _lock_therapist(session, booking.therapist_id)
        starts_at = new_start.astimezone(timezone.utc)
        _require_bookable(session, therapist, starts_at, booking.duration_minutes, ignore=booking.id)
        previous_start = booking.starts_at
        booking.starts_at = starts_at
        booking.ends_at = starts_at + timedelta(minutes=booking.duration_minutes)
        booking.updated_at = clock.now().astimezone(timezone.utc)
        outbox.record_change(session, booking, therapist, "rescheduled", previous_start)
        return _details(booking, therapist), fee


def _lock_therapist(session: Session, therapist: str | int) -> Therapist:
    """The therapist's row, locked until the transaction ends (a no-op on SQLite)."""
    column = Therapist.slug if isinstance(therapist, str) else Therapist.id
    found = session.execute(select(Therapist).where(column == therapist).with_for_update()).scalar_one_or_none()
    if found is None:
        raise BookingError("I couldn't find that therapist.")
    return found


def _same_visit(
    session: Session, request: NewBooking, therapist: Therapist, starts_at: datetime, phone: str
) -> Booking | None:
    """This conversation's booking of this very visit, if it already exists.

    When the database goes away while a booking commits, the reply can be lost after the row
    was written (massage.db.CommitOutcomeUnknown): the client is told it may not have gone
    through and confirms again. That second "yes" must return the booking, not make a second
    one or call the slot taken.
    """
    if request.conversation_id is None:
        return None
    return session.execute(
        select(Booking).where(
            Booking.conversation_id == request.conversation_id,
            Booking.therapist_id == therapist.id,
            Booking.starts_at == starts_at,
            Booking.duration_minutes == request.duration_minutes,
            Booking.phone == phone,
            Booking.status == "confirmed",
        )
    ).scalar_one_or_none()


def _require_bookable(
    session: Session, therapist: Therapist, starts_at: datetime, minutes: int, ignore: int | None = None
) -> None:
    if not availability.is_bookable(session, therapist, starts_at, minutes, ignore_booking_id=ignore):
        raise SlotTaken(_nearest(session, [therapist], starts_at, minutes, ignore), _why_not(starts_at, [therapist]))


def _candidates(
    session: Session, technique: str | None, zip_code: str, therapist_slug: str | None
) -> list[Therapist]:
    """Active therapists who do this technique in this ZIP, best rated first."""
    key = technique_key(technique)
    therapists = session.execute(
        select(Therapist)
        .where(Therapist.active.is_(True))
        .order_by(Therapist.rating.desc(), Therapist.review_count.desc(), Therapist.slug)
    ).scalars()
    suitable = [t for t in therapists if zip_code in t.zip_codes and (key is None or key in t.techniques)]
    if therapist_slug is None:
        return suitable
    chosen = [t for t in suitable if t.slug == therapist_slug]
    if not chosen:
        named = session.execute(select(Therapist.name).where(Therapist.slug == therapist_slug)).scalar()
        raise TherapistUnsuitable(f"{named or 'That therapist'} doesn't offer that massage at your address.")
    return chosen


def _nearest(
    session: Session, therapists: list[Therapist], starts_at: datetime, minutes: int, ignore: int | None = None
) -> list[datetime]:
    """The free start times closest to the wished one, in time order."""
    start = max(starts_at - timedelta(hours=3), clock.now())
    times: set[datetime] = set()
    for therapist in therapists:
        times.update(
            availability.free_slots(session, therapist, start, start + ALTERNATIVES_HORIZON, minutes, ignore)
        )
    closest = sorted(times, key=lambda moment: abs(moment - starts_at))[:MAX_ALTERNATIVES]
    return sorted(_local(moment) for moment in closest)


def _why_not(starts_at: datetime, therapists: list[Therapist]) -> str:
    if starts_at < clock.now() + availability.MIN_LEAD_TIME:
        hours = int(availability.MIN_LEAD_TIME.total_seconds() // 3600)
        return f"we need at least {hours} hours' notice to get a therapist to you."
    if len(therapists) == 1:
        return f"{therapists[0].name} isn't free then."
    if not therapists:
        return "none of our therapists offers that massage at your address."
    return "none of our therapists who offer that massage is free then."


def _booking_id(session: Session, reference: str | None) -> int | None:
    if reference is None:
        return None
    return session.execute(select(Booking.id).where(Booking.reference == reference)).scalar_one_or_none()


def _owned_booking(session: Session, reference: str, phone: str) -> Booking:
    """Only a caller who knows both the reference and the phone number sees the booking."""
    normal_reference = normalise_reference(reference)
    normal_phone = contact.normalise_phone(phone)
    if normal_reference is None or normal_phone is None:
        raise BookingNotFound("I couldn't find a booking with that reference and phone number.")
    booking = session.execute(
        select(Booking).where(func.upper(Booking.reference) == normal_reference, Booking.phone == normal_phone)
    ).scalar_one_or_none()
    if booking is None:
        raise BookingNotFound("I couldn't find a booking with that reference and phone number.")
    return booking


def _require_open(booking: Booking) -> None:
    if booking.status != "confirmed":
        raise BookingClosed("That booking is already cancelled.")
    if _local(booking.starts_at) <= clock.now():
        raise BookingClosed("That appointment has already started or taken place.")


def _unused_reference(session: Session) -> str:
    while True:
        reference = new_reference()
        if session.execute(select(Booking.id).where(Booking.reference == reference)).first() is None:
            return reference


def _local(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(clock.LA)


def _details(booking: Booking, therapist: Therapist) -> BookingDetails:
    return BookingDetails(
        reference=booking.reference,
        therapist_slug=therapist.slug,
        therapist_name=therapist.name,
        starts_at=_local(booking.starts_at),
        duration_minutes=booking.duration_minutes,
        service=booking.service,
        technique=booking.technique.replace("_", " ") if booking.technique else None,
        status=booking.status,
        client_name=booking.client_name,
        phone=booking.phone,
        email=booking.email,
        address=booking.address,
        zip_code=booking.zip_code,
        access_notes=booking.access_notes,
        price_cents=booking.price_cents,
        intake=dict(booking.intake or {}),
    )
