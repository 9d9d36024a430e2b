"""Booking rules without Rasa: prices, policy, health intake, service area, contact details."""

from datetime import datetime, timedelta

import pytest

from massage import contact, intake, policy, pricing, service_area
from massage.clock import LA

# --- pricing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "service, minutes, cents, shown",
    [("medical", 60, 14000, "$140"), ("medical", 90, 19500, "$195"), ("medical", 120, 25000, "$250"),
     ("relaxation", 60, 12000, "$120"), ("relaxation", 90, 16500, "$165"), ("relaxation", 120, 21000, "$210")],
)  # fmt: skip
def test_prices(service, minutes, cents, shown):
    assert pricing.price_cents(service, minutes) == cents
    assert pricing.format_price(cents) == shown


def test_lengths_not_offered_have_no_price():
    with pytest.raises(KeyError):
        pricing.price_cents("medical", 45)
    with pytest.raises(KeyError):
        pricing.price_cents("hot stones", 60)


def test_price_with_cents_and_thousands():
    assert pricing.format_price(1950) == "$19.50"
    assert pricing.format_price(123456) == "$1,234.56"


@pytest.mark.parametrize(
    "text, minutes",
    [("90 minutes", 90), ("a 90-minute massage", 90), ("1.5 hours", 90), ("an hour and a half", 90),
     ("2 hours", 120), ("one hour", 60), ("60 min", 60), ("120", 120), ("45 minutes", None),
     ("3 hours", None), ("", None), ("whatever", None)],
)  # fmt: skip
def test_durations(text, minutes):
    assert pricing.parse_duration(text) == minutes


@pytest.mark.parametrize(
    "text, technique, service",
    [("deep-tissue please", "deep tissue", "medical"), ("Swedish", "swedish", "relaxation"),
     ("lymphatic drainage", "lymphatic drainage", "medical"), ("trigger points", "trigger point", "medical"),
     ("I want something relaxing", None, "relaxation"), ("therapeutic", None, "medical"),
     ("prenatal massage", "prenatal", "relaxation"), ("banana", None, None)],
)  # fmt: skip
def test_techniques_and_services(text, technique, service):
    assert pricing.parse_technique(text) == technique
    assert pricing.parse_service(text) == service


# --- policy --------------------------------------------------------------------------

START = datetime(2026, 12, 5, 14, 0, tzinfo=LA)


def test_free_change_until_24_hours_before():
    assert policy.change_fee_cents(START, 19500, at=START - timedelta(hours=24)) == 0
    assert policy.change_fee_cents(START, 19500, at=START - timedelta(days=3)) == 0
    assert policy.free_change_deadline(START) == datetime(2026, 12, 4, 14, 0, tzinfo=LA)


def test_late_change_costs_half():
    late = START - timedelta(hours=23, minutes=59)
    assert policy.change_fee_cents(START, 19500, at=late) == 9750
    assert "$97.50" in policy.fee_statement(START, 19500, at=late)
    assert "no fee" in policy.fee_statement(START, 19500, at=START - timedelta(days=2))


def test_preparation_mentions_space_for_the_table():
    assert "massage table" in policy.preparation_text()
    assert "24 hours" in policy.CANCELLATION_POLICY


# --- intake --------------------------------------------------------------------------

ALL_NO = {key: False for key in intake.QUESTIONS}


@pytest.mark.parametrize(
    "text, answer",
    [("yes", True), ("Yeah", True), ("yep, last month", True), ("I have", True), ("no", False),
     ("Nope", False), ("I'm not", False), ("never", False), ("not sure", None), ("I don't know", None),
     ("banana", None), ("", None)],
)  # fmt: skip
def test_yes_no(text, answer):
    assert intake.parse_yes_no(text) is answer


def test_no_red_flags_clears_booking():
    assessment = intake.assess(ALL_NO)
    assert assessment.cleared
    assert assessment.notes == ()


@pytest.mark.parametrize("key", ["recent_surgery_or_injury", "blood_clots", "fever"])
def test_red_flags_need_doctors_clearance(key):
    assessment = intake.assess({**ALL_NO, key: True})
    assert not assessment.cleared
    assert intake.is_red_flag(key, True)
    assert "doctor's clearance" in assessment.clearance_message()
    assert intake.RED_FLAGS[key] in assessment.clearance_message()


def test_pregnancy_and_prescription_are_notes_not_red_flags():
    answers = {**ALL_NO, "pregnancy": True, "doctor_prescribed": True}
    assessment = intake.assess(answers)
    assert assessment.cleared
    assert not intake.is_red_flag("pregnancy", True)
    record = intake.intake_record(answers)
    assert record["answers"]["pregnancy"] is True
    assert any("prenatal" in note for note in record["notes"])


def test_incomplete_intake_is_refused():
    with pytest.raises(ValueError):
        intake.assess({"fever": False})


# --- service area --------------------------------------------------------------------


