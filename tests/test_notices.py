"""Booking notices end to end in one process: a booking change writes its notices in the same
transaction, and the worker delivers them to a real SMTP server on loopback and to the fake
messaging platforms. Email with a calendar invitation, the therapist's notice, the client's
chat, texts, reminders at 24 h and 2 h (a set clock), retries, order and giving up."""

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from fake_platform import FakePlatform, twilio_api
from notices_support import RefusingInbox, deliver_due, invite, settings_for, smtp_server, the_event
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from test_bookings import migrate_with_test_directory

from conftest import throwaway_database_url
from massage import bookings, db
from massage.clock import LA
from massage.models import Booking, Notice
from notices import outbox, status, worker

# Saturday 28 November 2026, 4:22 PM; the visit is Monday 30 November at 10 AM (Ben Cole).
NOW = datetime(2026, 11, 28, 16, 22, tzinfo=LA)
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=LA)
BEN_TELEGRAM_CHAT = "424242"  # Ben Cole's notify_via in the booking tests' directory
ANA_EMAIL = "ana.reyes@therapists.example.com"


@pytest.fixture(autouse=True)
def clock_at_now():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, monkeypatch):
    """The booking tests' two therapists (Ana told by email, Ben on Telegram) on SQLite or PostgreSQL."""
    with throwaway_database_url(request.param, tmp_path / "notices.db") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        migrate_with_test_directory()
        yield request.param


def book(starts_at=MONDAY_10, therapist="ben-cole", conversation_id="visitor-1", **changes) -> bookings.BookingDetails:
    fields = dict(
        therapist_slug=therapist, starts_at=starts_at, duration_minutes=90, service="medical",
        technique="deep tissue", client_name="Jane Doe", phone="(310) 555-0123", email="jane@example.com",
        address="8500 Sunset Blvd, West Hollywood 90069", zip_code="90069", access_notes="gate code 1234",
        intake={"answers": {"pregnancy": True, "fever": False},
                "notes": ["Client is pregnant: use prenatal positioning and pressure."]},
        conversation_id=conversation_id,
    )  # fmt: skip
    fields.update(changes)
    return bookings.create_booking(bookings.NewBooking(**fields))


def notices_of(reference: str) -> list[Notice]:
    with db.session_scope() as session:
        return session.execute(
            select(Notice).join(Booking, Booking.id == Notice.booking_id)
            .where(Booking.reference == reference).order_by(Notice.id)
        ).scalars().all()  # fmt: skip


def to_client(inbox, address="jane@example.com"):
    return [message for message in inbox.messages() if message["To"] == address]


def test_a_booking_gives_one_email_with_an_invite_at_the_local_time(database, smtp, messaging_platforms):
    booking = book()
    deliver_due(settings_for(smtp.port, messaging_platforms))
    deliver_due(settings_for(smtp.port, messaging_platforms))  # nothing is sent twice
    (email,) = to_client(smtp.inbox)
    assert smtp.inbox.redeliveries() == 0
    assert booking.reference in email["Subject"] and email["From"] == "Bookings <bookings@example.com>"
    plain = email.get_body(("plain",)).get_content()
    assert "Monday, November 30 at 10:00 AM" in plain and "Ben Cole" in plain and "$195" in plain
    assert "24 hours" in plain  # the cancellation policy, from massage.policy
    assert "<p>" in email.get_body(("html",)).get_content()
    event = the_event(email)
    assert str(event["uid"]) == f"{booking.reference}@notices.weho-massage" and event["sequence"] == 0
    start = event.decoded("dtstart")
    assert start == MONDAY_10 and start.tzinfo.key == "America/Los_Angeles"
    assert (start.hour, start.minute) == (10, 0)
    assert event.decoded("dtend") - start == timedelta(minutes=90)
    calendar = invite(email)
    assert calendar["method"] == "REQUEST"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    assert all(notice.status == "sent" for notice in notices_of(booking.reference) if notice.due_at <= NOW)


def test_the_therapist_gets_time_address_access_notes_session_and_intake_notes_only(
    database, smtp, messaging_platforms
):
    booking = book()
    deliver_due(settings_for(smtp.port, messaging_platforms))
    (call,) = messaging_platforms["telegram"].wait_for(
        lambda c: c.path.endswith("/sendMessage") and c.form.get("chat_id") == BEN_TELEGRAM_CHAT
        and booking.reference in c.form.get("text", "")
    )
    said = call.form["text"]
    for needed in ("New visit", "Monday, November 30 at 10:00 AM", "8500 Sunset Blvd", "gate code 1234",
                   "90-minute deep tissue massage", "prenatal positioning"):  # fmt: skip
        assert needed in said
    for private in ("Jane", "555", "jane@example.com", "$195", "fever"):
        assert private not in said
    # Ana Reyes is told by email, with the invitation too.
    ana = book(starts_at=MONDAY_10 + timedelta(hours=4), therapist="ana-reyes", phone="(213) 373-4253")
    deliver_due(settings_for(smtp.port, messaging_platforms))
    (email,) = [m for m in smtp.inbox.messages() if m["To"] == ANA_EMAIL]
    assert ana.reference in email["Subject"]
    assert "Access notes: gate code 1234" in email.get_body(("plain",)).get_content()


