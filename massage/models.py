"""The database schema: the provider directory, bookings, handoff requests, unanswered questions,
the outbox of notices about bookings, and the care team's console (staff accounts, their sessions,
the audit log)."""

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

from massage.intake_encryption import EncryptedJSON


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and gives them back aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous here; pass an aware datetime")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(tz=timezone.utc)


Base = declarative_base()


class Therapist(Base):
    __tablename__ = "therapists"

    id = Column(Integer, primary_key=True)
    slug = Column(String(64), unique=True, nullable=False)
    name = Column(String(120), nullable=False)
    gender = Column(String(16), nullable=False)
    pronoun = Column(String(16), nullable=False)
    bio = Column(Text, nullable=False)
    years_experience = Column(Integer, nullable=False)
    rating = Column(Float, nullable=False)
    review_count = Column(Integer, nullable=False)
    certifications = Column(JSON, nullable=False, default=list)
    languages = Column(JSON, nullable=False, default=list)
    techniques = Column(JSON, nullable=False, default=list)
    zip_codes = Column(JSON, nullable=False, default=list)
    accepts_prescription = Column(Boolean, nullable=False, default=False)
    active = Column(Boolean, nullable=False, default=True)
    # How the therapist hears of new, moved and cancelled visits: "email:<address>",
    # "sms:<+1 number>" or "telegram:<chat id>" (notices.recipients).
    notify_via = Column(String(300))

    working_hours = relationship(
        "WorkingHours", back_populates="therapist", cascade="all, delete-orphan", order_by="WorkingHours.weekday"
    )
    bookings = relationship("Booking", back_populates="therapist")


class WorkingHours(Base):
    """One working window on one weekday (0 = Monday), in Los Angeles local time."""

    __tablename__ = "working_hours"
    __table_args__ = (UniqueConstraint("therapist_id", "weekday", "starts", name="uq_working_hours_window"),)

    id = Column(Integer, primary_key=True)
    therapist_id = Column(Integer, ForeignKey("therapists.id", ondelete="CASCADE"), nullable=False, index=True)
    weekday = Column(Integer, nullable=False)
    starts = Column(Time, nullable=False)
    ends = Column(Time, nullable=False)

    therapist = relationship("Therapist", back_populates="working_hours")


class Booking(Base):
    __tablename__ = "bookings"

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), unique=True, nullable=False)
    therapist_id = Column(Integer, ForeignKey("therapists.id"), nullable=False, index=True)
    starts_at = Column(UTCDateTime, nullable=False, index=True)
    ends_at = Column(UTCDateTime, nullable=False)
    duration_minutes = Column(Integer, nullable=False)
    service = Column(String(16), nullable=False)
    technique = Column(String(32))
    status = Column(String(16), nullable=False, default="confirmed")
    client_name = Column(String(120), nullable=False)
    phone = Column(String(20), nullable=False)
    email = Column(String(254), nullable=False)
    address = Column(String(300), nullable=False)
    zip_code = Column(String(10), nullable=False)
    access_notes = Column(Text)
    # Health answers: encrypted at rest (massage.intake_encryption).
    intake = Column(EncryptedJSON, nullable=False, default=dict)
    price_cents = Column(Integer, nullable=False)
    conversation_id = Column(String(255))
    # The client agreed to text messages (asked of web-chat clients): confirmations and reminders by SMS.
    sms_consent = Column(Boolean, nullable=False, default=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    therapist = relationship("Therapist", back_populates="bookings")


class HandoffRequest(Base):
    __tablename__ = "handoff_requests"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    reason = Column(String(500), nullable=False)
    channel = Column(String(64), nullable=False)
    # open -> taken (a person is talking) -> closed (handed back to the assistant)
    status = Column(String(16), nullable=False, default="open")
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    taken_by = Column(String(254))
    taken_at = Column(UTCDateTime)
    closed_at = Column(UTCDateTime)
    # A phone number or email left for a call back outside the care team's hours.
    callback_contact = Column(String(254))


class UnansweredQuestion(Base):
    """A question the assistant had no answer for, kept for the owner to review and label."""

    __tablename__ = "unanswered_questions"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(64), nullable=False)
    # What the visitor asked, with emails, phone numbers and street addresses masked.
    text = Column(Text, nullable=False)
    # The text folded for grouping: lower case, punctuation and repeated spaces gone.
    normalized = Column(String(500), nullable=False, index=True)
    # The topic an admin assigned (an intent, or faq/<key>), for the next training.
    label = Column(String(64))
    labelled_by = Column(String(254))
    labelled_at = Column(UTCDateTime)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class StaffAccount(Base):
    """A care-team member or admin who signs in to the console."""

    __tablename__ = "staff_accounts"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), unique=True, nullable=False)
    password_hash = Column(String(255), nullable=False)  # Argon2id, with its parameters and salt
    role = Column(String(16), nullable=False, default="care")  # care | admin
    failed_attempts = Column(Integer, nullable=False, default=0)
    locked_until = Column(UTCDateTime)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class StaffSession(Base):
    """A signed-in browser: the cookie holds a random token, the row only its SHA-256."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), unique=True, nullable=False)
    staff_id = Column(Integer, ForeignKey("staff_accounts.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False)


class AuditEntry(Base):
    """Who did what in the console, and when: every action and every view of health answers."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    actor = Column(String(254), nullable=False)
    action = Column(String(64), nullable=False)
    target = Column(String(255), nullable=False, default="")


class Notice(Base):
    """One message to send about a booking (the outbox), written in the booking change's transaction.

    The worker (notices.worker) delivers it at `due_at` or later; `key` is unique, so a notice is
    recorded once however often the change is retried, and it names the message to the receiver
    (e.g. the email's Message-ID) so a redelivery can be recognised.
    """

    __tablename__ = "notices"

    id = Column(Integer, primary_key=True)
    key = Column(String(200), unique=True, nullable=False)
    booking_id = Column(Integer, ForeignKey("bookings.id"), nullable=False, index=True)
    # The booking's revision this notice is about: 0 when made, +1 on every change.
    revision = Column(Integer, nullable=False)
    # created, rescheduled, cancelled, reminder_24h, reminder_2h
    event = Column(String(32), nullable=False)
    audience = Column(String(16), nullable=False)  # client or therapist
    channel = Column(String(16), nullable=False)  # email, sms, telegram, facebook, whatsapp
    recipient = Column(String(300), nullable=False)
    # What the message says, as it was when the booking changed (a later change has its own notice).
    # Encrypted as the intake is: it holds the address and, for the therapist, the intake's notes.
    payload = Column(EncryptedJSON, nullable=False)
    # Notices with the same order key are delivered in id order: a booking's changes to one recipient.
    order_key = Column(String(120), nullable=False, index=True)
    # pending, sent, failed (gave up; staff see it), superseded (a reminder of a changed booking)
    status = Column(String(16), nullable=False, default="pending", index=True)
    due_at = Column(UTCDateTime, nullable=False, index=True)
    # A worker is delivering it until then; after that a worker that died has lost it to another.
    claimed_until = Column(UTCDateTime)
    attempts = Column(Integer, nullable=False, default=0)
    # Why the last attempt failed: an error class or code, never the message or the address.
    last_error = Column(String(300))
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = Column(UTCDateTime)
