"""Searching the provider directory: filters, order, paging, "nobody matches" answers, details."""

from datetime import date, datetime

import pytest
import time_machine
import yaml
from directory_db import add_booking, migrate_with_test_directory

from massage import db, directory, service_area
from massage.clock import LA
from massage.directory import SearchFilters, search
from massage.loader import DIRECTORY_FILE

# Saturday 28 November 2026, 9 AM. Test directory (tests/fixtures/directory/therapists.yml):
# Ana (F, lymph, WeHo, Spanish, Rx, 4.9) Mon 9-5 + Fri 12-6; Boris (M, deep tissue/sports, BH+WeHo,
# Russian, 4.7) Mon 9-5 + Sun 8-2; Carmen (F, prenatal/deep tissue, Santa Monica, Rx, 4.8) Tue 5-9 PM +
# Sat 10-4; Dev (NB, lymph/skin rolling, Silver Lake, Hindi, 4.6) Wed 10-2; Eli is retired.
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=LA)
MONDAY = date(2026, 11, 30)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LA)


def window(day: date, first: int, last: int) -> dict:
    return {"window_start": at(day, first), "window_end": at(day, last)}


def names(result) -> list:
    return [m.name for m in result.matches]


@pytest.fixture
def session(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'directory.db'}")
    with time_machine.travel(NOW, tick=False):
        migrate_with_test_directory()
        with db.session_scope() as session:
            yield session


@pytest.mark.parametrize(
    ("said", "key"),
    [
        ("lymph drainage", "lymphatic_drainage"),
        ("Lymphatic Drainage massage", "lymphatic_drainage"),
        ("deep-tissue", "deep_tissue"),
        ("DEEP TISSUE", "deep_tissue"),
        ("pregnancy massage", "prenatal"),
        ("pre-natal", "prenatal"),
        ("trigger points", "trigger_point"),
        ("picking-up", "picking_up"),
        ("skin rolling technique", "skin_rolling"),
        ("pétrissage", "kneading"),
        ("hot stone", None),
        ("", None),
        ("<script>alert(1)</script>", None),
    ],
)
def test_technique_words_become_directory_keys(said, key):
    assert directory.normalise_technique(said) == key


@pytest.mark.parametrize(
    ("said", "key"),
    [("women", "female"), ("a lady", "female"), ("Female", "female"), ("men", "male"), ("a guy", "male"),
     ("non-binary", "nonbinary"), ("her", "female"), ("him", "male"), ("whoever", None)],
)
def test_gender_words_become_directory_keys(said, key):
    assert directory.normalise_gender(said) == key


def test_language_and_area_words_are_normalised():
    assert directory.normalise_language("Español") == "Spanish"
    assert directory.normalise_language("russian") == "Russian"
    assert directory.normalise_language("klingon") == "Klingon"
    assert directory.resolve_area("WeHo") == directory.Area("West Hollywood", frozenset({"90069", "90046", "90048"}))
    assert directory.resolve_area("in beverly hills").zip_codes == {"90210", "90211", "90212"}
    assert directory.resolve_area("90401") == directory.Area("Santa Monica", frozenset({"90401"}))
    assert directory.resolve_area("Pasadena") == directory.Area("Pasadena", frozenset())
    assert directory.resolve_area("   ") is None


@pytest.mark.parametrize(
    ("said", "found"),
    [
        ("which therapists take insurance?", {"accepts_prescription": True}),
        ("I have a prescription from my doctor", {"accepts_prescription": True}),
        ("what about men?", {"gender": "male"}),
        ("a lady who speaks Spanish near 90210", {"gender": "female", "language": "Spanish", "area": "90210"}),
        ("lymph drainage in WeHo for 90 minutes",
         {"technique": "lymphatic_drainage", "area": "West Hollywood", "duration": 90}),
        ("a 2 hour deep-tissue session in Santa Monica",
         {"technique": "deep_tissue", "area": "Santa Monica", "duration": 120}),
        ("pregnancy massage, an hour and a half", {"technique": "prenatal", "duration": 90}),
        # "in two hours" is when, not how long; "her" is the client, not the therapist.
        ("who is free in two hours for her?", {}),
        ("someone in Pasadena", {}),
        ("", {}),
        ("'; DROP TABLE therapists; --", {}),
    ],
)
def test_filters_are_read_from_the_sentence_when_the_nlu_tags_nothing(said, found):
    assert directory.filters_in_text(said) == found


def test_the_real_directory_is_complete_and_consistent():
    therapists = yaml.safe_load(DIRECTORY_FILE.read_text())["therapists"]
    assert len(therapists) >= 28
    assert len({t["slug"] for t in therapists}) == len(therapists)
    offered = set()
    for entry in therapists:
        assert entry["gender"] in directory.GENDERS
        assert set(entry["techniques"]) <= set(directory.TECHNIQUES), entry["slug"]
        assert set(entry["zip_codes"]) <= set(service_area.SERVED_ZIPS), entry["slug"]
        assert 0 < entry["rating"] <= 5 and entry["hours"] and entry["certifications"]
        offered.update(entry["techniques"])
    assert offered == set(directory.TECHNIQUES)


