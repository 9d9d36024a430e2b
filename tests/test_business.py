"""The owner's facts file (data/business.yml): every answer is filled from it, an edit of one line
changes what the assistant says and what a booking does, and a broken edit is refused by name."""

import json
import subprocess
import sys
from datetime import time

import pytest
import yaml
from answers import DOMAIN, message_tracker, rendered, run

from actions.faq import ActionAnswerFaq
from conftest import ROOT
from massage import intake, pricing
from massage.business import DEFAULT_FILE, FACTS, BusinessFileError, clock_time, load
from massage.faq_topics import TITLES

NEW_TOPICS = [
    "space_needed", "what_therapist_brings", "pets", "parking_and_access", "hotels_and_offices", "what_to_wear",
    "preparing_yourself", "session_lengths", "couples_massage", "prenatal_massage", "oils_and_allergies",
    "comfort_during_session", "therapist_gender", "licensing", "background_checks", "therapist_insurance",
    "professional_conduct", "privacy", "payment_methods", "hsa_fsa", "receipts_superbill", "gift_cards",
    "packages_memberships", "surcharges", "same_day_booking", "advance_booking", "therapist_running_late",
    "client_running_late", "minimum_age", "repeat_therapist", "business_hours", "soreness_after", "how_often",
    "see_a_doctor", "chronic_conditions",
]  # fmt: skip


def answer(topic: str) -> str:
    """What a visitor reads when NLU is sure they asked about `topic`."""
    _, messages = run(ActionAnswerFaq(), message_tracker("a question", topic, slots={"health_note_given": True}))
    return rendered(messages)[0]


def test_the_agreed_new_topics_all_exist():
    assert set(NEW_TOPICS) <= set(TITLES)
    assert len(TITLES) >= 22 + 35


@pytest.mark.parametrize("topic", sorted(TITLES))
def test_every_answer_is_filled_with_no_placeholder_left(topic):
    text = answer(topic)
    assert text.strip() and "{" not in text and "}" not in text, text


@pytest.mark.parametrize(
    "topic, fact",
    [
        ("space_needed", FACTS["table_space"]),
        ("what_therapist_brings", FACTS["therapist_brings"]),
        ("pets", FACTS["pets"]),
        ("payment_methods", FACTS["payment_methods"]),
        ("hsa_fsa", FACTS["hsa_fsa"]),
        ("gift_cards", FACTS["gift_cards"]),
        ("prenatal_massage", FACTS["prenatal"]),
        ("licensing", FACTS["licensing"]),
        ("background_checks", FACTS["background_checks"]),
        ("privacy", FACTS["privacy"]),
        ("surcharges", FACTS["surcharges"]),
        ("minimum_age", f"{FACTS['minimum_age']} or older"),
        ("advance_booking", f"{FACTS['max_days_ahead']} days ahead"),
        ("same_day_booking", f"at least {FACTS['min_notice_hours']} hours ahead"),
        ("business_hours", "from 8am to 9pm"),
        ("business_hours", "from 8am to 8pm"),
        ("session_lengths", "60, 90 or 120 minutes"),
        ("session_lengths", pricing.price_list()),
        ("see_a_doctor", intake.RED_FLAGS["blood_clots"]),
    ],
)
def test_an_answer_states_the_fact_from_the_file(topic, fact):
    assert fact in answer(topic)


def test_the_answers_are_the_business_facts_not_copies_in_the_domain():
    domain_text = json.dumps(DOMAIN["responses"])
    for name in ("table_space", "payment_methods", "hsa_fsa", "gift_cards", "prenatal", "privacy"):
        assert FACTS[name] not in domain_text


