"""Directory actions on trackers from JSON fixtures: exact events and the messages the user reads."""

from datetime import datetime

import pytest
import time_machine
from directory_db import migrate_with_test_directory
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.directory import (
    ActionBookWithTherapist,
    ActionSearchTherapists,
    ActionShowMoreTherapists,
    ActionTherapistDetails,
)
from actions.outage import DATABASE_DOWN
from conftest import load_fixture
from massage.clock import LA

# Saturday 28 November 2026, 9 AM; the test directory is tests/fixtures/directory/therapists.yml.
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=LA)
SHOWN = ["ana-lopez", "carmen-diaz", "boris-ivanov"]
ANA = "1. Ana Lopez: Lymphatic drainage, Effleurage. Rated 4.9 (120 reviews); next free Monday, November 30 at 9:00 AM."
DEV = (
    "Dev Patel: Lymphatic drainage, Skin rolling. Rated 4.6 (18 reviews); next free Wednesday, December 2 at 10:00 AM."
)
BORIS = (
    "Boris Ivanov: Deep tissue, Trigger point, Sports. Rated 4.7 (80 reviews); "
    "next free Sunday, November 29 at 8:00 AM."
)


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'directory_actions.db'}")
    with time_machine.travel(NOW, tick=False):
        migrate_with_test_directory()
        yield


async def run(action, fixture: str):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, Tracker.from_dict(load_fixture(f"directory/{fixture}.json")), {})
    return events, dispatcher.messages


def button_titles(message) -> list:
    return [button["title"] for button in message["buttons"]]


async def test_a_search_shows_three_with_buttons_and_offers_more():
    events, [message] = await run(ActionSearchTherapists(), "search_everyone")
    assert message["text"].splitlines()[:2] == ["I found 4 therapists. Here are the first 3:", ANA]
    assert button_titles(message) == [
        "Ana Lopez · Lymphatic drainage, Effleurage · ★4.9 · next Mon Nov 30, 9:00 AM",
        "Carmen Diaz · Deep tissue, Swedish · ★4.8 · next Sat Nov 28, 11:00 AM",
        "Boris Ivanov · Deep tissue, Trigger point · ★4.7 · next Sun Nov 29, 8:00 AM",
        "Show more",
    ]
    assert message["buttons"][0]["payload"] == '/therapist_details{"therapist_slug": "ana-lopez"}'
    assert events == [SlotSet("directory_search", {"offset": 0, "shown": SHOWN})]


async def test_users_words_for_a_technique_find_who_does_it():
    events, [message] = await run(ActionSearchTherapists(), "search_lymph_drainage")
    assert message["text"] == "\n".join([
        "I found 2 therapists for lymphatic drainage:", ANA, f"2. {DEV}", "Tap a name for details, or narrow it down."
    ])
    assert events == [SlotSet("directory_search", {
        "technique": "lymphatic_drainage", "offset": 0, "shown": ["ana-lopez", "dev-patel"]})]


async def test_words_the_nlu_did_not_tag_still_filter():
    events, [message] = await run(ActionSearchTherapists(), "search_insurance_untagged")
    assert message["text"].splitlines()[:2] == ["I found 2 therapists with prescription paperwork:", ANA]
    assert events == [SlotSet("directory_search", {
        "accepts_prescription": True, "offset": 0, "shown": ["ana-lopez", "carmen-diaz"]})]


async def test_spacy_dates_become_a_time_window():
    events, [message] = await run(ActionSearchTherapists(), "search_female_friday")
    assert message["text"].splitlines()[0] == (
        "I found 1 female therapist free on Friday, December 4 between 12:00 PM and 5:00 PM:"
    )
    assert "next free Friday, December 4 at 12:00 PM" in message["text"]
    assert events[0]["value"]["window"] == {"start": "2026-12-04T12:00:00-08:00", "end": "2026-12-04T17:00:00-08:00"}


async def test_a_day_spacy_did_not_mark_is_still_read_and_keeps_the_other_filters():
    events, [message] = await run(ActionSearchTherapists(), "refine_day_untagged")
    assert message["text"].splitlines()[:2] == [
        "I found 1 female therapist for deep tissue free on Saturday, November 28 between 9:00 AM and 12:00 PM:",
        "1. Carmen Diaz: Deep tissue, Swedish, Prenatal. Rated 4.8 (45 reviews); "
        "next free Saturday, November 28 at 11:00 AM.",
    ]
    assert events == [SlotSet("directory_search", {
        "technique": "deep_tissue", "gender": "female", "offset": 0, "shown": ["carmen-diaz"],
        "window": {"start": "2026-11-28T09:00:00-08:00", "end": "2026-11-28T12:00:00-08:00"}})]