def test_a_reschedule_updates_the_same_event_and_a_cancel_cancels_it(database, smtp, messaging_platforms):
    booking = book()
    settings = settings_for(smtp.port, messaging_platforms)
    deliver_due(settings)
    moved_to = MONDAY_10 + timedelta(hours=3)
    bookings.reschedule_booking(booking.reference, "(310) 555-0123", moved_to)
    deliver_due(settings)
    bookings.cancel_booking(booking.reference, "(310) 555-0123")
    deliver_due(settings)
    created, moved, cancelled = to_client(smtp.inbox)
    events = [the_event(message) for message in (created, moved, cancelled)]
    assert {str(event["uid"]) for event in events} == {f"{booking.reference}@notices.weho-massage"}
    assert [event["sequence"] for event in events] == [0, 1, 2]
    assert events[1].decoded("dtstart") == moved_to and events[1].decoded("dtstart").hour == 13
    assert "from Monday, November 30 at 10:00 AM to Monday, November 30 at 1:00 PM" in (
        moved.get_body(("plain",)).get_content()
    )
    assert invite(cancelled)["method"] == "CANCEL"
    assert events[2]["status"] == "CANCELLED"
    # Reminders of the first time were withdrawn when it moved; the cancel withdrew the rest.
    reminders = [n for n in notices_of(booking.reference) if n.event.startswith("reminder")]
    assert reminders and {n.status for n in reminders} == {"superseded"}


def test_notices_are_written_in_the_booking_changes_transaction(database, smtp, monkeypatch):
    booking = book()
    before = len(notices_of(booking.reference))
    # A notice that cannot be written (its key taken) takes the reschedule down with it.
    monkeypatch.setattr(outbox, "_next_revision", lambda session, booking_id: 0)
    with pytest.raises(IntegrityError):
        bookings.reschedule_booking(booking.reference, "(310) 555-0123", MONDAY_10 + timedelta(hours=3))
    assert bookings.find_booking(booking.reference, "(310) 555-0123").starts_at == MONDAY_10
    assert len(notices_of(booking.reference)) == before


@pytest.mark.parametrize(
    "conversation_id, consent, platform, path_end, field, recipient",
    [
        ("telegram:5550001", False, "telegram", "/sendMessage", "chat_id", "5550001"),
        ("facebook:2718281828", False, "facebook", "/me/messages", None, "2718281828"),
        ("whatsapp:whatsapp:+13105550188", False, "twilio", "/Messages.json", "To", "whatsapp:+13105550188"),
        ("web:session-77", True, "twilio", "/Messages.json", "To", "+13105550123"),
    ],
)
def test_the_client_hears_on_the_channel_they_booked_from(
    database, smtp, messaging_platforms, conversation_id, consent, platform, path_end, field, recipient
):
    booking = book(conversation_id=conversation_id, sms_consent=consent)
    deliver_due(settings_for(smtp.port, messaging_platforms))

    def to_recipient(call):
        got = call.json["recipient"]["id"] if field is None else call.form.get(field)
        body = str(call.json) if field is None else call.form.get("text") or call.form.get("Body") or ""
        return call.path.endswith(path_end) and got == recipient and booking.reference in body

    (call,) = messaging_platforms[platform].wait_for(to_recipient)
    body = str(call.json) if field is None else call.form.get("text") or call.form.get("Body")
    assert "Booked" in body and "Monday, November 30 at 10:00 AM" in body
    if conversation_id.startswith("web:"):
        assert call.form["From"] == "+14155550100" and "Reply STOP" in body
    if platform == "facebook":
        assert call.json["tag"] == "CONFIRMED_EVENT_UPDATE"
    assert len(to_client(smtp.inbox)) == 1  # and the email


@pytest.mark.parametrize(
    "conversation_id, consent", [("web:session-78", False), ("visitor-1", True), ("rest:me", True)]
)
def test_without_a_chat_we_can_write_to_or_consent_to_texts_only_email_goes(
    database, smtp, messaging_platforms, conversation_id, consent
):
    booking = book(conversation_id=conversation_id, sms_consent=consent)
    deliver_due(settings_for(smtp.port, messaging_platforms))
    confirmations = [n for n in notices_of(booking.reference) if n.event == "created" and n.audience == "client"]
    assert [n.channel for n in confirmations] == ["email"]
    assert len(to_client(smtp.inbox)) == 1


