"""`python -m massage.retention` deletes old conversations and closed handoffs, on SQLite and PostgreSQL."""

import asyncio
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import ROOT, postgres_available
from massage.db import engine_for
from massage.models import HandoffRequest

DAY = 24 * 3600


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'weho.db'}"
        return
    if not postgres_available():
        pytest.fail("PostgreSQL is not running on 127.0.0.1:5432 (.ci/run starts it)")
    import psycopg2

    name = f"weho_retention_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    try:
        yield url
    finally:
        engine_for(url).dispose()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def tracker_store(url: str) -> SQLTrackerStore:
    engine = engine_for(url)
    kwargs = {"dialect": engine.dialect.name, "db": engine.url.database}
    if engine.dialect.name == "postgresql":
        kwargs.update(host=engine.url.host, port=engine.url.port, username=engine.url.username)
    return SQLTrackerStore(Domain.empty(), **kwargs)


def conversation(sender: str, age_seconds: float) -> DialogueStateTracker:
    at = time.time() - age_seconds
    return DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen", timestamp=at),
            UserUttered("I'm pregnant, call me at 310 555 0142", {"name": "inform"}, timestamp=at + 1),
            SlotSet("client_phone", "+13105550142", timestamp=at + 2),
        ],
    )


def test_retention_deletes_only_old_conversations_and_closed_handoffs(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "massage.db", "upgrade"], cwd=ROOT, env=env, check=True)
    store = tracker_store(database_url)
    asyncio.run(store.save(conversation("old-visitor", 40 * DAY)))
    asyncio.run(store.save(conversation("recent-visitor", 2 * DAY)))
    now = datetime.now(timezone.utc)
    with Session(engine_for(database_url), future=True) as session, session.begin():
        session.add_all(
            [
                HandoffRequest(conversation_id="a", reason="old, closed", channel="rest", status="closed",
                               created_at=now - timedelta(days=45)),
                HandoffRequest(conversation_id="b", reason="old, still open", channel="rest", status="open",
                               created_at=now - timedelta(days=45)),
                HandoffRequest(conversation_id="c", reason="recent, closed", channel="rest", status="closed",
                               created_at=now - timedelta(days=3)),
            ]
        )

    result = subprocess.run(
        [sys.executable, "-m", "massage.retention", "--older-than", "30d", "--tracker-url", database_url],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )

    assert "Deleted 1 conversations (3 events) and 1 closed handoff requests" in result.stdout
    assert set(asyncio.run(store.keys())) == {"recent-visitor"}
    assert len(asyncio.run(store.retrieve("recent-visitor")).events) == 3
    with Session(engine_for(database_url), future=True) as session:
        reasons = set(session.scalars(select(HandoffRequest.reason)))
    assert reasons == {"old, still open", "recent, closed"}


def test_retention_rejects_an_unclear_age() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "massage.retention", "--older-than", "a month"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "age must look like 30d, 12h or 90m" in result.stderr
