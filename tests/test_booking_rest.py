"""Booking end to end: real sentences through the REST channel of a running stack, rows in its database."""

import re
import sqlite3
from contextlib import closing
from datetime import timedelta

import pytest
from rest_cases import conversation, free_slot, spoken
from sqlalchemy import select

from conftest import texts
from massage import db, when
from massage.models import Booking

REFERENCE = re.compile(r"\bWH-[A-Z0-9]{4,}\b")
INTAKE_ALL_NO = ["no", "no", "no", "no", "no"]


@pytest.fixture
def stack_db(stack, monkeypatch):
    """Point this process at the stack's database, to look up free times and rows."""
    monkeypatch.setenv("DATABASE_URL", stack.env["DATABASE_URL"])
    return stack


def booked_row(reference: str) -> Booking:
    with db.session_scope() as session:
        return session.execute(select(Booking).where(Booking.reference == reference)).scalar_one()


def test_a_full_booking_through_rest_lands_in_the_database(stack_db, sender):
    moment = free_slot()
    replies = conversation(
        stack_db, sender,
        f"Book a 90 minute deep tissue massage at my place {spoken(moment)}",
        "8500 Sunset Blvd, West Hollywood, CA 90069",
        "Jane Doe",
        "(310) 555-0123",
        "jane@example.com",
        "street parking, gate code 1234",
        *INTAKE_ALL_NO,
    )  # fmt: skip
    assert "address" in replies[0] and "ZIP" in replies[0]
    summary = replies[-1]
    assert when.describe(moment) in summary and "$195" in summary and "Jane Doe" in summary

    # A correction at the summary, then confirm.
    later = moment + timedelta(minutes=30)
    corrected = texts(stack_db.say(f"change the time to {later.hour % 12 or 12}:{later:%M}{later:%p}", sender))
    assert when.describe(later) in corrected or "isn't available" in corrected
    confirmation = texts(stack_db.say("yes", sender))
    reference = REFERENCE.search(confirmation).group(0)
    assert "massage table" in confirmation and "24 hours" in confirmation

    row = booked_row(reference)
    assert (row.client_name, row.phone, row.email, row.zip_code, row.duration_minutes, row.status) == (
        "Jane Doe", "+13105550123", "jane@example.com", "90069", 90, "confirmed"
    )
    assert row.conversation_id == f"rest:{sender}"
    # The conversation's rows now hold placeholders: the booking row (intake encrypted) has the details.
    with closing(sqlite3.connect(stack_db.workdir / "tracker.db")) as tracker:
        stored = " ".join(data for (data,) in tracker.execute(
            "SELECT data FROM events WHERE sender_id = ?", (f"rest:{sender}",)))
    for personal in ("5550123", "555-0123", "555 0123", "jane@example.com", "8500 Sunset", "gate code 1234"):
        assert personal not in stored, personal
    assert "[phone]" in stored and "[health answer]" in stored and "Jane Doe" in stored

    # Only reference plus the right phone number shows it.
    wrong = conversation(stack_db, sender, f"check booking {reference}", "(213) 373-4253")
    assert "couldn't find" in wrong[-1] and "Jane" not in wrong[-1]
    right = conversation(stack_db, sender, reference, "310 555 0123")
    assert reference in right[-1] and "Status: confirmed" in right[-1]

    # The reference as NLU may read it, a check_booking request: the cancellation goes on.
    as_check = f'/check_booking{{"booking_reference": "{reference}"}}'
    cancelled = conversation(stack_db, sender, "please cancel my booking", as_check, "310-555-0123", "yes")
    assert "no fee" in cancelled[-2].lower() and f"{reference} is cancelled" in cancelled[-1]
    assert booked_row(reference).status == "cancelled"


def test_a_time_typed_from_the_offered_ones_keeps_its_day_and_the_chosen_length(stack_db, sender):
    """ "the 12:30 one": neither a session length (NLU may tag it so) nor 12:30 today."""
    day = free_slot().strftime("%A")
    conversation(stack_db, sender, f"book a 90 minute deep tissue massage {day} afternoon")
    offered = stack_db.say("8500 Sunset Blvd, West Hollywood, CA 90069", sender)
    titles = [button["title"] for message in offered for button in message.get("buttons") or []]
    title = next((t for t in titles if ":30" in t), titles[0])  # "Saturday, December 5 at 12:30 PM"
    clock_time = title.rsplit(" at ", 1)[1].split()[0]
    assert "What name" in texts(stack_db.say(f"the {clock_time} one", sender))
    replies = conversation(stack_db, sender, "Dana Whitfield", "(323) 555-0199", "dana@example.org", "none",
                           *INTAKE_ALL_NO)  # fmt: skip
    assert title in replies[-1] and "90 min" in replies[-1]


def test_everything_in_the_first_sentence_is_not_asked_again(stack_db, sender):
    moment = free_slot(60)
    first = conversation(
        stack_db, sender, f"Can a therapist come to 8500 Sunset Blvd 90069 {spoken(moment)} for a 60 min swedish?"
    )[0]
    assert "What name" in first
    summary = conversation(stack_db, sender, "Dana Whitfield", "(323) 555-0199", "dana@example.org", "none",
                           *INTAKE_ALL_NO)[-1]  # fmt: skip
    assert "- 60 min" in summary and "swedish" in summary and when.describe(moment) in summary
    assert "- at 8500 Sunset Blvd 90069" in summary


def test_out_of_area_and_red_flags_book_nothing(stack_db, sender):
    outside = conversation(stack_db, sender, "book a 60 minute swedish massage", "1 World Way, Los Angeles 90045")
    assert "outside our service area" in outside[-1]
    moment = free_slot(60)
    flagged = conversation(
        stack_db, sender,
        f"book a 60 minute deep tissue massage {spoken(moment)}",
        "8500 Sunset Blvd 90069", "Sam Lee", "(213) 373-4253", "sam@example.com", "none",
        "yes",
    )  # fmt: skip
    assert "doctor's clearance" in flagged[-1]
    with db.session_scope() as session:
        assert session.execute(select(Booking).where(Booking.conversation_id == f"rest:{sender}")).first() is None


def test_faq_and_stop_in_the_middle_of_booking(stack_db, sender):
    replies = conversation(
        stack_db, sender, "I'd like to book a massage", "do I need to tip the therapist?", "never mind"
    )
    assert "medical (therapeutic) massage" in replies[0]
    assert "tip" in replies[1] and "medical (therapeutic) massage" in replies[1]
    assert "Nothing was booked" in replies[2]
