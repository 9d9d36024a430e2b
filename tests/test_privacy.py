"""No personal data in logs: the real Rasa server and action server, configured by deploy/logging.yml,
and the notices worker."""

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from datetime import datetime

import pytest
from notices_support import book_by_rest, smtp_server, wait_until_started, worker_env, worker_process
from rest_cases import conversation, free_slot, spoken

from actions import booking
from conftest import ROOT
from massage.bookings import BookingDetails
from massage.privacy import redact

PHONE, EMAIL, ADDRESS = "(310) 555-0142", "jane.doe@example.com", "8500 Sunset Blvd Apt 4"
# Six digits: no id, port or count in the servers' logs can plausibly equal it.
GATE_CODE = "731942"


@pytest.mark.parametrize(
    "logged, secret",
    [
        ("call me on +1 310-555-0142 please", "555-0142"),
        ("my number is 3105550142", "3105550142"),
        ("email: Jane.Doe+spa@example.co.uk", "Jane.Doe"),
        ("come to 1234 N Kings Road, Unit 5B", "Kings"),
        ("at 9000 W Sunset Blvd. #12", "Sunset"),
        ("slot values: intake_blood_clots: True, faq_topic: tipping", "True"),
        ("SlotSet(key: access_notes, value: gate code 4411)", "4411"),
        ("Received user message 'I had knee surgery in May' with intent", "knee"),
        ("yes, I'm on blood thinners", "thinners"),
        ('{"event": "processor.message.parse", "parse_data_text": "my knee hurts since May"}', "knee"),
        ('{"slot_values": "\\tclient_phone: +13105550142\\n\\tintake_fever: True\\n"}', "0142"),
        ('{"slot_values": "\\tfaq_topic: None\\n\\tintake_fever: True\\n"}', "True"),
        ('[{"entity": "phone", "start": 12, "end": 22, "value": "(310) 555-", "extractor": "DIET"}]', "310"),
        ("[{'entity': 'PERSON', 'start': 0, 'end': 8, 'value': 'Jane Doe'}]", "Jane"),
        ('[{"entity": "DATE", "value": "4411", "start": 10, "extractor": "SpacyEntityExtractor"}]', "4411"),
        ('{"rasa_events": ["SlotSet(key: client_phone, value: (310) 555-0142)"]}', "0142"),
        # What a visitor left for a call back out of hours, as typed ("ask for Rosalind").
        ('{"slot_values": "\\tcallback_contact: ask for Rosalind\\n\\tfaq_topic: None"}', "Rosalind"),
        (r'"[state 3] user text: gate code 4411 | previous action name: action_listen\n[state 4]', "4411"),
        # A value with a comma, in Rasa's slot listing (JSON-escaped, then raw).
        (r'{"slot_values": "\taccess_notes: street parking, gate code 1234\n\tfaq_topic: None"}', "1234"),
        ("Current slot values: \n\taccess_notes: side door, gate code 1234\n\tfaq_topic: None", "1234"),
    ],
)
def test_redact_masks_personal_data(logged: str, secret: str) -> None:
    assert secret not in redact(logged)
    assert "[redacted]" in redact(logged)


def test_redact_keeps_ordinary_log_lines() -> None:
    line = "Predicted next action 'utter_faq/tipping' with confidence 0.97; booking WH-7K3Q at 2026-11-29 15:30"
    assert redact(line) == line


def test_what_the_bot_says_back_is_masked() -> None:
    """The booking summary and a looked-up booking repeat the client's details in the bot's text."""
    slots = {
        "booking_time": "2026-12-02T09:00:00-08:00", "booking_duration": 90, "booking_service": "medical",
        "booking_technique": "deep tissue", "booking_address": "Casa Quimby, 12 Hollow Lane, West Hollywood 90069",
        "client_name": "Rosalind Quimby", "client_phone": "+13105550142", "client_email": EMAIL,
        "access_notes": f"side door, gate code {GATE_CODE}",
    }  # fmt: skip
    summary = booking.describe_booking(slots, "Mei Lin")
    found = BookingDetails(
        reference="WH-7K3Q", therapist_slug="mei-lin", therapist_name="Mei Lin",
        starts_at=datetime(2026, 12, 2, 9, 0), duration_minutes=90, service="medical", technique="deep tissue",
        status="confirmed", client_name="Rosalind Quimby", phone="+13105550142", email=EMAIL,
        address="Casa Quimby, 12 Hollow Lane, West Hollywood 90069", zip_code="90069", access_notes=None,
        price_cents=19500,
    )  # fmt: skip
    existing = booking.describe_existing(found)
    # As Rasa logs them: raw, in a BotUttered repr, and escaped again inside a JSON line.
    for said in (summary, existing):
        for logged in (said, repr(said), json.dumps({"rasa_events": [f"BotUttered({said!r})"]})):
            masked = redact(logged)
            for secret in ("Quimby", "Hollow", GATE_CODE, "0142", EMAIL):
                assert secret not in masked
            assert "Mei Lin" in masked  # the therapist and the time are no one's secret
    assert "Status: confirmed" in redact(existing) and "$195" in redact(summary)


