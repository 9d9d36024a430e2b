"""No personal data in logs: the real Rasa server and action server, configured by deploy/logging.yml."""

import os
import subprocess
import sys
import textwrap

import pytest
import requests

from conftest import ROOT, running_stack
from massage.privacy import redact

PHONE, EMAIL, ADDRESS = "(310) 555-0142", "jane.doe@example.com", "8500 Sunset Blvd Apt 4"


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
    ],
)
def test_redact_masks_personal_data(logged: str, secret: str) -> None:
    assert secret not in redact(logged)
    assert "[redacted]" in redact(logged)


def test_redact_keeps_ordinary_log_lines() -> None:
    line = "Predicted next action 'utter_faq/tipping' with confidence 0.97; booking WH-7K3Q at 2026-11-29 15:30"
    assert redact(line) == line


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


def test_rasa_and_action_server_logs_hold_no_personal_data(request, tmp_path) -> None:
    model = os.environ.get("WEHO_TEST_MODEL") or request.getfixturevalue("model_path")
    with running_stack(
        tmp_path, model, extra_args=["--debug", "--logging-config-file", "deploy/logging.yml"]
    ) as stack:
        sender = "privacy-check"
        for text in (
            f"my phone is {PHONE} and my email is {EMAIL}",
            f"I live at {ADDRESS}",
            "yes I am pregnant and had surgery last month",
        ):
            assert requests.post(f"{stack.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                 timeout=60).status_code == 200
    rasa_log = (tmp_path / "rasa.log").read_text(errors="replace")
    actions_log = (tmp_path / "actions.log").read_text(errors="replace")
    # The debug log did record the turns, with the personal parts masked.
    assert "Received user message '[redacted]'" in rasa_log
    for secret in ("555-0142", EMAIL, "Sunset", "pregnant", "surgery"):
        assert secret not in rasa_log
        assert secret not in actions_log