def test_every_therapists_hours_fall_inside_the_stated_visit_hours():
    first, last = (clock_time(FACTS["visit_hours"][key]) for key in ("first_start", "last_end"))
    directory = yaml.safe_load((ROOT / "data" / "directory" / "therapists.yml").read_text())
    for therapist in directory["therapists"]:
        for day, windows in therapist["hours"].items():
            for window in windows:
                start, end = (time.fromisoformat(part) for part in window.split("-"))
                assert first <= start and end <= last, (therapist["slug"], day, window)


def test_the_licensing_answer_is_true_of_every_therapist_in_the_directory():
    assert "CAMTC" in FACTS["licensing"]
    directory = yaml.safe_load((ROOT / "data" / "directory" / "therapists.yml").read_text())
    for therapist in directory["therapists"]:
        assert any("CAMTC" in c for c in therapist["certifications"]), therapist["slug"]


# Run in a fresh interpreter: the facts are read once, at start-up, as the servers read them.
_ANSWER_WITH = """
import json, sys
sys.path.insert(0, "tests")
from actions.faq import ActionAnswerFaq
from answers import message_tracker, rendered, run
from massage import policy, pricing
replies = {t: rendered(run(ActionAnswerFaq(), message_tracker("q", t, slots={"health_note_given": True}))[1])[0]
           for t in ("prices", "pets", "cancellation_policy")}
print(json.dumps({"replies": replies, "price_cents": pricing.price_cents("medical", 60),
                  "fee_cents": policy.LATE_FEE_PERCENT}))
"""


def _answers_with(facts_file) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", _ANSWER_WITH], cwd=ROOT, env={"BUSINESS_FILE": str(facts_file), "PATH": ""},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(result.stdout.splitlines()[-1])


def test_changing_one_line_of_the_file_changes_the_answer_and_what_a_booking_charges(tmp_path):
    edited = tmp_path / "business.yml"
    text = DEFAULT_FILE.read_text()
    assert "  medical:\n    60: 140\n" in text and "late_change_fee_percent: 50\n" in text
    text = text.replace("  medical:\n    60: 140\n", "  medical:\n    60: 155\n")
    text = text.replace("late_change_fee_percent: 50\n", "late_change_fee_percent: 30\n")
    text = text.replace("\npets: ", "\npets: We love dogs and cats; they can stay with you. ", 1)
    edited.write_text(text)
    before, after = _answers_with(DEFAULT_FILE), _answers_with(edited)
    assert "60 min $140" in before["replies"]["prices"] and before["price_cents"] == 14000
    assert "60 min $155" in after["replies"]["prices"] and after["price_cents"] == 15500
    assert "a fee of 30% of the session price" in after["replies"]["cancellation_policy"]
    assert after["replies"]["pets"].startswith("We love dogs and cats; they can stay with you.")


@pytest.mark.parametrize(
    "edit, named",
    [
        (("min_notice_hours: 2\n", "min_notice_hours: two\n"), "min_notice_hours"),
        (("\npets: ", "\npet: "), "`pets` is missing"),
        (('  "90069": West Hollywood\n', "  90069: West Hollywood\n"), "served_zips"),
        (('  weho: "90069"\n', '  weho: "90001"\n'), "weho"),
        (("    120: 210\n", ""), "same session lengths"),
        (('  opens: "08:00"', '  opens: "8am"'), "team_hours"),
        (("tip_usual_percent: [15, 20]", "tip_usual_percent: 15"), "tip_usual_percent"),
    ],
)
def test_a_broken_edit_is_refused_with_the_fact_it_concerns(tmp_path, edit, named):
    old, new = edit
    text = DEFAULT_FILE.read_text()
    assert old in text
    (tmp_path / "business.yml").write_text(text.replace(old, new, 1))
    with pytest.raises(BusinessFileError, match=named):
        load(tmp_path / "business.yml")


def test_a_file_that_is_not_yaml_is_refused(tmp_path):
    (tmp_path / "business.yml").write_text("prices: [unclosed\n")
    with pytest.raises(BusinessFileError, match="not valid YAML"):
        load(tmp_path / "business.yml")