def test_reminders_fire_24_hours_and_2_hours_before_on_the_clients_chat(database, smtp, messaging_platforms):
    booking = book(conversation_id="telegram:5550002")
    settings = settings_for(smtp.port, messaging_platforms)
    telegram = messaging_platforms["telegram"]

    def reminders():
        return telegram.recorded(
            lambda c: c.form.get("chat_id") == "5550002" and "Reminder" in c.form.get("text", "")
            and booking.reference in c.form["text"]
        )

    deliver_due(settings)
    deliver_due(settings, at=MONDAY_10 - timedelta(hours=24, minutes=1))
    assert reminders() == []
    deliver_due(settings, at=MONDAY_10 - timedelta(hours=24))
    (first,) = reminders()
    assert "tomorrow" in first.form["text"] and booking.reference in first.form["text"]
    assert "Reply C to cancel" in first.form["text"]
    deliver_due(settings, at=MONDAY_10 - timedelta(hours=2, minutes=1))
    assert len(reminders()) == 1
    deliver_due(settings, at=MONDAY_10 - timedelta(hours=2))
    assert "in 2 hours" in reminders()[1].form["text"]
    deliver_due(settings, at=MONDAY_10 + timedelta(hours=1))
    assert len(reminders()) == 2
    assert to_client(smtp.inbox)[-1]["Subject"].startswith("Booked")  # reminders went to the chat, not email


def test_a_booking_made_less_than_a_day_ahead_gets_only_the_2_hour_reminder(database, smtp):
    with time_machine.travel(MONDAY_10 - timedelta(hours=4), tick=True):
        booking = book()
    events = [n.event for n in notices_of(booking.reference)]
    assert "reminder_2h" in events and "reminder_24h" not in events


@pytest.fixture
def twilio_with_rules():
    """A fake Twilio that refuses numbers that texted STOP (21610) and free text to WhatsApp
    numbers outside the 24-hour window (63016), as Twilio does."""
    opted_out, window_closed = {"+13105550199"}, {"whatsapp:+13105550177"}

    def answer(call):
        if call.form.get("To") in opted_out:
            return 400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}
        if call.form.get("To") in window_closed and "Body" in call.form:
            return 400, {"code": 63016, "message": "Outside the allowed window", "status": 400}
        return twilio_api(call)

    fake = FakePlatform(answer).start()
    yield fake
    fake.stop()


def test_stop_ends_texts_to_that_number(database, smtp, messaging_platforms, twilio_with_rules):
    booking = book(conversation_id="web:session-79", sms_consent=True, phone="(310) 555-0199")
    platforms = {**messaging_platforms, "twilio": twilio_with_rules}
    deliver_due(settings_for(smtp.port, platforms))
    (sms,) = [n for n in notices_of(booking.reference) if n.channel == "sms" and n.event == "created"]
    assert (sms.status, sms.attempts, sms.last_error) == ("failed", 1, "Twilio error 21610 (HTTP 400)")
    assert len(to_client(smtp.inbox)) == 1  # email still goes


def test_outside_whatsapps_window_a_reminder_goes_as_the_approved_template(
    database, smtp, messaging_platforms, twilio_with_rules
):
    book(conversation_id="whatsapp:whatsapp:+13105550177", phone="(310) 555-0177")
    late = book(starts_at=MONDAY_10 + timedelta(hours=4), therapist="ana-reyes",
                conversation_id="whatsapp:whatsapp:+13105550166", phone="(310) 555-0166")  # fmt: skip
    platforms = {**messaging_platforms, "twilio": twilio_with_rules}
    settings = settings_for(smtp.port, platforms, whatsapp_reminder_template="HX0123456789abcdef0123456789abcdef")
    deliver_due(settings)
    # Sunday 10 AM is 17.6 hours after the booking: inside the window, Twilio refuses free text
    # for this number anyway (the client wrote last elsewhere), so the template goes.
    deliver_due(settings, at=MONDAY_10 - timedelta(hours=24))
    to_177 = twilio_with_rules.recorded(
        lambda c: c.form.get("To") == "whatsapp:+13105550177" and "ContentSid" in c.form
    )
    assert len(to_177) == 1 and to_177[0].form["ContentSid"] == "HX0123456789abcdef0123456789abcdef"
    assert "Monday, November 30 at 10:00 AM" in to_177[0].form["ContentVariables"]
    # Monday noon is more than 24 hours after the booking: straight to the template.
    deliver_due(settings, at=MONDAY_10 + timedelta(hours=2))
    to_166 = twilio_with_rules.recorded(lambda c: c.form.get("To") == "whatsapp:+13105550166")
    assert "Body" in to_166[0].form  # the confirmation, at once
    assert "ContentSid" in to_166[-1].form and late.reference in to_166[-1].form["ContentVariables"]


