"""Conversations kept before ids were namespaced get their channel, everywhere they are named."""

import json
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import select

from conftest import ROOT, throwaway_database_url
from massage import db
from massage.models import HandoffRequest, UnansweredQuestion

# sender id -> the input channel of its user messages (None: it has none)
OLD_CONVERSATIONS = {
    "visitor-7": "rest",
    "3f2a9c1e4b7d4e0f9a8b7c6d5e4f3a2b": "socketio",
    "123456789": "telegram",
    "2468013579": "facebook",
    "whatsapp:+13105550142": "twilio",
    "silent": None,
}
EXPECTED = {
    "visitor-7": "rest:visitor-7",
    "3f2a9c1e4b7d4e0f9a8b7c6d5e4f3a2b": "web:3f2a9c1e4b7d4e0f9a8b7c6d5e4f3a2b",
    "123456789": "telegram:123456789",
    "2468013579": "facebook:2468013579",
    "whatsapp:+13105550142": "whatsapp:whatsapp:+13105550142",
    "silent": "rest:silent",
}


def tracker_with_old_conversations(url: str) -> None:
    engine = db.engine_for(url)
    with engine.begin() as connection:
        SQLTrackerStore.SQLEvent.__table__.create(connection)  # the table as Rasa makes it
        for sender, channel in OLD_CONVERSATIONS.items():
            rows = [("action", {"event": "action", "name": "action_listen"})]
            if channel:
                rows.append(("user", {"event": "user", "text": "hi", "input_channel": channel}))
            for type_name, data in rows:
                connection.execute(
                    sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :t, 1.0, :d)"),
                    {"s": sender, "t": type_name, "d": json.dumps(data)},
                )


def senders(url: str) -> set:
    with db.engine_for(url).connect() as connection:
        return set(connection.execute(sa.text("SELECT DISTINCT sender_id FROM events")).scalars())


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_old_ids_get_the_channel_their_messages_came_from_once(kind, tmp_path, monkeypatch):
    with throwaway_database_url(kind, tmp_path / "massage.db") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        tracker_url = url if kind == "postgresql" else f"sqlite:///{tmp_path / 'tracker.db'}"
        db.upgrade()
        tracker_with_old_conversations(tracker_url)
        with db.session_scope() as session:
            session.add_all([
                HandoffRequest(conversation_id="123456789", channel="telegram", reason="asked", status="open"),
                HandoffRequest(conversation_id="gone-long-ago", channel="socketio", reason="asked", status="open"),
                UnansweredQuestion(conversation_id="visitor-7", channel="rest", text="q", normalized="q"),
            ])
        for _ in range(2):  # a second run renames nothing more
            subprocess.run([sys.executable, "-m", "massage.conversation_id_migration", "--tracker-url", tracker_url],
                           cwd=ROOT, check=True, env={**os.environ, "DATABASE_URL": url})
            assert senders(tracker_url) == set(EXPECTED.values())
            with db.session_scope() as session:
                assert set(session.execute(select(HandoffRequest.conversation_id)).scalars()) == {
                    "telegram:123456789", "web:gone-long-ago"}
                assert session.execute(select(UnansweredQuestion.conversation_id)).scalar_one() == "rest:visitor-7"