@pytest.mark.parametrize(
    "address, zip_code, neighbourhood",
    [("8500 Sunset Blvd, West Hollywood, CA 90069", "90069", "West Hollywood"),
     ("9500 Wilshire Blvd Beverly Hills 90212", "90212", "Beverly Hills"),
     ("12345 Fairfax Ave 90036-1234", "90036", "Fairfax")],
)  # fmt: skip
def test_addresses_in_area(address, zip_code, neighbourhood):
    check = service_area.check_address(address)
    assert check.served and check.zip_code == zip_code and check.neighbourhood == neighbourhood


def test_address_outside_area():
    check = service_area.check_address("1 World Way, Los Angeles, CA 90045")
    assert not check.served and check.problem == "outside" and check.zip_code == "90045"


@pytest.mark.parametrize(
    "address, problem",
    [("8500 Sunset Blvd", "missing_zip"), ("12345 Sunset Blvd", "missing_zip"), ("hi", "invalid"),
     ("my place", "invalid"), ("x" * 300 + " 1 90069", "invalid"), ("", "invalid")],
)  # fmt: skip
def test_addresses_that_need_more(address, problem):
    check = service_area.check_address(address)
    assert not check.served and check.problem == problem


def test_places_and_area_names():
    assert service_area.zip_for_place("somewhere in WeHo") == "90069"
    assert service_area.zip_for_place("Beverly Hills") == "90210"
    assert service_area.zip_for_place("90046") == "90046"
    assert service_area.zip_for_place("Long Beach 90802") is None
    assert service_area.area_names().startswith("West Hollywood, Beverly Hills")


@pytest.mark.parametrize(
    "text, address",
    [
        ("Can a therapist come to 8500 Sunset Blvd 90069 tomorrow at 3pm?", "8500 Sunset Blvd 90069"),
        ("a 60 min swedish at 8500 Sunset Blvd, West Hollywood, CA 90069 at 3pm",
         "8500 Sunset Blvd, West Hollywood, CA 90069"),
        ("send someone to 620 N Doheny Dr #5 90069 tonight", "620 N Doheny Dr #5 90069"),
        ("come to 1100 N Crescent Heights Blvd tomorrow", None),  # no ZIP: asked for in full later
        ("book a 90 minute massage at my place saturday at 2", None),
        ("", None),
    ],
)  # fmt: skip
def test_an_address_is_found_inside_a_sentence(text, address):
    assert service_area.find_address(text) == address


def test_stored_address_is_cleaned():
    assert service_area.clean_address(" 8500  Sunset\tBlvd\x00, 90069 ") == "8500 Sunset Blvd, 90069"


# --- contact details -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, e164",
    [("(310) 555-0123", "+13105550123"), ("my cell is 310.555.0123", "+13105550123"),
     ("+1 213 373 4253", "+12133734253"), ("+44 7911 123456", "+447911123456"),
     ("555-0123", None), ("+44 20 7946 0958", None), ("12", None), ("", None), ("1" * 300, None)],
)  # fmt: skip
def test_phone_numbers(text, e164):
    assert contact.normalise_phone(text) == e164


def test_phone_shown_back_readably():
    assert contact.display_phone("+13105550123") == "(310) 555-0123"
    assert contact.display_phone("+447911123456") == "+44 7911 123456"


@pytest.mark.parametrize(
    "text, email",
    [("Jane.Doe@Example.COM", "Jane.Doe@example.com"), ("it's jane@gmail.com.", "jane@gmail.com"),
     ("jane@example", None), ("jane", None), ("<b>@</b>", None), ("", None)],
)  # fmt: skip
def test_emails(text, email):
    assert contact.normalise_email(text) == email


@pytest.mark.parametrize(
    "text, name",
    [("my name is jane doe", "Jane Doe"), ("José Núñez-García", "José Núñez-García"),
     ("Conan O'Brien", "Conan O'Brien"), ("JANE DOE", "Jane Doe"), ("<script>", None),
     ("Robert'); DROP TABLE bookings;--", None), ("R2D2", None), ("a" * 81, None), ("", None),
     ("Javier Morales please", "Javier Morales"), ("put it under Min-jun Lee", "Min-jun Lee"),
     ("name's boris lebedev, thanks", "Boris Lebedev"), ("lol", None), ("Huh?", None)],
)  # fmt: skip
def test_names(text, name):
    assert contact.clean_name(text) == name


@pytest.mark.parametrize(
    "text, is_name",
    [("Rosalind Quimby", True), ("Kate O'Neill", True), ("rosalind quimby", False), ("Never Mind", False),
     ("Stop", False), ("Talk To A Person", False), ("WH-GEDEFX", False), ("Call Me Tomorrow At 5", False)],
)  # fmt: skip
def test_a_name_is_recognised_by_how_it_is_written(text, is_name):
    assert contact.typed_as_a_name(text) is is_name


@pytest.mark.parametrize("text", ["not sure", "I'm not sure", "I don't know", "maybe"])
def test_unsure_answers_are_neither_yes_nor_no(text):
    assert intake.is_unsure(text) and intake.parse_yes_no(text) is None
