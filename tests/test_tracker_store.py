"""The incremental SQL tracker store serves what Rasa's own SQL store would read from the rows."""

import asyncio
from typing import List

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.tracker_store import IncrementalSQLTrackerStore

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, faq]
slots:
  faq_topic:
    type: text
    mappings: [{type: custom}]
responses:
  utter_greet: [{text: "Hello!"}]
"""
)


def turn(text: str, topic: str) -> List[Event]:
    return [
        UserUttered(text, intent={"name": "faq", "confidence": 0.98}),
        ActionExecuted("action_answer_faq"),
        BotUttered(f"About {topic}."),
        SlotSet("faq_topic", topic),
        ActionExecuted("action_listen"),
    ]


def start() -> List[Event]:
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "tracker.db")


def store(db_path: str, kind=IncrementalSQLTrackerStore):
    return kind(DOMAIN, dialect="sqlite", db=db_path)


def say(store_, sender: str, events: List[Event]) -> DialogueStateTracker:
    """One message handled as Rasa's processor does: retrieve (or create), add the events, save."""

    async def handle() -> DialogueStateTracker:
        tracker = await store_.get_or_create_tracker(sender)
        for event in events:
            tracker.update(event)
        await store_.save(tracker)
        return tracker

    return asyncio.run(handle())


def read(store_, sender: str):
    return asyncio.run(store_.retrieve(sender))


def same(tracker: DialogueStateTracker, other: DialogueStateTracker) -> bool:
    return list(tracker.events) == list(other.events) and tracker.current_slot_values() == other.current_slot_values()


def test_a_long_conversation_reads_back_exactly_as_rasas_store_reads_it(db_path):
    ours = store(db_path)
    say(ours, "dana", start())
    for number in range(30):
        last_saved = say(ours, "dana", turn(f"question {number}", f"topic {number}"))
    tracker = read(ours, "dana")
    assert tracker is last_saved  # served from memory, with no full read
    assert same(tracker, read(store(db_path, SQLTrackerStore), "dana"))
    assert tracker.get_slot("faq_topic") == "topic 29" and len(tracker.events) == 3 + 30 * 5


