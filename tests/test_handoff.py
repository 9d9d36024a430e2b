"""Handoff requests in the database, and the honest "when will a person see this"."""

from datetime import datetime

import pytest
import time_machine
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff, ActionNoteCallback
from conftest import load_fixture
from massage.clock import LA
from massage.db import session_scope, upgrade
from massage.handoff import open_requests, request_handoff, team_available
from massage.models import HandoffRequest


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'handoff.db'}")
    upgrade()


@pytest.mark.parametrize(
    ("local_time", "available"),
    [("07:59", False), ("08:00", True), ("13:30", True), ("19:59", True), ("20:00", False), ("23:30", False)],
)
def test_team_hours_are_los_angeles_time(local_time, available):
    hour, minute = map(int, local_time.split(":"))
    assert team_available(datetime(2026, 12, 1, hour, minute, tzinfo=LA)) is available


def test_a_conversation_gets_one_open_request_however_often_it_asks(database):
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=LA), tick=False):
        with session_scope() as db:
            first = request_handoff(db, "conv-1", "rest", "asked for a person")
        with session_scope() as db:
            again = request_handoff(db, "conv-1", "rest", "asked for a person")
            other = request_handoff(db, "conv-2", "telegram", "asked for a person")
    assert first.number == again.number != other.number
    assert first.team_available_now
    with session_scope() as db:
        opened = [(r.conversation_id, r.channel) for r in open_requests(db)]
    assert opened == [("conv-1", "rest"), ("conv-2", "telegram")]


def test_after_hours_request_says_the_team_is_offline(database):
    with time_machine.travel(datetime(2026, 12, 1, 22, 15, tzinfo=LA), tick=False):
        with session_scope() as db:
            ticket = request_handoff(db, "conv-late", "rest", "asked for a person")
    assert not ticket.team_available_now


def test_handoff_action_records_the_request_and_tells_the_user(database):
    dispatcher = CollectingDispatcher()
    with time_machine.travel(datetime(2026, 12, 1, 21, 0, tzinfo=LA), tick=False):
        events = ActionHandoff().run(dispatcher, Tracker.from_dict(load_fixture("faq/asks_for_a_person.json")), {})
    assert events == [FollowupAction("callback_form")]  # out of hours: a call back is offered
    assert [m["text"] for m in dispatcher.messages] == [
        "I've asked a person from our team to take over (request #1). Our care team is offline right now "
        "(they're in 8am–8pm Pacific); they'll pick this up first thing. "
        "I'm still here if you want to keep asking me questions in the meantime."
    ]
    with session_scope() as db:
        assert [(r.conversation_id, r.channel, r.status) for r in open_requests(db)] == [
            ("visitor-9", "telegram", "open")
        ]


def run_handoff(at: datetime, active_loop: str | None = None) -> list:
    fixture = load_fixture("faq/asks_for_a_person.json")
    fixture["active_loop"] = {"name": active_loop} if active_loop else {}
    with time_machine.travel(at, tick=False):
        return ActionHandoff().run(CollectingDispatcher(), Tracker.from_dict(fixture), {})


def test_a_call_back_is_offered_only_out_of_hours_and_never_in_the_middle_of_a_booking(database):
    assert run_handoff(datetime(2026, 12, 1, 10, 0, tzinfo=LA)) == []
    assert run_handoff(datetime(2026, 12, 1, 21, 0, tzinfo=LA), active_loop="booking_form") == []
    assert run_handoff(datetime(2026, 12, 1, 21, 0, tzinfo=LA)) == [FollowupAction("callback_form")]


@pytest.mark.parametrize(
    ("typed", "kept", "reply"),
    [
        ("call me on 310 555 0142 please", "(310) 555-0142", "passed that on"),
        ("dana.k@example.com", "dana.k@example.com", "passed that on"),
        ("no thanks", None, "won't leave a number"),
    ],
)
def test_the_number_or_email_left_is_kept_on_the_request(database, typed, kept, reply):
    run_handoff(datetime(2026, 12, 1, 21, 0, tzinfo=LA))
    fixture = load_fixture("faq/asks_for_a_person.json")
    fixture["slots"] = {"callback_contact": typed}
    dispatcher = CollectingDispatcher()
    events = ActionNoteCallback().run(dispatcher, Tracker.from_dict(fixture), {})
    assert events == [SlotSet("callback_contact", None)]
    assert reply in dispatcher.messages[0]["text"]
    with session_scope() as db:
        assert [r.callback_contact for r in db.query(HandoffRequest)] == [kept]
