"""Notices from a real stack: a booking confirmed through the REST channel reaches the client's
inbox (a real SMTP server) through the worker running with `make run`'s settings; p95 printed."""

import re
import statistics
import time

import pytest
from notices_support import book_by_rest, smtp_server, the_event, wait_until_started, worker_env, worker_process
from rest_cases import free_slot

SAMPLES = 12


@pytest.fixture
def stack_database(stack, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", stack.env["DATABASE_URL"])
    return stack.env["DATABASE_URL"]


def test_from_the_confirming_message_to_the_email_p95_under_5_seconds(stack, stack_database, tmp_path):
    latencies = []
    with smtp_server() as smtp, worker_process(worker_env(stack_database, smtp.port), tmp_path / "w.log") as worker:
        wait_until_started(worker)
        for number in range(SAMPLES):
            email = f"speed{number}@example.com"
            slot = free_slot()
            reply, confirmed_at = book_by_rest(stack, f"notices-speed-{number}", slot, "Sam Speed",
                                               "(310) 555-0142", email, "8500 Sunset Blvd", "none")  # fmt: skip
            reference = re.search(r"\bWH-[A-Z0-9]{4,}\b", reply).group(0)
            deadline = time.monotonic() + 30
            while not [m for m in smtp.inbox.messages() if m["To"] == email]:
                assert time.monotonic() < deadline, "no email within 30 s"
                time.sleep(0.01)
            latencies.append(time.monotonic() - confirmed_at)
            (message,) = [m for m in smtp.inbox.messages() if m["To"] == email]
            assert reference in message["Subject"]
            assert the_event(message).decoded("dtstart") == slot
    p95 = sorted(latencies)[int(0.95 * len(latencies) + 0.999) - 1]
    print(f"\nconfirming message -> email in the SMTP inbox, {SAMPLES} bookings through REST: "
          f"p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, max {max(latencies):.2f} s")
    assert p95 < 5
