"""Health answers at rest: a booking row read straight from the database holds no clear text."""

import json
import os
import subprocess
import sys

import pytest
import test_bookings
from alembic import command
from alembic.config import Config
from cryptography.fernet import Fernet
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from conftest import ROOT
from massage import bookings, db
from massage.intake_encryption import decrypt
from massage.models import Booking

# The bookings tests' database (SQLite and PostgreSQL) and clock.
database, frozen_clock, request_for = test_bookings.database, test_bookings.frozen_clock, test_bookings.request_for
INTAKE = {"answers": {"pregnancy": True, "recent_surgery_or_injury": False},
          "notes": ["Client is pregnant: use prenatal positioning and pressure."]}


def raw_intake(reference: str):
    """The stored JSON value, as a database client reads it: a dict in clear, else a token."""
    with db.get_engine().connect() as connection:
        stored = connection.execute(text("SELECT intake FROM bookings WHERE reference = :r"), {"r": reference})
        value = stored.scalar()
    return json.loads(value) if db.get_engine().dialect.name == "sqlite" else value


def raw_notice_payloads() -> list:
    """The outbox's payloads as a database client reads them."""
    with db.get_engine().connect() as connection:
        values = connection.execute(text("SELECT payload FROM notices")).scalars().all()
    return [json.loads(value) if db.get_engine().dialect.name == "sqlite" else value for value in values]


def test_a_booking_row_read_directly_shows_no_health_answer(database):
    booking = bookings.create_booking(request_for(intake=INTAKE))
    stored = json.dumps(raw_intake(booking.reference))
    assert "pregnan" not in stored and "answers" not in stored and "surgery" not in stored
    # Its notices (the therapist's carries the intake's notes) are no clearer.
    payloads = raw_notice_payloads()
    assert payloads and all(isinstance(payload, str) for payload in payloads)
    assert "pregnan" not in json.dumps(payloads) and booking.address not in json.dumps(payloads)
    assert any(decrypt(payload).get("intake_notes") == INTAKE["notes"] for payload in payloads)
    # The application reads it back whole.
    with db.session_scope() as session:
        row = session.execute(select(Booking).where(Booking.reference == booking.reference)).scalar_one()
        assert row.intake == INTAKE


def test_a_rotated_key_reencrypts_every_row_and_the_old_key_can_go(database, monkeypatch):
    old = bookings.create_booking(request_for(intake=INTAKE))
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("INTAKE_ENCRYPTION_KEYS", f"{new_key} {os.environ['INTAKE_ENCRYPTION_KEYS']}")
    subprocess.run([sys.executable, "-m", "massage.intake_encryption", "rotate"], cwd=ROOT, check=True)
    monkeypatch.setenv("INTAKE_ENCRYPTION_KEYS", new_key)
    assert decrypt(raw_intake(old.reference)) == INTAKE
    assert all(decrypt(payload)["reference"] == old.reference for payload in raw_notice_payloads())


def test_without_the_key_nothing_is_stored_in_clear(database, monkeypatch):
    monkeypatch.delenv("INTAKE_ENCRYPTION_KEYS")
    with pytest.raises(SQLAlchemyError, match="INTAKE_ENCRYPTION_KEYS is not set"):
        bookings.create_booking(request_for(intake=INTAKE))
    with db.session_scope() as session:
        assert session.execute(select(Booking)).first() is None


def test_the_migration_encrypts_intakes_written_before_it(database):
    booking = bookings.create_booking(request_for(intake=INTAKE))
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    command.downgrade(config, "0005@-1")  # this branch as it was before this revision: intakes in clear
    assert raw_intake(booking.reference) == INTAKE
    db.upgrade()
    assert "pregnan" not in json.dumps(raw_intake(booking.reference))
    assert decrypt(raw_intake(booking.reference)) == INTAKE