def test_everyone_active_best_rated_first_three_at_a_time(session):
    first = search(session, SearchFilters())
    assert names(first) == ["Ana Lopez", "Carmen Diaz", "Boris Ivanov"]
    assert first.total == 4 and first.has_more
    rest = search(session, SearchFilters(), offset=3)
    assert names(rest) == ["Dev Patel"] and not rest.has_more
    ana = first.matches[0]
    assert ana.specialties == ["Lymphatic drainage", "Effleurage"] and ana.rating == 4.9
    assert ana.next_slot == at(MONDAY, 9)
    assert first.matches[1].next_slot == at(date(2026, 11, 28), 11)  # today, after the 2-hour lead time


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(technique="lymph drainage"), ["Ana Lopez", "Dev Patel"]),
        (SearchFilters(technique="pregnancy massage"), ["Carmen Diaz"]),
        (SearchFilters(gender="a lady"), ["Ana Lopez", "Carmen Diaz"]),
        (SearchFilters(gender="nonbinary"), ["Dev Patel"]),
        (SearchFilters(language="russian"), ["Boris Ivanov"]),
        (SearchFilters(language="Español"), ["Ana Lopez"]),
        (SearchFilters(area="weho"), ["Ana Lopez", "Boris Ivanov"]),
        (SearchFilters(area="Santa Monica"), ["Carmen Diaz"]),
        (SearchFilters(area="90027"), ["Dev Patel"]),
        (SearchFilters(accepts_prescription=True), ["Ana Lopez", "Carmen Diaz"]),
        (SearchFilters(**window(MONDAY, 9, 12)), ["Ana Lopez", "Boris Ivanov"]),
        (SearchFilters(**window(date(2026, 12, 1), 17, 21)), ["Carmen Diaz"]),
        (SearchFilters(technique="deep tissue", gender="women", area="santa monica"), ["Carmen Diaz"]),
    ],
)
def test_each_filter_narrows_the_search(session, filters, expected):
    assert names(search(session, filters, limit=10)) == expected


def test_a_time_window_shows_the_first_free_slot_inside_it(session):
    add_booking(session, "ana-lopez", at(MONDAY, 9), 60)
    result = search(session, SearchFilters(**window(MONDAY, 9, 12)))
    assert [(m.name, m.next_slot) for m in result.matches] == [
        ("Ana Lopez", at(MONDAY, 10, 30)),  # 9-10 booked, plus 30 minutes to drive
        ("Boris Ivanov", at(MONDAY, 9)),
    ]


def test_an_exact_time_needs_the_whole_visit_to_fit(session):
    exact = {"window_start": at(MONDAY, 16), "window_end": at(MONDAY, 16)}
    assert names(search(session, SearchFilters(**exact))) == ["Ana Lopez", "Boris Ivanov"]
    too_long = search(session, SearchFilters(duration=120, **exact))
    assert too_long.total == 0 and too_long.empty_because == "window"


def test_nobody_of_that_gender_offers_the_technique_so_others_with_it_are_offered(session):
    result = search(session, SearchFilters(technique="prenatal", gender="men"))
    assert result.total == 0 and result.matches == []
    assert result.empty_because == "gender"
    assert [m.name for m in result.alternatives] == ["Carmen Diaz"]


def test_nobody_free_then_the_same_technique_on_another_day_is_offered(session):
    result = search(session, SearchFilters(technique="lymphatic drainage", **window(date(2026, 12, 1), 17, 21)))
    assert result.empty_because == "window"
    assert [(m.name, m.next_slot) for m in result.alternatives] == [
        ("Ana Lopez", at(MONDAY, 9)),
        ("Dev Patel", at(date(2026, 12, 2), 10)),
    ]


def test_a_window_in_the_past_is_the_filter_to_blame(session):
    result = search(session, SearchFilters(technique="deep tissue", **window(date(2026, 11, 27), 9, 17)))
    assert result.empty_because == "window" and names(result) == []
    assert {m.name for m in result.alternatives} == {"Boris Ivanov", "Carmen Diaz"}


@pytest.mark.parametrize(
    ("filters", "blamed", "alternatives"),
    [
        (SearchFilters(technique="deep tissue", language="Hindi"), "language", ["Carmen Diaz", "Boris Ivanov"]),
        (SearchFilters(technique="sports", area="Pasadena"), "area", ["Boris Ivanov"]),
        (SearchFilters(technique="sports", accepts_prescription=True), "accepts_prescription", ["Boris Ivanov"]),
        (SearchFilters(technique="hot stone"), "technique", ["Ana Lopez", "Carmen Diaz", "Boris Ivanov"]),
        (SearchFilters(technique="prenatal", gender="male", language="Russian"), "technique", ["Boris Ivanov"]),
        (SearchFilters(technique="skin rolling", gender="male", language="Spanish"), "combination", ["Dev Patel"]),
    ],
)
def test_an_empty_search_names_the_filter_that_emptied_it(session, filters, blamed, alternatives):
    result = search(session, filters)
    assert (result.total, result.empty_because) == (0, blamed)
    assert [m.name for m in result.alternatives] == alternatives


def test_retired_therapists_never_appear(session):
    result = search(session, SearchFilters(technique="skin rolling", language="Spanish"))
    assert "Eli Stone" not in [m.name for m in result.matches + result.alternatives]
    assert directory.therapist_details(session, "eli-stone") is None


def test_details_tell_the_whole_profile_and_next_free_slot(session):
    ana = directory.therapist_details(session, "ana-lopez")
    assert ana.name == "Ana Lopez" and ana.pronoun == "she" and ana.years_experience == 9
    assert ana.languages == ["English", "Spanish"]
    assert "Certified Manual Lymphatic Drainage Therapist" in ana.certifications
    assert ana.neighbourhoods == ["West Hollywood"] and ana.accepts_prescription
    assert ana.next_slot == at(MONDAY, 9)
    assert directory.therapist_details(session, "nobody") is None


@pytest.mark.parametrize(
    ("said", "slug"),
    [("Ana", "ana-lopez"), ("carmen diaz", "carmen-diaz"), ("BORIS", "boris-ivanov"), ("dev-patel", "dev-patel"),
     ("Zed", None), ("", None), ("Eli", None)],
)
def test_names_find_the_therapist(session, said, slug):
    assert directory.slug_for_name(session, said) == slug
