"""Alembic environment: migrates whatever database massage.db is configured for."""

from alembic import context

from massage.db import get_engine
from massage.models import Base

with get_engine().connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
