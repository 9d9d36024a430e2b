"""Dates and times people type ("Saturday at 2", "tomorrow evening") as Los Angeles datetimes.

Everything is relative to `massage.clock.now()` and prefers the future: "at 4pm"
said at 5pm means tomorrow, "Saturday at 2" said on Saturday afternoon means next
Saturday. Explicit past dates ("yesterday") stay in the past so callers can say so.

Calendar dates ("Dec 3", "12/3", "3rd of December") and relative phrases ("in 3
days") go to dateparser; it misses weekdays with a part of day ("Monday morning"),
"half past three" and bare hours ("at 2"), so those are read here first.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import dateparser

from massage import clock

# Parts of the day, as windows of appointment start times.
DAY_PARTS = {
    "morning": (time(9), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(21)),
}
PART_WORDS = {
    "morning": "morning",
    "afternoon": "afternoon",
    "evening": "evening",
    "night": "evening",
    "tonight": "evening",
}
MAX_TEXT = 300

WEEKDAYS = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tue": 1, "tues": 1,
    "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
MINUTE_WORDS = {"fifteen": 15, "thirty": 30, "forty five": 45, "forty-five": 45}

_HOUR = r"(?P<h>1[0-2]|0?[1-9]|1[3-9]|2[0-3])"
_WORD_HOUR = r"(?P<wh>" + "|".join(WORD_NUMBERS) + r")"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL = r"(?:st|nd|rd|th)"
# What may follow a bare "at 2": anything else ("at 8 Main Street") is not a time.
_AFTER_BARE_HOUR = (
    r"(?=\s*$|\s+(?:in|on|this|tomorrow|today|tonight|next|and|or|for|please|if|ish"
    r"|morning|afternoon|evening|night|" + "|".join(WEEKDAYS) + r")\b)"
)

_TIME_PATTERNS = [
    # "half past three", "quarter past 4", "quarter to five"
    re.compile(r"\b(?P<rel>half past|quarter past|quarter to)\s+(?:(?P<h>1[0-2]|0?[1-9])|" + _WORD_HOUR + r")\b"),
    # "3pm", "3.30pm", "10:15 am"
    re.compile(r"\b" + _HOUR + r"(?:[:.](?P<m>[0-5]\d))?\s*(?P<ap>am|pm)\b"),
    # "three pm", "three thirty pm", "three o'clock"
    re.compile(
        r"\b" + _WORD_HOUR + r"(?:\s+(?P<wm>fifteen|thirty|forty[ -]five))?\s*(?P<ap>am|pm|oclock)\b"
    ),
    # "14:30", "at 3.30"
    re.compile(r"\b" + _HOUR + r":(?P<m>[0-5]\d)\b"),
    re.compile(r"\bat\s+" + _HOUR + r"\.(?P<m>[0-5]\d)\b"),
    # "2 o'clock", "at 2", "at three thirty"
    re.compile(r"\b" + _HOUR + r"\s*oclock\b"),
    re.compile(r"\b(?:at|around|about)\s+" + _HOUR + _AFTER_BARE_HOUR),
    re.compile(
        r"\b(?:at|around|about)\s+" + _WORD_HOUR + r"(?:\s+(?P<wm>fifteen|thirty|forty[ -]five))?"
        + _AFTER_BARE_HOUR
    ),
    # "9 in the evening", "8 tonight"
    re.compile(r"\b" + _HOUR + r"(?=\s+(?:in the (?:morning|afternoon|evening)|at night|tonight)\b)"),
    re.compile(r"\b(?P<noon>noon|midday|midnight)\b"),
]
_DURATION = re.compile(r"\b\d+(?:\.\d+)?\s*-?\s*(?:minutes?|mins?|hours?|hrs?|h)\b")
_RELATIVE_TIME = re.compile(r"\bin\s+(?:an?|\d+|" + "|".join(WORD_NUMBERS) + r")\s+(?:hours?|minutes?)\b")
_RELATIVE_DAYS = re.compile(r"\bin\s+(?:a|\d+|" + "|".join(WORD_NUMBERS) + r")\s+(?:days?|weeks?)\b")
_CALENDAR_DATE = re.compile(
    r"\b(?:" + _MONTH + r"\.?\s+\d{1,2}" + _ORDINAL + r"?(?:,?\s+\d{4})?"
    r"|\d{1,2}" + _ORDINAL + r"?\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+\d{4})?"
    r"|\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?)\b"
)
_DAY_OF_MONTH = re.compile(r"\bthe\s+(?P<d>[12]?\d|3[01])" + _ORDINAL + r"\b")
_WEEKDAY = re.compile(r"\b(?:(?P<mod>this|next|coming)\s+)?(?P<wd>" + "|".join(WEEKDAYS) + r")\b")
_WEEK = re.compile(r"\b(?P<mod>this|next)\s+(?P<span>weekend|week)\b|\b(?P<bare>weekend)\b")
_PART = re.compile(r"\b(?P<part>" + "|".join(PART_WORDS) + r")\b")


class ImpossibleDate(ValueError):
    """The text names a calendar date that does not exist ("February 30")."""


@dataclass(frozen=True)
class When:
    """What a text says about when: a day (or run of days), a clock time, a part of day."""

    day: date | None = None
    days: int = 1
    clock: time | None = None
    part: str | None = None
    # Days to move on when the result is in the past and the day was only implied
    # (1 for "at 4pm" said after 4pm, 7 for "Saturday" said on Saturday evening).
    roll: int = 0
    day_given: bool = True


def normalise(text: str) -> str:
    """Lower-case plain text with the spellings the patterns expect."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"\b([ap])\.\s?m\b\.?", r"\1m", text)
    text = re.sub(r"o['’]?\s?clock", "oclock", text)
    text = re.sub(r"\btmrw?\b|\btomorow\b|\btommorow\b", "tomorrow", text)
    text = re.sub(r"[^a-z0-9:./\- ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def understand(text: str) -> When | None:
    """Read a day, a clock time and a part of day out of free text (None if it names none)."""
    if not text or len(text) > MAX_TEXT:
        return None
    now = clock.now()
    text = normalise(text)

    exact = _relative_time(text, now)
    if exact is not None:
        return When(day=exact.date(), clock=exact.time().replace(second=0, microsecond=0))

    text = _DURATION.sub(" ", text)
    part_match = _PART.search(text)
    part = PART_WORDS[part_match["part"]] if part_match else None
    clock_time, text = _clock_time(text, part)
    try:
        day, days, roll = _day(text, now)
    except ImpossibleDate:
        return None
    if day is None and part_match and part_match["part"] == "tonight":
        day = now.date()
    if day is None and clock_time is None and part is None:
        return None
    if day is None:
        return When(day=now.date(), clock=clock_time, part=part, roll=1, day_given=False)
    return When(day=day, days=days, clock=clock_time, part=part, roll=roll)


def parse_datetime(text: str, default_day: date | None = None) -> datetime | None:
    """An exact start time ("Saturday at 2", "tomorrow at 7pm") as an aware LA datetime.

    `default_day` is the day kept when the text names only a time ("change it to 4pm").
    None when the text gives no clock time.
    """
    when = understand(text)
    if when is None or when.clock is None:
        return None
    if default_day is not None and not when.day_given:
        return datetime.combine(default_day, when.clock, tzinfo=clock.LA)
    moment = datetime.combine(when.day, when.clock, tzinfo=clock.LA)
    if when.roll and moment <= clock.now():
        moment += timedelta(days=when.roll)
    return moment


def parse_window(text: str) -> tuple[datetime, datetime] | None:
    """The range of start times a text allows, as aware LA datetimes (start, end).

    "tomorrow evening" -> tomorrow 17:00-21:00; "Friday" -> all of Friday;
    "this weekend" -> Saturday 00:00 to Monday 00:00; an exact time ("next Tuesday at
    10") gives start == end. A window that has begun starts now; one wholly in the
    past is returned as it is, so the caller can say it has passed. None if the text
    names no day or time.
    """
    when = understand(text)
    if when is None:
        return None
    if when.clock is not None:
        moment = parse_datetime(text)
        return moment, moment
    start, end = _window_on(when.day, when)
    if when.roll and end <= clock.now():
        start, end = _window_on(when.day + timedelta(days=when.roll), when)
    now = clock.now()
    if start < now < end:
        start = now.replace(second=0, microsecond=0)
    return start, end


def describe(moment: datetime) -> str:
    """How a time is read back to the user: 'Saturday, December 5 at 2:00 PM'."""
    local = moment.astimezone(clock.LA)
    hour = local.strftime("%I:%M %p").lstrip("0")
    return f"{local:%A}, {local:%B} {local.day} at {hour}"


def describe_day(day: date) -> str:
    """'Saturday, December 5'."""
    return f"{day:%A}, {day:%B} {day.day}"


def _window_on(day: date, when: When) -> tuple[datetime, datetime]:
    if when.part is not None:
        first, last = DAY_PARTS[when.part]
        return (
            datetime.combine(day, first, tzinfo=clock.LA),
            datetime.combine(day + timedelta(days=when.days - 1), last, tzinfo=clock.LA),
        )
    return (
        datetime.combine(day, time(0), tzinfo=clock.LA),
        datetime.combine(day + timedelta(days=when.days), time(0), tzinfo=clock.LA),
    )


def _relative_time(text: str, now: datetime) -> datetime | None:
    match = _RELATIVE_TIME.search(text)
    if not match:
        return None
    parsed = dateparser.parse(
        match.group(0), languages=["en"], settings={"RELATIVE_BASE": now.replace(tzinfo=None)}
    )
    return parsed.replace(tzinfo=clock.LA) if parsed else None


def _clock_time(text: str, part: str | None) -> tuple[time | None, str]:
    """The first clock time in the text, and the text without it."""
    for pattern in _TIME_PATTERNS:
        match = pattern.search(text)
        if match:
            found = _time_from(match.groupdict(), part)
            if found is not None:
                return found, text[: match.start()] + " " + text[match.end() :]
    return None, text


def _time_from(groups: dict, part: str | None) -> time | None:
    if groups.get("noon"):
        return time(0) if groups["noon"] == "midnight" else time(12)
    hour = int(groups["h"]) if groups.get("h") else WORD_NUMBERS[groups["wh"]]
    minute = int(groups["m"]) if groups.get("m") else 0
    if groups.get("wm"):
        minute = MINUTE_WORDS[groups["wm"]]
    relation = groups.get("rel")
    if relation == "half past":
        minute = 30
    elif relation == "quarter past":
        minute = 15
    elif relation == "quarter to":
        hour, minute = hour - 1 or 12, 45
    meridiem = groups.get("ap")
    if hour > 12:
        return time(hour, minute) if meridiem in (None, "oclock") else None
    if meridiem == "am":
        hour = 0 if hour == 12 else hour
    elif meridiem == "pm" or part in ("afternoon", "evening"):
        hour = hour if hour == 12 else hour + 12
    elif part != "morning" and 1 <= hour <= 7:
        # Nobody books a massage at 3 a.m.: a bare "3" is in the afternoon.
        hour += 12
    return time(hour, minute)


def _day(text: str, now: datetime) -> tuple[date | None, int, int]:
    """(day, number of days covered, days to roll on if past) named in the text."""
    today = now.date()
    if re.search(r"\bday after tomorrow\b", text):
        return today + timedelta(days=2), 1, 0
    if re.search(r"\btomorrow\b", text):
        return today + timedelta(days=1), 1, 0
    if re.search(r"\byesterday\b", text):
        return today - timedelta(days=1), 1, 0
    if re.search(r"\btoday\b|\bthis (?:morning|afternoon|evening)\b", text):
        return today, 1, 0

    match = _CALENDAR_DATE.search(text) or _RELATIVE_DAYS.search(text)
    if match:
        parsed = dateparser.parse(
            match.group(0),
            languages=["en"],
            settings={
                "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": now.replace(tzinfo=None),
                "DATE_ORDER": "MDY",
            },
        )
        if parsed is None:
            raise ImpossibleDate(match.group(0))
        return parsed.date(), 1, 0

    match = _DAY_OF_MONTH.search(text)
    if match:
        return _day_of_month(int(match["d"]), today), 1, 0

    match = _WEEK.search(text)
    if match:
        return _week(match, today)

    match = _WEEKDAY.search(text)
    if match:
        ahead = (WEEKDAYS[match["wd"]] - today.weekday()) % 7
        if ahead == 0 and match["mod"] == "next":
            return today + timedelta(days=7), 1, 0
        return today + timedelta(days=ahead), 1, 7 if ahead == 0 else 0
    return None, 1, 0


def _day_of_month(day_number: int, today: date) -> date | None:
    """'the 5th': this month's if still ahead, else next month's."""
    year, month = today.year, today.month
    for _ in range(3):
        try:
            candidate = date(year, month, day_number)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _week(match: re.Match, today: date) -> tuple[date, int, int]:
    span = match["span"] or match["bare"]
    if span == "weekend":
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:  # on a Sunday "this weekend" is today
            saturday = today - timedelta(days=1)
        if match["mod"] == "next":
            saturday += timedelta(days=7)
        return max(saturday, today), (saturday + timedelta(days=2) - max(saturday, today)).days, 0
    monday = today - timedelta(days=today.weekday())
    if match["mod"] == "next":
        return monday + timedelta(days=7), 7, 0
    return today, (monday + timedelta(days=7) - today).days, 0
