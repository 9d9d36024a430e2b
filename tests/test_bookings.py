"""Bookings in a real database (SQLite file and PostgreSQL): writing, finding, cancelling, moving, races."""

import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from conftest import throwaway_database_url
from massage import availability, bookings, db
from massage.clock import LA
from massage.loader import load_directory
from massage.models import Booking

# Saturday 28 November 2026, 4:22 PM in Los Angeles.
NOW = datetime(2026, 11, 28, 16, 22, tzinfo=LA)
# Monday 30 November, 10 AM: Ben Cole (deep tissue, 90069) works Monday 9-5, Ana Reyes only from 1 PM.
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=LA)
TEST_DIRECTORY = Path(__file__).resolve().parent / "fixtures" / "booking" / "therapists.yml"
def migrate_with_test_directory() -> None:
    """Migrate, then swap the real directory for the two test therapists (the others become inactive)."""
    db.upgrade()
    with db.session_scope() as session:
        load_directory(session, TEST_DIRECTORY)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, monkeypatch):
    """A migrated database holding the provider directory, on SQLite or in a throwaway PostgreSQL schema."""
    with throwaway_database_url(request.param, tmp_path / "bookings.db") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        migrate_with_test_directory()
        yield request.param


def request_for(starts_at=MONDAY_10, therapist="ben-cole", phone="(310) 555-0123", **changes):
    fields = dict(
        therapist_slug=therapist,
        starts_at=starts_at,
        duration_minutes=60,
        service="medical",
        technique="deep tissue",
        client_name="Jane Doe",
        phone=phone,
        email="jane@example.com",
        address="8500 Sunset Blvd, West Hollywood 90069",
        zip_code="90069",
        access_notes="gate code 1234",
        intake={"answers": {"fever": False}, "notes": []},
        conversation_id="visitor-1",
    )
    fields.update(changes)
    return bookings.NewBooking(**fields)


def stored(reference: str) -> Booking:
    with db.session_scope() as session:
        return session.execute(select(Booking).where(Booking.reference == reference)).scalar_one()


def test_a_booking_is_written_with_reference_price_and_utc_times(database):
    booking = bookings.create_booking(request_for())
    row = stored(booking.reference)
    assert booking.reference.startswith("WH-") and len(booking.reference) == 9
    assert set(booking.reference[3:]) <= set(bookings.REFERENCE_ALPHABET)
    assert row.starts_at == datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc)
    assert row.ends_at - row.starts_at == timedelta(minutes=60)
    assert (row.status, row.price_cents, row.phone) == ("confirmed", 14000, "+13105550123")
    assert row.technique == "deep_tissue"
    assert row.intake == {"answers": {"fever": False}, "notes": []}
    assert booking.starts_at == MONDAY_10 and booking.therapist_name == "Ben Cole"


def test_found_only_with_reference_and_phone_together(database):
    booking = bookings.create_booking(request_for())
    found = bookings.find_booking(booking.reference.lower().replace("-", " "), "+1 310-555-0123")
    assert found.reference == booking.reference and found.client_name == "Jane Doe"
    for reference, phone in [(booking.reference, "(213) 373-4253"), ("WH-AAAAAA", "(310) 555-0123"),
                             (booking.reference, "not a phone"), ("", "(310) 555-0123")]:  # fmt: skip
        with pytest.raises(bookings.BookingNotFound):
            bookings.find_booking(reference, phone)


def test_an_overlapping_or_too_close_booking_is_refused_with_alternatives(database):
    bookings.create_booking(request_for())
    # 11:15 starts only 15 minutes after the first visit ends: inside the travel buffer.
    with pytest.raises(bookings.SlotTaken) as taken:
        bookings.create_booking(request_for(starts_at=MONDAY_10 + timedelta(minutes=75), phone="(213) 373-4253"))
    alternatives = taken.value.alternatives
    assert 1 <= len(alternatives) <= bookings.MAX_ALTERNATIVES
    assert "Ben Cole isn't free" in str(taken.value)
    with db.session_scope() as session:
        maria = bookings._candidates(session, "deep tissue", "90069", "ben-cole")[0]
        assert all(availability.is_bookable(session, maria, moment, 60) for moment in alternatives)


