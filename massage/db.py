"""Database access: one engine per process, sessions as transactions, migrations with Alembic.

`DATABASE_URL` picks the database (any SQLAlchemy URL, e.g.
postgresql+psycopg2://user@host/db); by default a SQLite file in `.state/`.
"""

import os
import sys
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, create_engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / ".state" / "massage.db"
CONNECT_TIMEOUT_SECONDS = 5


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"


def _make_sqlite_transactions_serial(engine: Engine) -> None:
    """Every SQLite transaction takes the write lock at BEGIN, so check-then-insert is atomic."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@cache
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, connect_args={"timeout": 15})
        _make_sqlite_transactions_serial(engine)
        return engine
    # pool_pre_ping: a connection the database dropped (restart, failover) is replaced before use,
    # so the action server recovers by itself once the database is back.
    return create_engine(url, future=True, pool_pre_ping=True, connect_args=_connect_args(make_url(url)))


def _connect_args(url: URL) -> dict:
    """A database host that stopped answering fails a connection in seconds (libpq would wait forever)."""
    if url.get_driver_name() == "psycopg2" and "connect_timeout" not in url.query:
        return {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    return {}


def get_engine() -> Engine:
    return engine_for(database_url())


class CommitOutcomeUnknown(SQLAlchemyError):
    """The connection broke while a write committed: the database may or may not have kept it."""


@contextmanager
def session_scope() -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    session = sessionmaker(bind=get_engine(), future=True, expire_on_commit=False)()
    wrote: list = []
    event.listen(session, "after_flush", lambda *_: wrote.append(True))
    try:
        yield session
        try:
            session.commit()
        except DBAPIError as error:
            if wrote and error.connection_invalidated:
                raise CommitOutcomeUnknown("the connection broke during COMMIT") from error
            raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def init_db() -> None:
    """Migrate the schema to the newest revision, then load the provider directory if it is empty."""
    from alembic import command
    from alembic.config import Config

    from massage.loader import load_directory_if_empty

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    command.upgrade(config, "heads")  # each capability may add its own branch of migrations
    with session_scope() as session:
        load_directory_if_empty(session)


upgrade = init_db  # the name `python -m massage.db upgrade` and earlier callers use


if __name__ == "__main__":
    if sys.argv[1:] != ["upgrade"]:
        sys.exit("usage: python -m massage.db upgrade")
    init_db()
