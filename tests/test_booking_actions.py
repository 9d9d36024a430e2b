"""Booking form actions on trackers from JSON fixtures: exact events and messages."""

from datetime import datetime
from pathlib import Path

import pytest
import time_machine
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from test_bookings import migrate_with_test_directory, request_for

from actions.booking import (
    ActionAskBookingConfirmed,
    ActionAskBookingTime,
    ActionAskCancelConfirmed,
    ActionAskNewTime,
    ActionFinishBooking,
    ValidateBookingForm,
    ValidateManageBookingForm,
)
from actions.outage import DATABASE_DOWN, DATABASE_LOST_MID_SAVE
from conftest import load_fixture
from massage import bookings, db
from massage.clock import LA
from massage.models import Booking

DOMAIN = yaml.safe_load((Path(__file__).resolve().parent.parent / "domain.yml").read_text())
# Saturday 28 November 2026, 4:22 PM in Los Angeles.
NOW = datetime(2026, 11, 28, 16, 22, tzinfo=LA)
SATURDAY_2PM = datetime(2026, 12, 5, 14, 0, tzinfo=LA)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def database(tmp_path, monkeypatch):
    """A SQLite database with the two test therapists (Ana Reyes works Saturdays 10-6)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'actions.db'}")
    migrate_with_test_directory()


@pytest.fixture
def booked(database, monkeypatch):
    """Jane's 90-minute visit with Ana on Saturday 5 December at 2 PM, reference WH-4K7Q9C."""
    monkeypatch.setattr(bookings, "new_reference", lambda: "WH-4K7Q9C")
    return bookings.create_booking(
        request_for(starts_at=SATURDAY_2PM, therapist="ana-reyes", duration_minutes=90)
    )


def tracker(fixture: str) -> Tracker:
    return Tracker.from_dict(load_fixture(f"booking/{fixture}"))


async def run(action, fixture: str):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker(fixture), DOMAIN)
    if not isinstance(events, list):
        events = await events
    return events, dispatcher.messages


def stored(reference: str) -> Booking:
    with db.session_scope() as session:
        return session.query(Booking).filter_by(reference=reference).one()


def responses(messages):
    return [m.get("response") or m.get("text") for m in messages]