def test_two_people_racing_for_one_slot_one_wins_the_other_gets_alternatives(database, monkeypatch):
    checked = availability.is_bookable

    def slow_check(*args, **kwargs):
        # Widen the gap between "is it free?" and the insert, where a race would slip in.
        free = checked(*args, **kwargs)
        time.sleep(0.3)
        return free

    monkeypatch.setattr(availability, "is_bookable", slow_check)
    start = threading.Barrier(2)
    outcomes = []

    def attempt(phone):
        start.wait()
        try:
            outcomes.append(bookings.create_booking(request_for(phone=phone)))
        except bookings.SlotTaken as taken:
            outcomes.append(taken)

    threads = [threading.Thread(target=attempt, args=(phone,)) for phone in ("(310) 555-0123", "(213) 373-4253")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    winners = [o for o in outcomes if isinstance(o, bookings.BookingDetails)]
    losers = [o for o in outcomes if isinstance(o, bookings.SlotTaken)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].alternatives and MONDAY_10 not in losers[0].alternatives
    with db.session_scope() as session:
        assert session.execute(select(Booking).where(Booking.status == "confirmed")).scalars().all().__len__() == 1


def test_confirming_the_same_visit_again_returns_the_booking_instead_of_a_second(database):
    # The reply to the first commit was lost (the database went away): the client says "yes" again.
    first = bookings.create_booking(request_for())
    again = bookings.create_booking(request_for())
    assert again.reference == first.reference
    with db.session_scope() as session:
        assert len(session.execute(select(Booking)).scalars().all()) == 1
    # Anyone else, or another visit, still finds the slot taken.
    for other in (request_for(conversation_id="visitor-2"), request_for(phone="(213) 373-4253")):
        with pytest.raises(bookings.SlotTaken):
            bookings.create_booking(other)


def test_cancelling_early_is_free_and_frees_the_slot(database):
    booking = bookings.create_booking(request_for())
    cancelled, fee = bookings.cancel_booking(booking.reference, "310-555-0123")
    assert (cancelled.status, fee, stored(booking.reference).status) == ("cancelled", 0, "cancelled")
    again = bookings.create_booking(request_for(phone="(213) 373-4253"))
    assert again.starts_at == MONDAY_10
    with pytest.raises(bookings.BookingClosed):
        bookings.cancel_booking(booking.reference, "310-555-0123")


def test_cancelling_within_24_hours_costs_half(database):
    booking = bookings.create_booking(request_for())
    with time_machine.travel(MONDAY_10 - timedelta(hours=5), tick=False):
        _, fee = bookings.cancel_booking(booking.reference, "310-555-0123")
    assert fee == 7000


def test_someone_elses_booking_cannot_be_cancelled_or_moved(database):
    booking = bookings.create_booking(request_for())
    with pytest.raises(bookings.BookingNotFound):
        bookings.cancel_booking(booking.reference, "(213) 373-4253")
    with pytest.raises(bookings.BookingNotFound):
        bookings.reschedule_booking(booking.reference, "(213) 373-4253", MONDAY_10 + timedelta(hours=3))
    assert stored(booking.reference).status == "confirmed"


def test_rescheduling_moves_the_booking_and_checks_the_new_time(database):
    first = bookings.create_booking(request_for())
    second = bookings.create_booking(request_for(starts_at=MONDAY_10 + timedelta(hours=3), phone="(213) 373-4253"))
    # Half an hour later overlaps only the booking itself, which does not count.
    moved, fee = bookings.reschedule_booking(first.reference, "310 555 0123", MONDAY_10 + timedelta(minutes=30))
    assert (moved.starts_at, fee) == (MONDAY_10 + timedelta(minutes=30), 0)
    assert stored(first.reference).starts_at == datetime(2026, 11, 30, 18, 30, tzinfo=timezone.utc)
    with pytest.raises(bookings.SlotTaken) as taken:
        bookings.reschedule_booking(first.reference, "310 555 0123", second.starts_at)
    assert taken.value.alternatives
    assert stored(first.reference).starts_at == datetime(2026, 11, 30, 18, 30, tzinfo=timezone.utc)


def test_best_available_is_the_best_rated_free_therapist(database):
    # Both do deep tissue in 90069; Ana is rated higher but starts Mondays at 1 PM.
    assert bookings.offer_slot(MONDAY_10, 60, "deep tissue", "90069").therapist_slug == "ben-cole"
    assert bookings.offer_slot(MONDAY_10 + timedelta(hours=4), 60, "deep tissue", "90069").therapist_slug == "ana-reyes"
    # Only Ana travels to Beverly Hills; only Ben does lymphatic drainage.
    assert bookings.offer_slot(MONDAY_10 + timedelta(hours=4), 60, None, "90210").therapist_slug == "ana-reyes"
    with pytest.raises(bookings.SlotTaken) as nobody:
        bookings.offer_slot(MONDAY_10, 60, "lymphatic drainage", "90210")
    assert "none of our therapists offers" in str(nobody.value)


def test_offers_respect_lead_time_and_the_named_therapist(database):
    with pytest.raises(bookings.SlotTaken) as too_soon:
        bookings.offer_slot(NOW + timedelta(minutes=38), 60, None, "90069")
    assert "notice" in str(too_soon.value)
    assert bookings.offer_slot(MONDAY_10, 60, "deep tissue", "90069", "ben-cole").therapist_slug == "ben-cole"
    with pytest.raises(bookings.TherapistUnsuitable):
        bookings.offer_slot(MONDAY_10, 60, "prenatal", "90069", "ben-cole")


def test_free_times_in_a_window(database):
    monday_morning = (MONDAY_10 - timedelta(hours=1), MONDAY_10 + timedelta(hours=2))
    times = bookings.free_times(*monday_morning, 60, "deep tissue", "90069", "ben-cole")
    assert times == [MONDAY_10 - timedelta(hours=1), MONDAY_10 - timedelta(minutes=30), MONDAY_10]


def test_references_never_repeat(database, monkeypatch):
    first = bookings.create_booking(request_for())
    picks = iter([first.reference, "WH-KKKKKK"])
    monkeypatch.setattr(bookings, "new_reference", lambda: next(picks))
    second = bookings.create_booking(request_for(starts_at=MONDAY_10 + timedelta(hours=3)))
    assert second.reference == "WH-KKKKKK"


@pytest.mark.parametrize(
    "text, reference",
    [("wh-4k7q9c", "WH-4K7Q9C"), ("WH 4K7Q", "WH-4K7Q"), ("4k7q9c", "WH-4K7Q9C"), ("it's WH-7MXT3A.", "WH-7MXT3A"),
     ("WH-", None), ("", None), ("x" * 50, None), ("310-555-0123", None), ("hello there", None)],
)  # fmt: skip
def test_reference_spellings(text, reference):
    assert bookings.normalise_reference(text) == reference
