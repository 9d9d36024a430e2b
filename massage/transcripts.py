"""Conversations as the care team reads them, from the tracker store's `events` table.

Read straight from the rows every Rasa replica writes (SQLite with `make run`, PostgreSQL in
production), so the console sees a visitor's message whichever replica took it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import bindparam, inspect, text

from massage.db import engine_for

# How far back a conversation is shown when it is first opened.
MAX_LINES = 300
_SHOWN_EVENTS = ("user", "bot", "pause", "resume")
_NOTES = {
    "pause": "The assistant is paused: a person from the team is answering.",
    "resume": "The assistant is answering again.",
}


@dataclass(frozen=True)
class Line:
    id: int  # the event row's id: lines after it are the news
    at: datetime
    speaker: str  # visitor | assistant | staff | note
    text: str
    staff: str | None = None  # who on the team wrote it


def _line(row_id: int, type_name: str, timestamp: float, data: str) -> Line | None:
    at = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    if type_name in _NOTES:
        return Line(row_id, at, "note", _NOTES[type_name])
    event = json.loads(data)
    words = event.get("text") or ""
    if type_name == "user":
        return Line(row_id, at, "visitor", words)
    if not words:  # a bot event with only buttons or an image
        return None
    staff = (event.get("metadata") or {}).get("staff")
    return Line(row_id, at, "staff" if staff else "assistant", words, staff)


def conversation(tracker_url: str, conversation_id: str, after_id: int = 0) -> list[Line]:
    """What was said in a conversation after the row `after_id` (the last MAX_LINES of it)."""
    engine = engine_for(tracker_url)
    if not inspect(engine).has_table("events"):
        return []
    query = text(
        "SELECT id, type_name, timestamp, data FROM events"
        " WHERE sender_id = :conversation AND id > :after AND type_name IN :shown"
        " ORDER BY id DESC LIMIT :limit"
    ).bindparams(bindparam("shown", expanding=True))
    with engine.connect() as connection:
        rows = connection.execute(
            query, {"conversation": conversation_id, "after": after_id, "shown": _SHOWN_EVENTS, "limit": MAX_LINES}
        ).all()
    lines = (_line(*row) for row in reversed(rows))
    return [line for line in lines if line is not None]
