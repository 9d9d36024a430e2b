"""Questions the assistant could not answer, kept for the owner: grouped, labelled, contacts masked."""

import pytest

from conftest import throwaway_database_url
from massage.db import session_scope, upgrade
from massage.unanswered import grouped, label, normalize, record


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, monkeypatch):
    with throwaway_database_url(request.param, tmp_path / "unanswered.db") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        upgrade()
        yield


def test_the_same_question_typed_differently_is_one_group():
    assert normalize("Do you do  CUPPING?!") == normalize("do you do cupping") == "do you do cupping"


def test_questions_are_grouped_most_asked_first_and_keep_no_contact_details(database):
    with session_scope() as db:
        record(db, "web:a", "web", "Do you do cupping?")
        record(db, "rest:b", "rest", "do you do cupping")
        record(db, "telegram:c", "telegram", "can you call me on 310-555-0142 about reiki? or jo@example.com")
    with session_scope() as db:
        groups = grouped(db)
    assert [(g.normalized, g.count) for g in groups][0] == ("do you do cupping", 2)
    reiki = groups[1]
    assert "310-555-0142" not in reiki.example and "jo@example.com" not in reiki.example
    assert "reiki" in reiki.example and reiki.last_asked.tzinfo is not None


def test_a_label_applies_to_the_whole_group(database):
    with session_scope() as db:
        record(db, "web:a", "web", "Do you do cupping?")
        record(db, "web:b", "web", "do you do cupping")
        record(db, "web:c", "web", "what's reiki")
    with session_scope() as db:
        assert label(db, "do you do cupping", "faq/techniques_used", by="owner@example.com") == 2
    with session_scope() as db:
        assert [(g.normalized, g.label) for g in grouped(db, labelled=True)] == [
            ("do you do cupping", "faq/techniques_used")
        ]
        assert [g.normalized for g in grouped(db, labelled=False)] == ["what's reiki"]
