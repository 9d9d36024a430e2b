"""The database: migrations on a fresh SQLite file and on PostgreSQL, the directory loader, UTC times, locking."""

import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from alembic.script import ScriptDirectory
from db_proxy import CuttableProxy
from directory_db import TEST_DIRECTORY, add_booking, therapist
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import OperationalError

from conftest import postgres_available, throwaway_database_url
from massage import db
from massage.clock import LA
from massage.loader import DIRECTORY_FILE, load_directory
from massage.models import Booking, Therapist, WorkingHours

ROOT = Path(__file__).resolve().parent.parent
TABLES = {"therapists", "working_hours", "bookings", "handoff_requests", "alembic_version"}
REAL_DIRECTORY_SIZE = len(yaml.safe_load(DIRECTORY_FILE.read_text())["therapists"])


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, monkeypatch):
    """An empty database: a fresh SQLite file, or a throwaway PostgreSQL schema."""
    with throwaway_database_url(request.param, tmp_path / "state" / "fresh.db") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        yield request.param


def counts() -> tuple:
    with db.session_scope() as session:
        return (
            session.execute(select(func.count(Therapist.id))).scalar(),
            session.execute(select(func.count(WorkingHours.id))).scalar(),
        )


def test_init_db_migrates_to_head_and_loads_the_directory_once(database):
    db.init_db()
    assert TABLES <= set(inspect(db.get_engine()).get_table_names())
    with db.session_scope() as session:
        applied = set(session.execute(text("SELECT version_num FROM alembic_version")).scalars())
    # Every branch of migrations (each capability may add one) is at its head.
    assert applied == set(ScriptDirectory(str(ROOT / "migrations")).get_heads())
    loaded = counts()
    assert loaded[0] == REAL_DIRECTORY_SIZE and loaded[1] > REAL_DIRECTORY_SIZE
    db.init_db()
    assert counts() == loaded


def test_loading_again_updates_by_slug_and_retires_who_left(database, tmp_path):
    db.init_db()
    with db.session_scope() as session:
        load_directory(session, TEST_DIRECTORY)
    entries = yaml.safe_load(TEST_DIRECTORY.read_text())["therapists"]
    entries[0]["rating"] = 4.2
    entries[0]["hours"] = {"tuesday": ["10:00-12:00", "13:00-15:00"]}
    edited = tmp_path / "edited.yml"
    edited.write_text(yaml.safe_dump({"therapists": entries[:2]}))
    for _ in range(2):
        with db.session_scope() as session:
            assert load_directory(session, edited) == 2
    with db.session_scope() as session:
        ana = therapist(session, "ana-lopez")
        assert ana.rating == 4.2
        assert [(h.weekday, h.starts.hour, h.ends.hour) for h in ana.working_hours] == [(1, 10, 12), (1, 13, 15)]
        active = session.execute(select(Therapist.slug).where(Therapist.active.is_(True))).scalars().all()
        assert sorted(active) == ["ana-lopez", "boris-ivanov"]
        assert session.execute(select(func.count(Therapist.id))).scalar() == REAL_DIRECTORY_SIZE + 5


def test_bookings_keep_their_moment_and_come_back_aware(database):
    db.init_db()
    with db.session_scope() as session:
        load_directory(session, TEST_DIRECTORY)
        add_booking(session, "ana-lopez", datetime(2026, 11, 30, 9, 0, tzinfo=LA), 90)
    with db.session_scope() as session:
        booking = session.execute(select(Booking)).scalar_one()
        assert booking.starts_at == datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)
        assert booking.starts_at.utcoffset().total_seconds() == 0
        assert booking.ends_at.astimezone(LA).hour == 10 and booking.ends_at.astimezone(LA).minute == 30
        assert booking.created_at.tzinfo is not None


def test_naive_datetimes_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'naive.db'}")
    db.init_db()
    with pytest.raises(Exception, match="naive datetimes"):
        with db.session_scope() as session:
            load_directory(session, TEST_DIRECTORY)
            add_booking(session, "ana-lopez", datetime(2026, 11, 30, 9, 0), 60)


def test_sqlite_enforces_foreign_keys_uses_wal_and_locks_for_writing_at_begin(tmp_path, monkeypatch):
    path = tmp_path / "locks.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    db.init_db()
    with db.session_scope() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        # The session's transaction began with BEGIN IMMEDIATE: nobody else may start writing now.
        other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with db.session_scope() as session:
            session.execute(text("INSERT INTO working_hours (therapist_id, weekday, starts, ends) "
                                 "VALUES (99999, 0, '09:00:00', '10:00:00')"))


def test_the_loader_command_imports_the_directory(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "massage.db", "upgrade"], cwd=ROOT, env=env, check=True)
    done = subprocess.run(
        [sys.executable, "-m", "massage.loader"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    assert f"Loaded {REAL_DIRECTORY_SIZE} therapists" in done.stdout
    with sqlite3.connect(tmp_path / "cli.db") as check:
        assert check.execute("SELECT count(*) FROM therapists WHERE active").fetchone()[0] == REAL_DIRECTORY_SIZE


def test_a_database_host_that_never_answers_fails_a_connection_within_seconds():
    # A listener that never speaks: the TCP handshake succeeds, PostgreSQL's greeting never comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        engine = db.engine_for(f"postgresql+psycopg2://postgres@127.0.0.1:{silent.getsockname()[1]}/silent")
        started = time.monotonic()
        with pytest.raises(OperationalError):
            engine.connect()
        assert time.monotonic() - started < db.CONNECT_TIMEOUT_SECONDS + 3
        engine.dispose()


@pytest.mark.skipif(not postgres_available(), reason="PostgreSQL is not running on 127.0.0.1:5432")
def test_a_write_whose_commit_reply_is_lost_is_reported_as_unknown_not_as_failed(tmp_path, monkeypatch):
    with throwaway_database_url("postgresql", tmp_path / "unused.db") as url:
        proxy = CuttableProxy("127.0.0.1", 5432)
        monkeypatch.setenv("DATABASE_URL", url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/"))
        try:
            db.init_db()
            with db.session_scope() as session:
                load_directory(session, TEST_DIRECTORY)
            proxy.cut_after_next_commit()
            with pytest.raises(db.CommitOutcomeUnknown):
                with db.session_scope() as session:
                    add_booking(session, "ana-lopez", datetime(2026, 11, 30, 9, 0, tzinfo=LA))
            proxy.restore()
            # It was written after all. A read whose COMMIT is lost is a plain failure: nothing was changed.
            proxy.cut_after_next_commit()
            with pytest.raises(OperationalError) as failed:
                with db.session_scope() as session:
                    assert session.execute(select(func.count(Booking.id))).scalar() == 1
            assert not isinstance(failed.value, db.CommitOutcomeUnknown)
        finally:
            proxy.close()
            db.engine_for(db.database_url()).dispose()
