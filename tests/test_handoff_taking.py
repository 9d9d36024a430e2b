"""Taking a handoff request: of two staff at once exactly one wins (SQLite and PostgreSQL), and
handing it back closes it."""

import threading
import time

import pytest
from test_unanswered import database  # noqa: F401 (a migrated SQLite file or PostgreSQL schema, each test)

from massage import handoff
from massage.db import session_scope
from massage.models import HandoffRequest

pytestmark = pytest.mark.usefixtures("database")


def new_request() -> int:
    with session_scope() as db:
        return handoff.request_handoff(db, "web:3f2a", "socketio", "asked for a person").number


def state(request_id: int) -> tuple:
    with session_scope() as db:
        item = db.get(HandoffRequest, request_id)
        return item.status, item.taken_by


def test_two_staff_taking_one_request_at_once_exactly_one_wins():
    request_id = new_request()
    both_saw_it = threading.Barrier(2)
    won: dict[str, bool] = {}

    def attempt(email: str) -> None:
        # Both see it waiting (the inbox page), then both press "Take" together.
        assert state(request_id) == ("open", None)
        both_saw_it.wait()
        with session_scope() as db:
            won[email] = handoff.take(db, request_id, email)
            time.sleep(0.3)  # the winner's transaction stays open while the other's UPDATE runs

    threads = [threading.Thread(target=attempt, args=(email,)) for email in ("ana@example.com", "bo@example.com")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(won.values()) == [False, True]
    (winner,) = [email for email, took in won.items() if took]
    assert state(request_id) == ("taken", winner)


def test_a_taken_request_leaves_the_queue_and_closes_once_handed_back():
    request_id = new_request()
    with session_scope() as db:
        assert handoff.take(db, request_id, "ana@example.com")
        assert not handoff.take(db, request_id, "bo@example.com")
    with session_scope() as db:
        assert [r.status for r in handoff.waiting_and_taken(db)] == ["taken"]
        assert handoff.open_requests(db) == []
        assert handoff.close(db, request_id)
        assert not handoff.close(db, request_id)
    with session_scope() as db:
        assert handoff.waiting_and_taken(db) == []
        assert db.get(HandoffRequest, request_id).closed_at is not None


def test_a_request_released_after_a_failed_relay_can_be_taken_again():
    request_id = new_request()
    with session_scope() as db:
        handoff.take(db, request_id, "ana@example.com")
        assert handoff.release(db, request_id)
    assert state(request_id) == ("open", None)
    with session_scope() as db:
        assert handoff.take(db, request_id, "bo@example.com")
