"""Free slots: working hours minus bookings and travel time, after the lead time, in Los Angeles time."""

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from directory_db import add_booking, migrate_with_test_directory, therapist

from massage import db
from massage.availability import free_slots, is_bookable, next_free_slot
from massage.clock import LA

# Saturday 28 November 2026, 9 AM. Ana works Monday 9-5 and Friday 12-6; Boris Monday 9-5 and Sunday 8-2.
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=LA)
MONDAY = date(2026, 11, 30)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LA)


def day_slots(session, slug: str, day: date, minutes: int = 60):
    slots = free_slots(session, therapist(session, slug), at(day, 0), at(day, 23, 59), minutes)
    return [slot.strftime("%H:%M") for slot in slots]


@pytest.fixture
def session(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'availability.db'}")
    with time_machine.travel(NOW, tick=False):
        migrate_with_test_directory()
        with db.session_scope() as session:
            yield session


def test_a_free_day_offers_every_half_hour_that_ends_within_working_hours(session):
    assert day_slots(session, "ana-lopez", MONDAY) == [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)][:-1]
    assert day_slots(session, "ana-lopez", MONDAY, 120)[-1] == "15:00"
    assert day_slots(session, "ana-lopez", MONDAY + timedelta(days=1)) == []  # she does not work Tuesdays


def test_a_booking_blocks_its_time_plus_travel_time_on_both_sides(session):
    add_booking(session, "ana-lopez", at(MONDAY, 11), 60)
    slots = day_slots(session, "ana-lopez", MONDAY)
    # 11:00-12:00 booked: a 60-minute visit must end by 10:30 or start at 12:30.
    assert "09:30" in slots and "10:00" not in slots and "11:30" not in slots and "12:00" not in slots
    assert "12:30" in slots
    assert day_slots(session, "boris-ivanov", MONDAY)[:5] == ["09:00", "09:30", "10:00", "10:30", "11:00"]


def test_cancelled_bookings_free_their_time_again(session):
    add_booking(session, "ana-lopez", at(MONDAY, 11), 60, status="cancelled")
    assert "11:00" in day_slots(session, "ana-lopez", MONDAY)


def test_nothing_starts_sooner_than_the_lead_time(session):
    with time_machine.travel(at(MONDAY, 10, 15), tick=False):
        ana = therapist(session, "ana-lopez")
        assert day_slots(session, "ana-lopez", MONDAY)[0] == "12:30"
        assert not is_bookable(session, ana, at(MONDAY, 12), 60)
        assert is_bookable(session, ana, at(MONDAY, 12, 30), 60)


def test_is_bookable_rejects_odd_lengths_times_outside_hours_and_taken_times(session):
    ana = therapist(session, "ana-lopez")
    add_booking(session, "ana-lopez", at(MONDAY, 14), 90)
    assert is_bookable(session, ana, at(MONDAY, 9), 60)
    assert is_bookable(session, ana, at(MONDAY, 9).astimezone(timezone.utc), 120)  # any aware zone works
    assert not is_bookable(session, ana, at(MONDAY, 9), 45)
    assert not is_bookable(session, ana, at(MONDAY, 9, 10), 60)
    assert not is_bookable(session, ana, at(MONDAY, 16, 30), 60)  # would end after 5 PM
    assert not is_bookable(session, ana, at(MONDAY, 8, 30), 60)
    # 14:00-15:30 booked: the next visit can start after 30 minutes of travel.
    assert not is_bookable(session, ana, at(MONDAY, 15, 30), 60) and is_bookable(session, ana, at(MONDAY, 16), 60)
    assert is_bookable(session, ana, at(MONDAY, 12), 90) and not is_bookable(session, ana, at(MONDAY, 12, 30), 90)


def test_retired_therapists_are_never_free(session):
    eli = therapist(session, "eli-stone")
    assert not is_bookable(session, eli, at(MONDAY, 9), 60)
    assert next_free_slot(session, eli, NOW) is None


def test_next_free_slot_skips_full_days(session):
    boris = therapist(session, "boris-ivanov")
    assert next_free_slot(session, boris, NOW) == at(date(2026, 11, 29), 8)
    add_booking(session, "boris-ivanov", at(date(2026, 11, 29), 8), 120)
    add_booking(session, "boris-ivanov", at(date(2026, 11, 29), 11), 120)
    assert next_free_slot(session, boris, NOW) == at(MONDAY, 9)
    assert next_free_slot(session, boris, NOW, minutes=60, days=1) is None


def test_the_day_clocks_go_back_keeps_local_working_hours_and_reads_utc_bookings_right(tmp_path, monkeypatch):
    """Sunday 1 November 2026: PDT (UTC-7) ends at 2 AM, Boris still starts at 8 AM local (16:00 UTC)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'dst.db'}")
    sunday = date(2026, 11, 1)
    with time_machine.travel(datetime(2026, 10, 30, 12, 0, tzinfo=LA), tick=False):
        migrate_with_test_directory()
        with db.session_scope() as session:
            slots = free_slots(session, therapist(session, "boris-ivanov"), at(sunday, 0), at(sunday, 23), 60)
            assert slots[0].astimezone(timezone.utc) == datetime(2026, 11, 1, 16, 0, tzinfo=timezone.utc)
            assert len(slots) == 11  # 8:00 to 13:00, as on any Sunday
            # 17:00 UTC is 9 AM PST that day (it would be 10 AM under PDT).
            add_booking(session, "boris-ivanov", datetime(2026, 11, 1, 17, 0, tzinfo=timezone.utc), 60)
            assert day_slots(session, "boris-ivanov", sunday)[0] == "10:30"


def test_the_day_clocks_go_forward_keeps_local_working_hours(tmp_path, monkeypatch):
    """Sunday 14 March 2027: PDT starts at 2 AM, so 8 AM local is 15:00 UTC."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'dst.db'}")
    sunday = date(2027, 3, 14)
    with time_machine.travel(datetime(2027, 3, 12, 12, 0, tzinfo=LA), tick=False):
        migrate_with_test_directory()
        with db.session_scope() as session:
            boris = therapist(session, "boris-ivanov")
            slots = free_slots(session, boris, at(sunday, 0), at(sunday, 23), 60)
            assert slots[0].astimezone(timezone.utc) == datetime(2027, 3, 14, 15, 0, tzinfo=timezone.utc)
            assert [b - a for a, b in zip(slots, slots[1:], strict=False)] == [timedelta(minutes=30)] * 10
            assert next_free_slot(session, boris, datetime(2027, 3, 12, 12, 0, tzinfo=LA)) == at(sunday, 8)
