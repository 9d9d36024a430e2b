"""The notices worker under faults, as its own process against a real SMTP server: SIGKILLed in
the middle of 200 notices and restarted, every notice arrives and the duplicates are counted."""

import time
from datetime import datetime, timedelta

import pytest
from notices_support import WorkerProcess, smtp_server, worker_env
from sqlalchemy import func, select
from test_bookings import migrate_with_test_directory

from conftest import throwaway_database_url
from massage import bookings, clock, db
from massage.models import Notice

# Ana Reyes (told by email) works Monday 1-5 PM, Friday 12-5 PM and Saturday 10 AM-6 PM.
ANA_STARTS = {0: ["13:00", "14:30", "16:00"], 4: ["12:00", "13:30", "15:00"],
              5: ["10:00", "11:30", "13:00", "14:30", "16:00"]}  # fmt: skip
LEASE_SECONDS = 2


def ana_slots(count: int) -> list[datetime]:
    """`count` 60-minute visits of Ana's, a week from now on, 30 minutes of travel apart."""
    day = (clock.now() + timedelta(days=7)).replace(hour=0, minute=0, second=0, microsecond=0)
    slots: list[datetime] = []
    while len(slots) < count:
        for start in ANA_STARTS.get(day.weekday(), []):
            hour, minute = map(int, start.split(":"))
            slots.append(day.replace(hour=hour, minute=minute))
        day += timedelta(days=1)
    return slots[:count]


def book_ana(starts_at: datetime, number: int) -> None:
    bookings.create_booking(bookings.NewBooking(
        therapist_slug="ana-reyes", starts_at=starts_at, duration_minutes=60, service="medical",
        technique="deep tissue", client_name=f"Client {number}", phone="(310) 555-0123",
        email=f"client{number}@example.com", address="8500 Sunset Blvd, West Hollywood 90069", zip_code="90069",
    ))  # fmt: skip


def wait_until(condition, timeout: float, step: float = 0.005) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("gave up waiting")
        time.sleep(step)


@pytest.fixture
def database_url(tmp_path, monkeypatch):
    with throwaway_database_url("sqlite", tmp_path / "notices.db") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        migrate_with_test_directory()
        yield url


def test_a_worker_killed_mid_batch_and_restarted_delivers_all_200_once_each(database_url, tmp_path):
    for number, starts_at in enumerate(ana_slots(100)):
        book_ana(starts_at, number)  # an email to the client and one to Ana each: 200 notices
    with db.session_scope() as session:
        due = session.execute(select(func.count(Notice.id)).where(Notice.due_at <= clock.now())).scalar()
    assert due == 200
    with smtp_server() as smtp:
        env = worker_env(database_url, smtp.port, NOTICES_POLL_SECONDS="0.1",
                         NOTICES_LEASE_SECONDS=str(LEASE_SECONDS), NOTICES_BATCH_SIZE="10")
        log = tmp_path / "worker.log"
        worker = WorkerProcess(env, log).start()
        started = time.monotonic()
        # SIGKILL three times, each just after the SMTP server accepted a message: the worst moment,
        # between sending and marking sent.
        for received in (50, 100, 150):
            wait_until(lambda count=received: len(smtp.inbox.received) >= count, timeout=60)
            worker.kill()
            worker = WorkerProcess(env, log).start()
        try:
            smtp.inbox.wait_for(200, timeout=60)
            elapsed = time.monotonic() - started
            time.sleep(LEASE_SECONDS + 1)  # anything still leased to a dead worker has been sent again by now
        finally:
            worker.stop()
        distinct, redelivered = len(smtp.inbox.messages()), smtp.inbox.redeliveries()
    with db.session_scope() as session:
        states = dict(session.execute(
            select(Notice.status, func.count(Notice.id)).where(Notice.event == "created").group_by(Notice.status)
        ).all())  # fmt: skip
    print(
        f"\nworker SIGKILLed 3 times during 200 notices, each just after a message was accepted: "
        f"{distinct} distinct emails delivered in {elapsed:.1f} s; "
        f"SMTP deliveries {distinct + redelivered}, of which {redelivered} repeated a Message-ID already received "
        f"(the idempotency key); duplicates in the inbox, which keeps one message per Message-ID: 0"
    )
    assert distinct == 200 and states == {"sent": 200}
    assert len({m["To"] for m in smtp.inbox.messages()}) == 101  # 100 clients and Ana
