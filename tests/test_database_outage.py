"""The bookings database goes away in the middle of a booking, and comes back.

A real stack whose action server reaches PostgreSQL through a proxy this test controls
(tests/db_proxy.py): cutting it refuses new connections and resets the open ones, as a crashed
or restarting database would. The user must hear that nothing was booked, no half-written
booking may exist, and once the database is back the same action server (no restart) carries on.
If the database goes away just as a booking commits, the user hears that it may have gone
through, and confirming again gives them that booking rather than a second one.
"""

import re
from datetime import datetime
from typing import Iterator, List

import pytest
from db_proxy import CuttableProxy
from rest_cases import free_slot, spoken
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.outage import DATABASE_DOWN, DATABASE_LOST_MID_SAVE
from conftest import postgres_available, running_stack, texts, throwaway_database_url
from massage.db import engine_for
from massage.models import Booking

pytestmark = pytest.mark.skipif(not postgres_available(), reason="PostgreSQL is not running on 127.0.0.1:5432")

REFERENCE = re.compile(r"\bWH-[A-Z0-9]{4,}\b")
ADDRESS = "8500 Sunset Blvd, West Hollywood, CA 90069"
CONTACT = ["Jane Doe", "(310) 555-0123", "jane@example.com", "street parking"]
INTAKE_ALL_NO = ["no"] * 5
# What must never reach a user, whatever broke.
LEAKS = ("Traceback", "OperationalError", "psycopg2", "sqlalchemy", "Exception")


class Outage:
    def __init__(self, stack, proxy: CuttableProxy, url: str):
        self.stack, self.proxy, self.url = stack, proxy, url

    def say(self, text: str, sender: str) -> str:
        reply = texts(self.stack.say(text, sender))  # raises on an HTTP error
        assert reply.strip(), f"silence after {text!r}"
        assert not any(leak in reply for leak in LEAKS), reply
        return reply

    def rows(self, sender: str) -> List[Booking]:
        """The sender's bookings, read straight from PostgreSQL (not through the proxy)."""
        with Session(engine_for(self.url)) as session:
            return list(session.execute(select(Booking).where(Booking.conversation_id == f"rest:{sender}")).scalars())


@pytest.fixture(scope="module")
def outage(model_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outage]:
    workdir = tmp_path_factory.mktemp("outage")
    with throwaway_database_url("postgresql", workdir / "unused.db") as url:
        proxy = CuttableProxy("127.0.0.1", 5432)
        proxied = url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")
        try:
            with running_stack(workdir, model_path, env={"DATABASE_URL": proxied}) as stack:
                yield Outage(stack, proxy, url)
        finally:
            proxy.close()


@pytest.fixture
def db_here(outage: Outage, monkeypatch: pytest.MonkeyPatch) -> Outage:
    """This process reads the same database directly, e.g. to find free times."""
    monkeypatch.setenv("DATABASE_URL", outage.url)
    return outage


def up_to_the_summary(outage: Outage, sender: str, moment: datetime) -> None:
    for text in (f"Book a 90 minute deep tissue massage at my place {spoken(moment)}", ADDRESS, *CONTACT,
                 *INTAKE_ALL_NO):
        reply = outage.say(text, sender)
    assert "Shall I book it?" in reply


def test_database_down_at_confirmation_books_nothing_and_says_so(db_here: Outage, sender: str) -> None:
    outage = db_here
    up_to_the_summary(outage, sender, free_slot(days_ahead=3))
    connections_before = outage.proxy.connections

    outage.proxy.cut()
    try:
        failed = outage.say("yes, book it", sender)
        assert DATABASE_DOWN in failed and not REFERENCE.search(failed)
        assert "You're booked" not in failed
        assert outage.rows(sender) == []  # nothing half-written
    finally:
        outage.proxy.restore()

    # The same action server, never restarted, reconnects on its own.
    confirmed = outage.say("yes, book it", sender)
    assert outage.stack.actions.poll() is None and outage.proxy.connections > connections_before
    reference = REFERENCE.search(confirmed).group(0)
    rows = outage.rows(sender)
    assert [(row.reference, row.client_name, row.status) for row in rows] == [(reference, "Jane Doe", "confirmed")]

    # Looking the booking up while the database is away: an apology, and the question again.
    assert "phone number you booked with" in outage.say(f"check booking {reference}", sender)
    outage.proxy.cut()
    try:
        lookup = outage.say("(310) 555-0123", sender)
        assert DATABASE_DOWN in lookup and "phone number you booked with" in lookup and "Jane" not in lookup
    finally:
        outage.proxy.restore()
    assert f"Booking {reference}" in outage.say("(310) 555-0123", sender)

    # The failures were logged by kind only. (A failing action used to put the whole conversation,
    # phone number and email included, into Rasa's log with the action server's error reply.)
    logs = {name: (outage.stack.workdir / name).read_text(errors="replace") for name in ("actions.log", "rasa.log")}
    assert "database unavailable" in logs["actions.log"]
    for name, log in logs.items():
        for detail in ("555-0123", "+13105550123", "jane@example.com", "Jane Doe", "Sunset"):
            assert detail not in log, (name, detail)


def test_database_down_while_the_time_is_checked_apologises_and_carries_on(db_here: Outage, sender: str) -> None:
    outage = db_here
    moment = free_slot(days_ahead=4)
    first = outage.say(f"Book a 90 minute deep tissue massage at my place {spoken(moment)}", sender)
    assert "address" in first

    # The address is where the wished time is checked against the therapists' calendars.
    outage.proxy.cut()
    try:
        apology = outage.say(ADDRESS, sender)
        assert DATABASE_DOWN in apology and "When would you like" in apology
        assert outage.rows(sender) == []
    finally:
        outage.proxy.restore()

    # The address was kept; the time is asked again and now checked.
    assert "What name" in outage.say(spoken(moment), sender)
    replies = [outage.say(text, sender) for text in (*CONTACT, *INTAKE_ALL_NO)]
    assert "Shall I book it?" in replies[-1] and ADDRESS.split(",")[0] in replies[-1]
    reference = REFERENCE.search(outage.say("yes", sender)).group(0)
    assert [row.reference for row in outage.rows(sender)] == [reference]


def test_a_booking_whose_commit_reply_was_lost_is_not_doubled_when_confirmed_again(db_here: Outage, sender: str):
    outage = db_here
    up_to_the_summary(outage, sender, free_slot(days_ahead=5))

    # The row is committed, then the database vanishes before saying so: the action server can't know.
    outage.proxy.cut_after_next_commit()
    try:
        unsure = outage.say("yes", sender)
        assert DATABASE_LOST_MID_SAVE in unsure and not REFERENCE.search(unsure)
        [written] = outage.rows(sender)
    finally:
        outage.proxy.restore()

    # Confirming again gives the client that booking, not a second one nor "someone took it".
    again = outage.say("yes", sender)
    assert REFERENCE.search(again).group(0) == written.reference and "someone booked" not in again
    assert [row.reference for row in outage.rows(sender)] == [written.reference]