def slots(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


# --- answers that need no database --------------------------------------------------------


async def test_one_sentence_fills_technique_service_length_and_wished_time():
    events, messages = await run(ValidateBookingForm(), "one_sentence.json")
    assert messages == []
    assert events == [
        SlotSet("time_window", None),
        SlotSet("booking_technique", "deep tissue"),
        SlotSet("booking_duration", "90"),
        SlotSet("booking_time", "2026-12-05T14:00:00-08:00"),
        SlotSet("slot_checked", False),
        SlotSet("booking_service", "medical"),
        SlotSet("offered_times", None),
    ]


async def test_an_address_in_the_first_sentence_is_kept_and_settles_the_time(database):
    events, messages = await run(ValidateBookingForm(), "one_sentence_with_address.json")
    assert messages == []
    assert slots(events) == {
        "time_window": None,
        "booking_technique": "deep tissue",
        "booking_duration": "90",
        "booking_time": "2026-12-05T14:00:00-08:00",
        "booking_address": "8500 Sunset Blvd, West Hollywood 90069",
        "booking_zip": "90069",
        "slot_checked": True,
        "booking_service": "medical",
        "offered_times": None,
        "therapist": "ana-reyes",
        "requested_slot": "client_name",
    }


async def test_address_outside_the_area_stops_politely():
    events, messages = await run(ValidateBookingForm(), "address_outside_area.json")
    assert responses(messages) == ["utter_outside_area"]
    assert messages[0]["zip_code"] == "90045"
    assert "West Hollywood" in messages[0]["areas"]
    assert events == [
        SlotSet("booking_address", None),
        SlotSet("booking_stopped", True),
        SlotSet("requested_slot", None),
    ]


async def test_address_without_zip_is_asked_again():
    events, messages = await run(ValidateBookingForm(), "address_without_zip.json")
    assert responses(messages) == ["utter_missing_zip"]
    assert events == [SlotSet("booking_address", None)]


async def test_unreadable_time_says_so():
    events, messages = await run(ValidateBookingForm(), "time_unreadable.json")
    assert responses(messages) == ["utter_invalid_time"]
    assert slots(events)["booking_time"] is None


async def test_red_flag_answer_needs_doctors_clearance_and_ends_the_form():
    events, messages = await run(ValidateBookingForm(), "red_flag_blood_clots.json")
    assert len(messages) == 1
    assert "doctor's clearance" in messages[0]["text"]
    assert "blood clots" in messages[0]["text"]
    assert events == [
        SlotSet("intake_blood_clots", True),
        SlotSet("booking_stopped", True),
        SlotSet("requested_slot", None),
    ]


async def test_unsure_health_answer_is_asked_again():
    events, messages = await run(ValidateBookingForm(), "unsure_fever.json")
    assert responses(messages) == ["utter_answer_yes_or_no"]
    assert events == [SlotSet("intake_fever", None)]


async def test_invalid_phone_is_refused():
    events, messages = await run(ValidateBookingForm(), "phone_invalid.json")
    assert responses(messages) == ["utter_invalid_phone"]
    assert events == [SlotSet("client_phone", None)]


async def test_access_notes_that_read_like_a_faq_topic_are_kept_as_the_notes():
    events, messages = await run(ValidateBookingForm(), "access_notes_like_a_faq.json")
    assert messages == []
    assert events == [SlotSet("access_notes", "street parking, no pets")]


async def test_a_question_typed_for_the_access_notes_is_not_kept_and_the_notes_are_asked_again():
    events, messages = await run(ValidateBookingForm(), "access_notes_a_question.json")
    assert responses(messages) == ["utter_access_notes_not_a_question"]
    assert events == [SlotSet("access_notes", None)]


async def test_faq_at_the_summary_is_left_to_the_faq_rule():
    events, messages = await run(ValidateBookingForm(), "faq_at_summary.json")
    assert (events, messages) == ([], [])


async def test_no_at_the_summary_asks_what_to_change():
    events, messages = await run(ValidateBookingForm(), "deny_at_summary.json")
    assert responses(messages) == ["utter_ask_what_to_change"]
    assert events == [SlotSet("booking_confirmed", None)]


async def test_change_the_address_at_the_summary_asks_for_it_again():
    events, messages = await run(ValidateBookingForm(), "change_address_at_summary.json")
    assert messages == []
    assert events == [
        SlotSet("booking_address", None),
        SlotSet("booking_confirmed", None),
        SlotSet("requested_slot", "booking_address"),
    ]


async def test_finishing_forgets_the_booking_but_keeps_contact_details():
    events = ActionFinishBooking().run(CollectingDispatcher(), tracker("confirm.json"), DOMAIN)
    cleared = slots(events)
    assert set(cleared.values()) == {None}
    assert "booking_time" in cleared and "therapist" in cleared and "intake_fever" in cleared
    assert not {"client_name", "client_phone", "client_email"} & set(cleared)


async def test_offered_times_become_buttons():
    dispatcher = CollectingDispatcher()
    ActionAskBookingTime().run(dispatcher, tracker("time_button.json"), DOMAIN)
    assert responses(dispatcher.messages) == ["utter_pick_offered_time"]
    assert dispatcher.messages[0]["buttons"] == [
        {"title": "Friday, December 4 at 1:00 PM", "payload": '/inform{"time": "2026-12-04T13:00:00-08:00"}'}
    ]


# --- answers checked against the database -----------------------------------------------


async def test_once_the_address_is_known_the_wished_time_gets_the_best_free_therapist(database):
    events, messages = await run(ValidateBookingForm(), "address_settles_wished_time.json")
    assert messages == []
    assert events == [
        SlotSet("booking_address", "8500 Sunset Blvd, West Hollywood 90069"),
        SlotSet("booking_zip", "90069"),
        SlotSet("therapist", "ana-reyes"),
        SlotSet("slot_checked", True),
        SlotSet("offered_times", None),
        SlotSet("requested_slot", "client_name"),
    ]


async def test_a_part_of_day_offers_the_free_times_in_it(database):
    events, messages = await run(ValidateBookingForm(), "time_window.json")
    assert messages == []
    assert events == [
        SlotSet("time_window", None),
        SlotSet("booking_time", None),
        SlotSet(
            "offered_times",
            ["2026-12-04T12:00:00-08:00", "2026-12-04T12:30:00-08:00", "2026-12-04T13:00:00-08:00"],
        ),
        SlotSet("requested_slot", "booking_time"),
    ]


async def test_a_time_button_is_checked_and_assigns_the_therapist(database):
    events, messages = await run(ValidateBookingForm(), "time_button.json")
    assert messages == []
    assert slots(events) == {
        "time_window": None,
        "booking_time": "2026-12-04T13:00:00-08:00",
        "therapist": "ana-reyes",
        "slot_checked": True,
        "offered_times": None,
        "requested_slot": "client_name",
    }


async def test_a_typed_time_picks_the_offered_time_on_the_offered_day(database):
    events, messages = await run(ValidateBookingForm(), "time_typed_from_offered.json")
    assert messages == []
    assert slots(events)["booking_time"] == "2026-12-04T12:30:00-08:00"
    assert slots(events)["requested_slot"] == "client_name"


async def test_change_the_time_at_the_summary_keeps_the_day_and_rechecks(database):
    events, messages = await run(ValidateBookingForm(), "change_time_at_summary.json")
    assert messages == []
    assert events == [
        SlotSet("time_window", None),
        SlotSet("booking_time", "2026-12-05T16:00:00-08:00"),
        SlotSet("therapist", "ana-reyes"),
        SlotSet("slot_checked", True),
        SlotSet("offered_times", None),
        SlotSet("requested_slot", "booking_confirmed"),
    ]


async def test_summary_lists_every_field_and_the_price(database):
    _, messages = await run(ActionAskBookingConfirmed(), "ask_summary.json")
    assert responses(messages) == ["utter_booking_summary"]
    assert messages[0]["summary"] == (
        "- 90 min medical (therapeutic) massage, deep tissue\n"
        "- Saturday, December 5 at 2:00 PM with Ana Reyes\n"
        "- at 8500 Sunset Blvd, West Hollywood 90069\n"
        "- for Jane Doe, (310) 555-0123, jane@example.com\n"
        "- access notes: street parking\n"
        "- price: $195"
    )


async def test_confirming_writes_the_booking_and_confirms_with_reference_price_and_policy(database, monkeypatch):
    monkeypatch.setattr(bookings, "new_reference", lambda: "WH-7MXT3A")
    events, messages = await run(ValidateBookingForm(), "confirm.json")
    assert events == [SlotSet("booking_confirmed", True), SlotSet("booking_reference", "WH-7MXT3A")]
    assert responses(messages) == ["utter_booking_confirmed"]
    confirmation = messages[0]
    assert (confirmation["reference"], confirmation["therapist"], confirmation["time"], confirmation["price"]) == (
        "WH-7MXT3A", "Ana Reyes", "Saturday, December 5 at 2:00 PM", "$195"
    )
    assert "24 hours" in confirmation["policy"] and "massage table" in confirmation["preparation"]
    row = stored("WH-7MXT3A")
    assert (row.client_name, row.phone, row.zip_code, row.duration_minutes, row.status) == (
        "Jane Doe", "+13105550123", "90069", 90, "confirmed"
    )
    assert row.intake["answers"]["doctor_prescribed"] is True
    assert row.conversation_id == "visitor-booking"


async def test_confirming_a_slot_someone_just_took_offers_other_times(booked):
    events, messages = await run(ValidateBookingForm(), "confirm.json")
    assert responses(messages) == ["utter_slot_just_taken"]
    assert events == [
        SlotSet("booking_confirmed", None),
        SlotSet("booking_time", None),
        SlotSet("slot_checked", False),
        SlotSet(
            "offered_times",
            ["2026-12-05T12:00:00-08:00", "2026-12-05T16:00:00-08:00", "2026-12-05T16:30:00-08:00"],
        ),
    ]


# --- checking, cancelling and moving -----------------------------------------------------


async def test_a_wrong_phone_number_reveals_nothing(booked):
    events, messages = await run(ValidateManageBookingForm(), "manage_wrong_phone.json")
    assert responses(messages) == ["utter_booking_not_found"]
    assert events == [SlotSet("lookup_phone", None), SlotSet("booking_reference", None)]


async def test_reference_and_phone_show_the_booking(booked):
    events, messages = await run(ValidateManageBookingForm(), "manage_check.json")
    assert events == [SlotSet("lookup_phone", "+13105550123")]
    assert responses(messages) == [
        "Booking WH-4K7Q9C: 90 min medical (therapeutic) massage with Ana Reyes on Saturday, December 5 at "
        "2:00 PM, at 8500 Sunset Blvd, West Hollywood 90069. Price $195. Status: confirmed."
    ]


async def test_cancelling_states_the_fee_first_then_cancels(booked):
    _, asked = await run(ActionAskCancelConfirmed(), "manage_cancel_yes.json")
    assert responses(asked) == ["utter_ask_cancel_confirmed"]
    assert asked[0]["fee"] == "There's no fee, because it's more than 24 hours before the appointment."
    events, messages = await run(ValidateManageBookingForm(), "manage_cancel_yes.json")
    assert events == [SlotSet("cancel_confirmed", True), SlotSet("requested_slot", None)]
    assert responses(messages) == ["utter_booking_cancelled"]
    assert (messages[0]["reference"], messages[0]["fee"]) == ("WH-4K7Q9C", "No fee applies.")
    assert stored("WH-4K7Q9C").status == "cancelled"


async def test_late_cancelling_states_the_fee(booked):
    with time_machine.travel(SATURDAY_2PM.replace(hour=9), tick=False):
        _, asked = await run(ActionAskCancelConfirmed(), "manage_cancel_yes.json")
        _, messages = await run(ValidateManageBookingForm(), "manage_cancel_yes.json")
    assert "$97.50" in asked[0]["fee"]
    assert messages[0]["fee"] == "A late-cancellation fee of $97.50 applies."


async def test_rescheduling_moves_the_booking(booked):
    _, asked = await run(ActionAskNewTime(), "manage_reschedule.json")
    assert responses(asked) == ["utter_ask_new_time"]
    events, messages = await run(ValidateManageBookingForm(), "manage_reschedule.json")
    assert events == [
        SlotSet("new_time", "2026-12-05T16:00:00-08:00"),
        SlotSet("offered_times", None),
        SlotSet("requested_slot", None),
    ]
    assert responses(messages) == ["utter_booking_moved"]
    assert (messages[0]["time"], messages[0]["fee"]) == ("Saturday, December 5 at 4:00 PM", "No fee applies.")
    assert stored("WH-4K7Q9C").starts_at == SATURDAY_2PM.replace(hour=16)


async def test_rescheduling_to_a_time_without_a_day_keeps_the_bookings_day(booked):
    events, messages = await run(ValidateManageBookingForm(), "manage_reschedule_same_day.json")
    assert events[0] == SlotSet("new_time", "2026-12-05T16:00:00-08:00")
    assert responses(messages) == ["utter_booking_moved"]
    assert stored("WH-4K7Q9C").starts_at == SATURDAY_2PM.replace(hour=16)


async def test_rescheduling_to_a_time_the_therapist_is_not_free_offers_others(booked):
    events, messages = await run(ValidateManageBookingForm(), "manage_reschedule_taken.json")
    assert responses(messages) == [
        "Sorry, Sunday, November 29 at 11:00 AM isn't available: Ana Reyes isn't free then."
    ]
    assert events == [
        SlotSet("new_time", None),
        SlotSet(
            "offered_times",
            ["2026-11-30T13:00:00-08:00", "2026-11-30T13:30:00-08:00", "2026-11-30T14:00:00-08:00"],
        ),
        SlotSet("requested_slot", "new_time"),
    ]
    assert stored("WH-4K7Q9C").starts_at == SATURDAY_2PM


async def test_a_therapist_from_the_directory_who_cannot_do_it_gives_way_to_the_best_available(database):
    events, messages = await run(ValidateBookingForm(), "named_therapist_unsuitable.json")
    assert responses(messages) == ["utter_therapist_unsuitable"]
    assert messages[0]["reason"] == "Ben Cole doesn't offer that massage at your address."
    assert slots(events) == {
        "booking_address": "8500 Sunset Blvd, West Hollywood 90069",
        "booking_zip": "90069",
        "therapist": "ana-reyes",
        "slot_checked": True,
        "offered_times": None,
        "requested_slot": "client_name",
    }


async def test_an_all_letter_reference_nlu_cut_short_is_read_from_the_message():
    # DIET tags only "WH-" of "WH-DAQVMY" (about one reference in four has no digit).
    said = tracker("manage_check.json")
    said.latest_message = {"text": "check booking WH-DAQVMY", "intent": {"name": "check_booking"}, "entities": []}
    dispatcher = CollectingDispatcher()
    validated = ValidateManageBookingForm().validate_booking_reference("WH-", dispatcher, said, DOMAIN)
    assert validated == {"booking_reference": "WH-DAQVMY"} and dispatcher.messages == []


@pytest.mark.parametrize(
    "text, intent, person, name",
    [("Ben Cruz", "urgent_symptoms", "Ben Cruz", "Ben Cruz"), ("ada stone", "stop", "ada stone", "Ada Stone"),
     ("Rosalind Quimby", "stop", None, "Rosalind Quimby"), ("Never Mind", "stop", None, None),
     ("stop", "stop", None, None), ("I have chest pain", "urgent_symptoms", None, None)],
)
async def test_a_bare_name_nlu_misreads_still_answers_what_name(text, intent, person, name):
    asked = tracker("address_settles_wished_time.json")
    asked.slots.update(requested_slot="client_name", booking_zip=None)
    entities = [{"entity": "PERSON", "value": person, "extractor": "SpacyEntityExtractor"}] if person else []
    asked.latest_message = {"text": text, "intent": {"name": intent}, "entities": entities}
    asked.events = [{"event": "user", "text": text, "parse_data": asked.latest_message}]
    dispatcher = CollectingDispatcher()
    events = await ValidateBookingForm().run(dispatcher, asked, DOMAIN)
    assert slots(events).get("client_name") == name and dispatcher.messages == []


# --- the database is unreachable ------------------------------------------------------------


@pytest.fixture
def database_down(monkeypatch):
    """Nothing listens on port 1: every connection is refused at once."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:1/down")


async def test_database_down_when_the_time_is_checked_keeps_the_address_and_asks_the_time_again(database_down):
    events, messages = await run(ValidateBookingForm(), "address_settles_wished_time.json")
    assert responses(messages) == [DATABASE_DOWN]
    assert slots(events) == {
        "booking_address": "8500 Sunset Blvd, West Hollywood 90069",
        "booking_zip": "90069",
        "booking_time": None,
        "time_window": None,
        "slot_checked": False,
        "requested_slot": "booking_time",
    }


async def test_database_down_at_confirmation_says_nothing_was_booked_and_asks_again(database_down):
    events, messages = await run(ValidateBookingForm(), "confirm.json")
    assert responses(messages) == [DATABASE_DOWN] and "nothing was booked" in DATABASE_DOWN
    assert events == [SlotSet("booking_confirmed", None)]


async def test_database_lost_while_the_booking_committed_says_it_is_unsure_not_that_nothing_was_booked(monkeypatch):
    def commit_lost(request):
        raise db.CommitOutcomeUnknown("the connection broke during COMMIT")

    monkeypatch.setattr(bookings, "create_booking", commit_lost)
    events, messages = await run(ValidateBookingForm(), "confirm.json")
    assert responses(messages) == [DATABASE_LOST_MID_SAVE] and "nothing was booked" not in DATABASE_LOST_MID_SAVE
    assert events == [SlotSet("booking_confirmed", None)]


async def test_database_down_during_a_lookup_asks_for_the_phone_again(database_down):
    events, messages = await run(ValidateManageBookingForm(), "manage_check.json")
    assert responses(messages) == [DATABASE_DOWN]
    assert events == [SlotSet("lookup_phone", None)]


@pytest.mark.parametrize(
    "action, fixture",
    [(ActionAskBookingConfirmed(), "ask_summary.json"), (ActionAskCancelConfirmed(), "manage_cancel_yes.json"),
     (ActionAskNewTime(), "manage_reschedule.json")],
)
async def test_database_down_when_asking_apologises_once_per_turn(database_down, action, fixture):
    events, messages = await run(action, fixture)
    assert (events, responses(messages)) == ([], [DATABASE_DOWN])
    # The form's validation already apologised in this turn: the question that follows stays quiet.
    told = tracker(fixture)
    told.events.append({"event": "bot", "text": DATABASE_DOWN})
    dispatcher = CollectingDispatcher()
    assert action.run(dispatcher, told, DOMAIN) == [] and dispatcher.messages == []


@pytest.mark.parametrize("answer", ["no", "No.", "nope", "none", "no thanks", "no preference", "anything is fine"])
def test_no_to_any_technique_means_no_preference_not_an_unknown_technique(answer):
    dispatcher = CollectingDispatcher()
    empty = Tracker("rest:visitor", {}, {}, [], False, None, {}, "action_listen")
    updates = ValidateBookingForm().validate_booking_technique(answer, dispatcher, empty, {})
    assert updates == {"booking_technique": "any", "slot_checked": False}
    assert dispatcher.messages == []
