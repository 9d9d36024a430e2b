"""A migrated SQLite database holding the small test directory, shared by the directory tests."""

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from massage import db
from massage.loader import load_directory
from massage.models import Booking, Therapist

TEST_DIRECTORY = Path(__file__).resolve().parent / "fixtures" / "directory" / "therapists.yml"


def migrate_with_test_directory() -> None:
    """Migrate, then swap the real directory for the test therapists (the others become inactive)."""
    db.init_db()
    with db.session_scope() as session:
        load_directory(session, TEST_DIRECTORY)


def therapist(session: Session, slug: str) -> Therapist:
    return session.execute(select(Therapist).where(Therapist.slug == slug)).scalar_one()


def add_booking(session: Session, slug: str, starts_at: datetime, minutes: int = 60, status: str = "confirmed") -> None:
    """A booking as the booking flow writes it (only the fields availability reads matter here)."""
    count = len(session.execute(select(Booking.id)).all())
    session.add(
        Booking(
            reference=f"WH-T{count:03d}",
            therapist_id=therapist(session, slug).id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            duration_minutes=minutes,
            service="medical",
            status=status,
            client_name="Test Client",
            phone="+13105550123",
            email="client@example.com",
            address="1 Test St, West Hollywood, CA 90069",
            zip_code="90069",
            intake={},
            price_cents=12000,
        )
    )
    session.flush()