async def test_what_about_men_keeps_the_technique():
    events, [message] = await run(ActionSearchTherapists(), "refine_what_about_men")
    assert message["text"].splitlines()[:2] == ["I found 1 male therapist for deep tissue:", f"1. {BORIS}"]
    assert events == [SlotSet("directory_search", {
        "technique": "deep_tissue", "gender": "male", "offset": 0, "shown": ["boris-ivanov"]})]


async def test_nobody_free_at_the_time_asked_offers_the_same_technique_on_other_days():
    events, [message] = await run(ActionSearchTherapists(), "refine_next_tuesday_at_10")
    assert message["text"].splitlines() == [
        "No therapist for lymphatic drainage is free on Tuesday, December 1 at 10:00 AM. The closest alternatives:",
        ANA,
        f"2. {DEV}",
    ]
    assert len(message["buttons"]) == 2
    assert events[0]["value"]["window"] == {"start": "2026-12-01T10:00:00-08:00", "end": "2026-12-01T10:00:00-08:00"}


async def test_no_therapist_of_that_gender_offers_others_with_the_technique():
    _, [message] = await run(ActionSearchTherapists(), "no_match_prenatal_men")
    assert message["text"].splitlines()[0] == "We have no male therapists for prenatal. The closest alternatives:"
    assert button_titles(message) == ["Carmen Diaz · Deep tissue, Swedish · ★4.8 · next Sat Nov 28, 11:00 AM"]


async def test_an_area_we_do_not_serve_is_named():
    _, [message] = await run(ActionSearchTherapists(), "no_match_outside_area")
    assert message["text"].startswith(
        "We don't travel to Pasadena: we cover West Hollywood and its neighbours. The closest alternatives:\n1. Boris"
    )


async def test_show_more_pages_on_with_the_same_filters():
    events, [message] = await run(ActionShowMoreTherapists(), "show_more")
    assert message["text"].splitlines()[:2] == ["More therapists (4-4 of 4):", f"4. {DEV}"]
    assert "Show more" not in button_titles(message)
    assert events == [SlotSet("directory_search", {"offset": 3, "shown": ["dev-patel"]})]


async def test_show_more_before_any_search_asks_what_to_look_for():
    events, [message] = await run(ActionShowMoreTherapists(), "show_more_without_search")
    assert message["text"] == 'What are you looking for? For example "who does lymphatic drainage?".'
    assert events == []


async def test_details_of_the_second_one_shown():
    events, [message] = await run(ActionTherapistDetails(), "details_second_one")
    assert message["text"].splitlines() == [
        "Carmen Diaz (she/her): 6 years of experience, rated 4.8 from 45 reviews.",
        "Carmen specialises in massage during and after pregnancy.",
        "Specialties: Deep tissue, Swedish, Prenatal.",
        "Certifications: California Massage Therapy Council (CAMTC) certified; Prenatal massage certification.",
        "Languages: English.",
        "Travels to: Santa Monica.",
        "Provides paperwork for a doctor's prescription or insurance: yes.",
        "Next free: Saturday, November 28 at 11:00 AM.",
    ]
    assert message["buttons"] == [
        {"title": "Book with Carmen", "payload": '/book_with_therapist{"therapist_slug": "carmen-diaz"}'}
    ]
    assert events == [SlotSet("directory_search", {"offset": 0, "shown": SHOWN, "focus": "carmen-diaz"})]


@pytest.mark.parametrize(("fixture", "name"), [("details_by_name", "Boris Ivanov"), ("details_button", "Dev Patel")])
async def test_details_by_name_or_button(fixture, name):
    _, [message] = await run(ActionTherapistDetails(), fixture)
    assert message["text"].startswith(f"{name} (")


async def test_details_of_nobody_in_particular_asks_which():
    events, [message] = await run(ActionTherapistDetails(), "details_unknown")
    assert message["text"] == 'Which therapist do you mean? Say a name, or "the first one" after a search.'
    assert events == []


async def test_book_with_her_fills_the_booking_forms_therapist():
    events, [message] = await run(ActionBookWithTherapist(), "book_with_her")
    assert message["text"] == "Great, let's book with Carmen Diaz."
    assert events == [
        SlotSet("therapist", "carmen-diaz"),
        SlotSet("directory_search", {"offset": 0, "shown": SHOWN, "focus": "carmen-diaz"}),
    ]


async def test_book_without_a_clear_choice_books_the_best_available():
    events, [message] = await run(ActionBookWithTherapist(), "book_without_choice")
    assert message["text"] == "Let's book. I'll find the best available therapist for the time you choose."
    assert events == [SlotSet("therapist", None)]


@pytest.mark.parametrize(
    "action, fixture",
    [(ActionSearchTherapists(), "search_everyone"), (ActionTherapistDetails(), "details_button"),
     (ActionBookWithTherapist(), "book_with_her")],
)
async def test_with_the_database_down_the_directory_apologises_and_changes_nothing(action, fixture, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:1/down")
    events, messages = await run(action, fixture)
    assert events == [] and [m["text"] for m in messages] == [DATABASE_DOWN]