def test_python_loggers_are_masked_through_the_logging_config(tmp_path) -> None:
    script = textwrap.dedent(
        f"""
        import logging, logging.config, yaml
        logging.config.dictConfig(yaml.safe_load(open("deploy/logging.yml")))
        logging.getLogger("rasa.core.processor").warning("phone %s email %s", {PHONE!r}, {EMAIL!r})
        try:
            raise ValueError("could not save {ADDRESS}")
        except ValueError:
            logging.getLogger("actions.booking").exception("booking failed")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "booking failed" in result.stderr and "ValueError" in result.stderr
    for secret in (PHONE, EMAIL, ADDRESS, "Sunset"):
        assert secret not in result.stderr


def test_rasa_and_action_server_logs_hold_no_personal_data(stack, monkeypatch) -> None:
    """The shared stack runs with --debug and deploy/logging.yml: its logs are as verbose as they get."""
    monkeypatch.setenv("DATABASE_URL", stack.env["DATABASE_URL"])
    replies = conversation(
        stack, "privacy-check",
        f"book a 90 minute deep tissue massage {spoken(free_slot())}",
        f"{ADDRESS}, West Hollywood 90069", "Jane Doe", PHONE, EMAIL, f"gate code {GATE_CODE}",
        "yes, I had knee surgery in May",
    )  # fmt: skip
    assert "doctor's clearance" in replies[-1]
    # A booking made and looked up: the bot repeats the client's details back.
    booked = conversation(
        stack, "privacy-booked",
        f"book a 90 minute deep tissue massage {spoken(free_slot())}",
        f"{ADDRESS}, West Hollywood 90069", "Rosalind Quimby", PHONE, EMAIL, f"side door, gate code {GATE_CODE}",
        "no", "no", "no", "no", "no", "yes",
    )  # fmt: skip
    assert "Rosalind Quimby" in booked[-2] and "side door" in booked[-2]
    reference = re.search(r"\bWH-[A-Z0-9]{4,}\b", booked[-1]).group(0)
    found = conversation(stack, "privacy-booked", f"check booking {reference}", PHONE)
    assert "Sunset" in found[-1] and "Status: confirmed" in found[-1]

    rasa_log = (stack.workdir / "rasa.log").read_text(errors="replace")
    actions_log = (stack.workdir / "actions.log").read_text(errors="replace")
    # The debug log did record the turns, with what the visitor typed masked.
    assert '"parse_data_text": "[redacted]"' in rasa_log and reference in rasa_log
    for log in (rasa_log, actions_log):
        for secret in ("555-0142", EMAIL, "Sunset", "knee surgery", "Quimby", "side door", "gate code"):
            assert secret not in log
        # The gate code as a number of its own (not inside a timestamp or a hex object address).
        assert not re.search(rf"(?<![\w.]){GATE_CODE}(?!\w)", log)
        # Slot names may show; the health answers in them may not.
        assert not re.search(r"intake_\w+(?:'?: |, value: )(?:True|False)", log)


def test_the_notices_worker_log_holds_no_personal_data(stack, monkeypatch, tmp_path) -> None:
    """The worker, at DEBUG, sends a booking's confirmation and its therapist notice (or fails to)."""
    monkeypatch.setenv("DATABASE_URL", stack.env["DATABASE_URL"])
    env = worker_env(stack.env["DATABASE_URL"], 0)
    with smtp_server() as smtp:
        env["SMTP_PORT"] = str(smtp.port)
        with worker_process(env, tmp_path / "worker.log") as worker:
            wait_until_started(worker)
            reply, _ = book_by_rest(stack, "privacy-notices", free_slot(), "Rosalind Quimby", PHONE, EMAIL,
                                    ADDRESS, f"side door, gate code {GATE_CODE}")  # fmt: skip
            reference = re.search(r"\bWH-[A-Z0-9]{4,}\b", reply).group(0)
            deadline = time.monotonic() + 30
            while not [m for m in smtp.inbox.messages() if m["To"] == EMAIL and reference in m["Subject"]]:
                assert time.monotonic() < deadline, "no confirmation email within 30 s"
                time.sleep(0.05)
            time.sleep(1)  # the therapist's notice, sent or refused, is logged too
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "sent (created to client by email)" in log
    for secret in ("555-0142", "3105550142", EMAIL, "Sunset", "Quimby", "Rosalind", "side door", "gate code"):
        assert secret not in log
    assert not re.search(rf"(?<![\w.]){GATE_CODE}(?!\w)", log)
