"""What the console reads: conversations from the tracker store's rows, the owner's figures, and
labelled questions exported as NLU training data."""

import json
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from sqlalchemy import text

from massage import figures, transcripts
from massage.clock import LA
from massage.db import engine_for
from massage.training_export import nlu_yaml

MONDAY_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=LA)


@pytest.fixture
def tracker_url(tmp_path):
    """A tracker store's `events` table (Rasa's SQLTrackerStore columns) with two conversations."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    rows = []

    def event(sender, minutes, type_name, data, intent=None, action=None):
        at = (MONDAY_NOON + timedelta(minutes=minutes)).timestamp()
        row = json.dumps({"event": type_name, "timestamp": at, **data})
        rows.append({"sender_id": sender, "type_name": type_name, "timestamp": at, "intent_name": intent,
                     "action_name": action, "data": row})  # fmt: skip

    event("web:a", 0, "user", {"text": "hi", "input_channel": "socketio"}, intent="greet")
    event("web:a", 1, "bot", {"text": "Hello! <b>How</b> can I help?"})
    event("web:a", 2, "user", {"text": "book me in", "input_channel": "socketio"}, intent="book_massage")
    event("web:a", 2, "active_loop", {"name": "booking_form"}, action="booking_form")
    event("web:a", 3, "pause", {})
    event("web:a", 4, "bot", {"text": "Dana here", "metadata": {"staff": "dana@example.com"}})
    event("web:a", 5, "bot", {"text": "", "data": {"buttons": [{"title": "Yes"}]}})
    event("telegram:7", 60 * 24, "user", {"text": "flurb", "input_channel": "telegram"}, intent="nlu_fallback")
    with engine_for(url).begin() as connection:
        connection.execute(text(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL,"
            " intent_name TEXT, action_name TEXT, data TEXT)"
        ))  # fmt: skip
        connection.execute(
            text("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data)"
                 " VALUES (:sender_id, :type_name, :timestamp, :intent_name, :action_name, :data)"),
            rows,
        )  # fmt: skip
    return url


def test_a_conversation_reads_as_who_said_what_and_only_the_news_after_a_row(tracker_url):
    lines = transcripts.conversation(tracker_url, "web:a")
    assert [(line.speaker, line.text) for line in lines] == [
        ("visitor", "hi"),
        ("assistant", "Hello! <b>How</b> can I help?"),
        ("visitor", "book me in"),
        ("note", "The assistant is paused: a person from the team is answering."),
        ("staff", "Dana here"),
    ]
    assert lines[-1].staff == "dana@example.com"
    assert [line.text for line in transcripts.conversation(tracker_url, "web:a", after_id=lines[3].id)] == ["Dana here"]
    assert transcripts.conversation(tracker_url, "web:nobody") == []


def test_figures_count_conversations_per_day_and_channel_fallbacks_and_bookings_started(tracker_url):
    talk = figures.conversations(tracker_url, since=MONDAY_NOON - timedelta(days=1))
    monday, tuesday = MONDAY_NOON.date(), MONDAY_NOON.date() + timedelta(days=1)
    assert talk.per_day_and_channel == {(monday, "socketio"): 1, (tuesday, "telegram"): 1}
    assert (talk.total, talk.ended_in_fallback, talk.fallback_share, talk.bookings_started) == (2, 1, 0.5, 1)
    later = figures.conversations(tracker_url, since=MONDAY_NOON.astimezone(timezone.utc) + timedelta(hours=1))
    assert (later.total, later.bookings_started) == (1, 0)


def test_labelled_questions_export_as_rasa_nlu_yaml():
    exported = nlu_yaml({"faq/prices": ["how much for an hour?", "what's it cost: \"90 min\""], "greet": ["yo"]})
    assert yaml.safe_load(exported) == {
        "version": "3.1",
        "nlu": [
            {"intent": "faq/prices", "examples": "- how much for an hour?\n- what's it cost: \"90 min\"\n"},
            {"intent": "greet", "examples": "- yo\n"},
        ],
    }
    assert "examples: |" in exported
