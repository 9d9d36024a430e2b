"""health answers encrypted at rest

Revision ID: 0005
Revises: 0002

The bookings' intake was stored as clear JSON; from here it is a Fernet token (a JSON string)
made with INTAKE_ENCRYPTION_KEYS (massage.intake_encryption). Rows already encrypted are left.
"""
import json

from alembic import op
import sqlalchemy as sa

from massage.intake_encryption import decrypt, encrypt


revision = '0005'
down_revision = '0002'
branch_labels = None
depends_on = None


def _intakes(bind):
    """(id, the stored JSON value) of every booking: a dict in clear, a string once encrypted."""
    for booking_id, stored in bind.execute(sa.text("SELECT id, intake FROM bookings")).fetchall():
        # SQLite hands JSON back as text; PostgreSQL's driver parses it.
        yield booking_id, json.loads(stored) if isinstance(stored, str) and bind.dialect.name == "sqlite" else stored


def _store(bind, booking_id, value) -> None:
    bind.execute(sa.text("UPDATE bookings SET intake = :value WHERE id = :id"),
                 {"value": json.dumps(value), "id": booking_id})


def upgrade() -> None:
    bind = op.get_bind()
    for booking_id, value in list(_intakes(bind)):
        if isinstance(value, dict):
            _store(bind, booking_id, encrypt(value))


def downgrade() -> None:
    bind = op.get_bind()
    for booking_id, value in list(_intakes(bind)):
        if isinstance(value, str):
            _store(bind, booking_id, decrypt(value))