def test_while_the_smtp_server_is_down_notices_wait_then_arrive_in_order(database, smtp, messaging_platforms):
    settings = settings_for(smtp.port, messaging_platforms, max_attempts=5)
    smtp.stop()
    booking = book()
    bookings.reschedule_booking(booking.reference, "(310) 555-0123", MONDAY_10 + timedelta(hours=3))
    bookings.cancel_booking(booking.reference, "(310) 555-0123")
    at = datetime.now(LA)
    for _ in range(3):  # three tries of the first email fail; the later ones wait behind it
        deliver_due(settings, at=at)
        at += timedelta(minutes=5)
    emails = [n for n in notices_of(booking.reference) if n.channel == "email" and n.event in outbox.CHANGES]
    emails = [n for n in emails if n.audience == "client"]
    assert [(n.status, n.attempts) for n in emails] == [("pending", 3), ("pending", 0), ("pending", 0)]
    assert emails[0].due_at > at - timedelta(minutes=5)  # backing off: 30 s, 1 min, 2 min
    smtp.start()
    deliver_due(settings, at=at)
    deliver_due(settings, at=at)
    deliver_due(settings, at=at)
    assert [the_event(m)["sequence"] for m in to_client(smtp.inbox)] == [0, 1, 2]


def test_a_permanently_failing_address_ends_failed_after_n_tries_and_staff_see_it(database, smtp):
    with smtp_server(RefusingInbox({"nobody@example.com"})) as refusing:
        settings = settings_for(refusing.port, max_attempts=3)
        booking = book(email="nobody@example.com", therapist="ana-reyes", starts_at=MONDAY_10 + timedelta(hours=4))
        at = datetime.now(LA)
        for _ in range(6):
            deliver_due(settings, at=at)
            at += timedelta(hours=1)
        (email,) = [n for n in notices_of(booking.reference) if n.event == "created" and n.audience == "client"]
        assert (email.status, email.attempts) == ("failed", 3)
        assert email.last_error == "SMTP recipient refused [550]"
        assert [m["To"] for m in refusing.inbox.messages()] == [ANA_EMAIL]  # the therapist's went
    report = status.report()
    assert "failed 1" in report and booking.reference in report and "SMTP recipient refused [550]" in report
    assert "nobody@example.com" not in report
    assert status.retry(email.id) == f"notice {email.id} is queued again"


def test_workers_on_postgresql_skip_notices_another_worker_holds(database, smtp):
    if database != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises whole transactions")
    book()
    settings = settings_for(smtp.port)
    with db.session_scope() as holder:
        held = holder.execute(select(Notice.id).with_for_update()).scalars().all()
        assert held
        assert worker.claim(settings, datetime.now(LA)) == []  # at once, not waiting for the lock
    claimed = worker.claim(settings, datetime.now(LA))
    assert claimed and {n.id for n in claimed} <= set(held)


def test_the_migration_adds_the_outbox_with_a_unique_key(database):
    with db.session_scope() as session:
        session.execute(text("SELECT key, status, due_at, claimed_until FROM notices"))
    booking = book()
    with pytest.raises(IntegrityError):
        with db.session_scope() as session:
            row = session.execute(select(Notice).where(Notice.event == "created")).scalars().first()
            session.add(Notice(key=row.key, booking_id=row.booking_id, revision=0, event="created",
                               audience="client", channel="email", recipient="x@example.com", payload={},
                               order_key="x", status="pending", due_at=datetime.now(timezone.utc), attempts=0))
    assert booking.reference


@pytest.mark.parametrize(
    "conversation_id, phone, proven",
    [("whatsapp:whatsapp:+13105550123", "(310) 555-0123", "+13105550123"),
     ("whatsapp:whatsapp:+13105550124", "(310) 555-0123", None),
     ("telegram:5550004", "(310) 555-0123", None)],
)  # fmt: skip
def test_a_reminder_carries_the_phone_only_where_the_chat_proves_it(database, conversation_id, phone, proven):
    booking = book(conversation_id=conversation_id, phone=phone)
    (reminder,) = [n for n in notices_of(booking.reference) if n.event == "reminder_24h"]
    assert reminder.payload["proven_phone"] == proven
    assert reminder.payload["conversation_id"] == conversation_id