def test_messages_handled_by_another_replica_are_seen(db_path):
    first, second = store(db_path), store(db_path)
    say(first, "dana", start() + turn("tipping?", "tipping"))
    say(second, "dana", turn("insurance?", "insurance"))  # the next message went to the other replica
    tracker = say(first, "dana", turn("pressure?", "pressure"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["tipping?", "insurance?", "pressure?"]
    assert same(read(first, "dana"), read(store(db_path, SQLTrackerStore), "dana"))


def test_a_change_that_was_never_saved_is_not_served(db_path):
    ours = store(db_path)
    say(ours, "dana", start() + turn("tipping?", "tipping"))
    tracker = read(ours, "dana")
    tracker.update(SlotSet("faq_topic", "unsaved"))  # e.g. the message failed before saving
    assert read(ours, "dana").get_slot("faq_topic") == "tipping"


def test_a_conversation_deleted_by_retention_is_not_brought_back(db_path):
    ours = store(db_path)
    say(ours, "dana", start() + turn("my phone is 310 555 0142", "contact"))
    with ours.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'dana'"))
    assert read(ours, "dana") is None
    say(ours, "dana", start())  # the visitor comes back: a fresh conversation, nothing old rewritten
    with ours.engine.connect() as connection:
        texts = connection.execute(sa.text("SELECT data FROM events WHERE sender_id = 'dana'")).scalars().all()
    assert not any("555 0142" in text for text in texts)


def test_a_new_session_started_elsewhere_keeps_only_the_latest_session(db_path):
    first, second = store(db_path), store(db_path)
    say(first, "dana", start() + turn("tipping?", "tipping"))
    say(second, "dana", start() + turn("insurance?", "insurance"))
    tracker = read(first, "dana")
    assert same(tracker, read(store(db_path, SQLTrackerStore), "dana"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["insurance?"]


def test_the_kept_trackers_are_bounded(db_path):
    ours = IncrementalSQLTrackerStore(DOMAIN, dialect="sqlite", db=db_path, max_cached_conversations=3)
    for visitor in range(5):
        say(ours, f"visitor-{visitor}", start())
        say(ours, f"visitor-{visitor}", turn("hi", "greeting"))
    assert len(ours._saved) == 3
    assert read(ours, "visitor-0").get_slot("faq_topic") == "greeting"  # read in full again


def test_rows_are_the_ones_rasas_store_writes(tmp_path):
    ours, rasas = store(str(tmp_path / "ours.db")), store(str(tmp_path / "rasa.db"), SQLTrackerStore)
    first = DialogueStateTracker.from_events("dana", start() + turn("tipping?", "tipping"), DOMAIN.slots)
    asyncio.run(ours.save(first))
    asyncio.run(rasas.save(first.copy()))
    for events in (turn("insurance?", "insurance"), turn("more", "insurance")):  # the same events, timestamps too
        say(ours, "dana", events)
        say(rasas, "dana", events)

    def rows(store_) -> list:
        with store_.engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
            )).all()

    assert rows(ours) == rows(rasas) and len(rows(ours)) == 3 + 3 * 5


def test_a_message_of_a_kept_conversation_costs_one_select(db_path):
    ours = store(db_path)
    say(ours, "dana", start() + turn("tipping?", "tipping"))
    say(ours, "dana", turn("insurance?", "insurance"))  # a session's first message is read in full next time
    statements, inserted_rows = [], []

    def note(_connection, _cursor, sql, parameters, _context, executemany):
        statements.append(sql)
        if sql.lstrip().upper().startswith("INSERT"):
            inserted_rows.append(len(parameters) if executemany else 1)

    sa.event.listen(ours.engine, "before_cursor_execute", note)
    say(ours, "dana", turn("pressure?", "pressure"))
    assert [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")] == [statements[0]]
    assert inserted_rows == [4, 1]  # the turn's five events: a batch, then the last row (its id is kept)


def test_a_new_conversation_is_written_without_counting_its_rows(tmp_path):
    ours, rasas = store(str(tmp_path / "ours.db")), store(str(tmp_path / "rasa.db"), SQLTrackerStore)
    statements = []
    sa.event.listen(ours.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    say(ours, "dana", start() + turn("tipping?", "tipping"))
    # The read that found nothing; no count before writing.
    assert len([sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]) == 1
    say(rasas, "dana", start() + turn("tipping?", "tipping"))
    for store_ in (ours, rasas):
        say(store_, "dana", turn("insurance?", "insurance"))
    assert same(read(store(str(tmp_path / "ours.db"), SQLTrackerStore), "dana"), read(rasas, "dana"))


def test_rows_that_came_after_a_read_found_none_are_counted(db_path):
    ours, other_replica = store(db_path), store(db_path)
    assert read(ours, "dana") is None
    say(other_replica, "dana", start() + turn("tipping?", "tipping"))
    say(ours, "dana", turn("insurance?", "insurance"))
    assert same(read(store(db_path, SQLTrackerStore), "dana"), read(other_replica, "dana"))
    assert [event.type_name for event in read(store(db_path), "dana").events].count("user") == 2


def test_sqlite_keeps_conversations_in_write_ahead_log_mode(db_path):
    ours = store(db_path)
    say(ours, "dana", start())
    with ours.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA synchronous")).scalar() == 1  # NORMAL


def test_once_a_booking_is_written_the_rows_hold_placeholders_not_the_clients_details(db_path):
    ours = store(db_path)
    say(ours, "rest:dana", start() + [
        SlotSet("requested_slot", "client_phone"),
        UserUttered("it's 310 555 0142", intent={"name": "inform", "confidence": 0.9}),
        SlotSet("client_phone", "+13105550142"),
        SlotSet("booking_address", "8500 Sunset Blvd 90069"),
        SlotSet("requested_slot", "intake_recent_surgery_or_injury"),
        UserUttered("yes, knee surgery in May", intent={"name": "affirm", "confidence": 0.9}),
        SlotSet("requested_slot", None),
        BotUttered("- at 8500 Sunset Blvd 90069\n- for Dana, (310) 555-0142"),
    ])
    with ours.engine.connect() as connection:
        assert "knee surgery" in " ".join(connection.execute(sa.text("SELECT data FROM events")).scalars())
    say(ours, "rest:dana", [UserUttered("yes"), SlotSet("booking_reference", "WH-4K7Q")])
    with ours.engine.connect() as connection:
        stored = " ".join(connection.execute(sa.text("SELECT data FROM events")).scalars())
    for personal in ("555", "0142", "Sunset", "knee surgery"):
        assert personal not in stored, personal
    assert "[phone]" in stored and "[health answer]" in stored and "WH-4K7Q" in stored
    # The next message reads the placeholders, not what this replica had kept.
    tracker = read(ours, "rest:dana")
    assert "555" not in str([event.as_dict() for event in tracker.events])
