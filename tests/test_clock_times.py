"""A clock time is never taken for a session length; a session length still is."""

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.clock_times import ClockTimeDurationFilter


def duration(text: str, start: int, end: int) -> dict:
    return {"entity": "duration", "start": start, "end": end, "value": text[start:end], "extractor": "DIETClassifier"}


@pytest.mark.parametrize(
    "text, span, kept",
    [
        ("the 12:30 one", (4, 9), False),
        ("10am please", (0, 4), False),
        ("at 2 p.m.", (3, 9), False),
        ("make it 60 minutes", (8, 18), True),
        ("an hour and a half", (0, 18), True),
        ("2 amazing hours", (0, 15), True),
    ],
)
def test_only_clock_times_are_dropped_from_durations(text, span, kept) -> None:
    time = {"entity": "TIME", "start": span[0], "end": span[1], "value": text[slice(*span)], "extractor": "spaCy"}
    message = Message(data={TEXT: text, ENTITIES: [duration(text, *span), time]})
    ClockTimeDurationFilter().process([message])
    assert message.get(ENTITIES) == ([duration(text, *span)] if kept else []) + [time]


@pytest.mark.parametrize("text", ["the 12:30 one", "12:30 works", "ok 10:30am then", "the 1:30 pm slot please"])
async def test_a_picked_time_is_no_duration(agent, text) -> None:
    parsed = await agent.parse_message(text)
    assert "duration" not in [entity["entity"] for entity in parsed["entities"]]


async def test_a_session_length_is_still_a_duration(agent) -> None:
    parsed = await agent.parse_message("book 90 minutes saturday at 12:30")
    assert [entity["value"] for entity in parsed["entities"] if entity["entity"] == "duration"] == ["90 minutes"]
