"""Gives the conversations kept from before ids were namespaced by channel their channel.

    python -m massage.conversation_id_migration [--tracker-url URL]

Conversation ids became `<channel>:<native id>` (massage.conversation_ids). This renames the
ids already held: the tracker store's events (`events.sender_id`), bookings
(`conversation_id`), handoff requests and unanswered questions. scripts/run.sh and
scripts/run-prod.sh run it before the servers start; it only renames ids not yet namespaced,
so running it again changes nothing.

An old conversation's channel is the one Rasa wrote into its user messages (`input_channel`
in each user event's data). A conversation without a user message holds nothing anyone said,
and counts as REST. Handoff requests and unanswered questions also record their channel; a
booking whose conversation is gone (deleted by retention) is judged by its id's form: a
WhatsApp number (`whatsapp:+1...`), a web chat session (32 hex digits), else REST.
"""

from __future__ import annotations

import argparse
import json
import re

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from massage.conversation_ids import namespaced, split
from massage.db import database_url, engine_for
from massage.retention import default_tracker_url

# Rasa's input channel names -> the conversation namespaces.
RASA_CHANNELS = {
    "rest": "rest", "socketio": "web", "telegram": "telegram", "facebook": "facebook", "twilio": "whatsapp",
}
_WEB_SESSION = re.compile(r"[0-9a-f]{32}")


def already_namespaced(conversation_id: str) -> bool:
    """Whether the id is new-style. Twilio's own ids begin `whatsapp:`, so a namespaced WhatsApp
    conversation is `whatsapp:whatsapp:+1...`."""
    try:
        channel, native_id = split(conversation_id)
    except ValueError:
        return False
    return channel != "whatsapp" or native_id.startswith("whatsapp:")


def channel_by_form(conversation_id: str) -> str:
    if conversation_id.startswith("whatsapp:"):
        return "whatsapp"
    return "web" if _WEB_SESSION.fullmatch(conversation_id) else "rest"


def tracker_renames(connection: Connection) -> dict[str, str]:
    """Old conversation id -> namespaced id, for every old conversation in the tracker store."""
    if not inspect(connection).has_table("events"):
        return {}
    channels: dict[str, str] = {}
    rows = connection.execute(text("SELECT sender_id, type_name, data FROM events ORDER BY id"))
    for sender_id, type_name, data in rows:
        if already_namespaced(sender_id):
            continue
        said_on = json.loads(data).get("input_channel") if type_name == "user" else None
        if channels.get(sender_id) is None:  # the first user message's channel
            channels[sender_id] = RASA_CHANNELS.get(said_on)
    return {old: namespaced(channel or "rest", old) for old, channel in channels.items()}


def _rename(connection: Connection, table: str, renames: dict[str, str]) -> int:
    statement = text(f"UPDATE {table} SET conversation_id = :new WHERE conversation_id = :old")  # noqa: S608
    return sum(connection.execute(statement, {"new": new, "old": old}).rowcount for old, new in renames.items())


def migrate(tracker: Engine, business: Engine) -> dict[str, int]:
    """Renames the old ids in both databases (they may be one); rows renamed per table."""
    with tracker.connect() as connection:
        renames = tracker_renames(connection)
    counts = {}
    with business.begin() as connection:
        held = inspect(connection)
        for table, channel_column in (("bookings", None), ("handoff_requests", "channel"),
                                      ("unanswered_questions", "channel")):
            if not held.has_table(table):
                continue
            column = f", {channel_column}" if channel_column else ""
            rows = connection.execute(text(f"SELECT DISTINCT conversation_id{column} FROM {table}"))  # noqa: S608
            table_renames = {}
            for row in rows:
                old = row[0]
                if old is None or already_namespaced(old):
                    continue
                recorded = RASA_CHANNELS.get(row[1]) if channel_column else None
                table_renames[old] = renames.get(old) or namespaced(recorded or channel_by_form(old), old)
            counts[table] = _rename(connection, table, table_renames)
    with tracker.begin() as connection:
        statement = text("UPDATE events SET sender_id = :new WHERE sender_id = :old")
        counts["events"] = sum(
            connection.execute(statement, {"new": new, "old": old}).rowcount for old, new in renames.items()
        )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracker-url", default=None, help="the tracker store's database (default as retention)")
    args = parser.parse_args()
    counts = migrate(engine_for(args.tracker_url or default_tracker_url()), engine_for(database_url()))
    if any(counts.values()):
        print("namespaced conversation ids: " + ", ".join(f"{n} {table} rows" for table, n in counts.items()))


if __name__ == "__main__":
    main()
