"""Dates and times as people type them, read relative to a frozen Los Angeles clock."""

from datetime import datetime, timedelta

import pytest
import time_machine

from massage.clock import LA
from massage.when import describe, parse_datetime, parse_window

# Saturday 28 November 2026, 4:22 PM in Los Angeles.
NOW = datetime(2026, 11, 28, 16, 22, tzinfo=LA)


def at(month, day, hour=0, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=LA)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tomorrow at 7pm", at(11, 29, 19)),
        # Said on a Saturday after 2 PM: next Saturday, not one in the past.
        ("Saturday at 2", at(12, 5, 14)),
        ("saturday at 2pm", at(12, 5, 14)),
        ("Sat 2pm", at(12, 5, 14)),
        ("next Tuesday at 10", at(12, 1, 10)),
        ("Tuesday 10:30", at(12, 1, 10, 30)),
        # A time alone that has passed today means tomorrow.
        ("3.30pm", at(11, 29, 15, 30)),
        ("half past three", at(11, 29, 15, 30)),
        ("quarter to four on Sunday", at(11, 29, 15, 45)),
        ("at 4pm", at(11, 29, 16)),
        ("today at 5", at(11, 28, 17)),
        ("tomorrow noon", at(11, 29, 12)),
        ("2 o'clock", at(11, 29, 14)),
        ("9 in the evening", at(11, 28, 21)),
        ("at 3 in the afternoon", at(11, 29, 15)),
        ("tomorrow at 14:30", at(11, 29, 14, 30)),
        ("December 3 at 10am", at(12, 3, 10)),
        ("12/3 at 11", at(12, 3, 11)),
        ("3rd of December at three thirty", at(12, 3, 15, 30)),
        ("in 3 days at 11am", at(12, 1, 11)),
        ("in two hours", at(11, 28, 18, 22)),
        ("Jan 2 at 9am", at(1, 2, 9, year=2027)),
        ("１０ａｍ tomorrow", at(11, 29, 10)),
        ("tomorrow at 10 a.m.", at(11, 29, 10)),
        ("Book a 90 minute deep tissue massage at my place Saturday at 2", at(12, 5, 14)),
    ],
)
def test_exact_times(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Monday morning", "tomorrow", "Friday", "", "a" * 400, "<script>alert(1)</script>",
     "'; DROP TABLE bookings;--", "Feb 30 at 2pm", "at 8 Main Street", "90 minutes"],
)  # fmt: skip
def test_no_exact_time(text):
    assert parse_datetime(text) is None


def test_a_time_alone_keeps_the_day_being_corrected():
    assert parse_datetime("change the time to 4pm", default_day=at(12, 5).date()) == at(12, 5, 16)
    # A day in the correction wins over the kept day.
    assert parse_datetime("make it Sunday at 4pm", default_day=at(12, 5).date()) == at(11, 29, 16)


def test_explicit_past_stays_in_the_past():
    assert parse_datetime("yesterday at 3") == at(11, 27, 15)
    assert parse_datetime("today at 10am") == at(11, 28, 10)


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("Monday morning", at(11, 30, 9), at(11, 30, 12)),
        ("tomorrow evening", at(11, 29, 17), at(11, 29, 21)),
        ("Friday afternoon", at(12, 4, 12), at(12, 4, 17)),
        ("Friday", at(12, 4), at(12, 5)),
        ("next saturday", at(12, 5), at(12, 6)),
        ("the 5th", at(12, 5), at(12, 6)),
        ("next week", at(11, 30), at(12, 7)),
        # Windows that have begun start now.
        ("tonight", at(11, 28, 17), at(11, 28, 21)),
        ("this weekend", NOW, at(11, 30)),
        # A part of day already over today means tomorrow's.
        ("in the morning", at(11, 29, 9), at(11, 29, 12)),
        ("next Tuesday at 10", at(12, 1, 10), at(12, 1, 10)),
    ],
)
def test_windows(text, start, end):
    assert parse_window(text) == (start, end)


@pytest.mark.parametrize("text", ["", "hello there", "Feb 30", "x" * 1000, "🙂🙂"])
def test_no_window(text):
    assert parse_window(text) is None


def test_daylight_saving_change_keeps_wall_clock_time():
    # Saturday 13 March 2027; clocks go forward that night.
    with time_machine.travel(datetime(2027, 3, 13, 12, 0, tzinfo=LA), tick=False):
        sunday = parse_datetime("tomorrow at 10am")
    assert sunday == datetime(2027, 3, 14, 10, tzinfo=LA)
    assert sunday.utcoffset() == timedelta(hours=-7)


def test_read_back():
    assert describe(at(12, 5, 14)) == "Saturday, December 5 at 2:00 PM"
    assert describe(at(12, 5, 14).astimezone(LA.__class__("UTC"))) == "Saturday, December 5 at 2:00 PM"
