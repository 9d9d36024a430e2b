"""A SQL tracker store that reads from the database only what it has not seen yet.

Rasa's `SQLTrackerStore` rebuilds the whole conversation on every message: each event row is
parsed, its class looked up by walking every `Event` subclass, and replayed. A turn then costs
more the longer the conversation runs (the largest part of the growth `make bench` measures).
This store keeps, per conversation, the tracker it last saved and, on the next message, reads
only the rows saved after it: another replica may have added some (the lock store lets one
replica handle a conversation at a time), and they are replayed on top.

Saving writes only the events past the ones the kept tracker has rows for, where Rasa's save
counts the conversation's rows with a query first.

Once a booking is written, the conversation's rows keep placeholders instead of the client's
phone, email, address, access notes and health answers (massage.conversation_scrub); the
booking row holds them.

The rows stay the only truth. A full read happens whenever the kept tracker cannot be trusted:
it changed after it was saved, its last row is gone (the retention command deleted the
conversation), or a conversation session started (Rasa's read keeps only the latest one).

endpoints.yml:
    tracker_store:
      type: channels.tracker_store.IncrementalSQLTrackerStore
      dialect: "sqlite"
      db: ".state/tracker.db"
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from massage.conversation_scrub import scrub, writes_booking


@dataclass
class _Saved:
    tracker: DialogueStateTracker
    event_count: int  # len(tracker.events) when saved: more means it changed unsaved
    last_row_id: int


def _write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
    """SQLite (the embedded default) commits without waiting for the disk on every message: in
    WAL mode with synchronous=NORMAL a crash cannot corrupt the file, only lose the last commits."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class IncrementalSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that keeps the trackers it saved and reads only newer rows."""

    def __init__(self, *args: Any, max_cached_conversations: int = 2000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            # SQLAlchemy 1.4 opens a new SQLite connection per session (NullPool): three a message,
            # each setting its pragmas again. One pooled connection serves them all.
            self.engine = sa.create_engine(
                self.engine.url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", _write_ahead_log)
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        self._saved: OrderedDict[str, _Saved] = OrderedDict()
        # Conversations whose last read found no rows. Their first save writes every event
        # without Rasa's count of the stored ones (a query with a subquery, the slowest part of a
        # conversation's first turn): none can have come since, as one replica at a time holds a
        # conversation's lock from its read to its save.
        self._unstored: OrderedDict[str, None] = OrderedDict()
        self._max_cached = int(max_cached_conversations)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        # Handed out, not copied: the caller adds to it and saves it. A change it never saved
        # shows in the event count, and the next read is a full one.
        saved = self._saved.get(sender_id)
        if saved is None or len(saved.tracker.events) != saved.event_count:
            return await self._read_in_full(sender_id)
        with self.session_scope() as session:
            rows = (
                session.query(self.SQLEvent.id, self.SQLEvent.type_name, self.SQLEvent.data)
                .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.id >= saved.last_row_id)
                .order_by(self.SQLEvent.id)
                .all()
            )
        if not rows or rows[0].id != saved.last_row_id:
            return await self._read_in_full(sender_id)
        newer = rows[1:]
        if any(row.type_name == SessionStarted.type_name for row in newer):
            # Rasa's tracker holds only the latest session: let the full read cut it.
            return await self._read_in_full(sender_id)
        if newer:
            for row in newer:
                saved.tracker.update(Event.from_parameters(json.loads(row.data)))
            saved.event_count, saved.last_row_id = len(saved.tracker.events), newer[-1].id
        return saved.tracker

    async def _read_in_full(self, sender_id: str) -> Optional[DialogueStateTracker]:
        self._saved.pop(sender_id, None)
        self._unstored.pop(sender_id, None)
        tracker = await super().retrieve(sender_id)
        if tracker is None:
            self._unstored[sender_id] = None
            while len(self._unstored) > self._max_cached:
                self._unstored.popitem(last=False)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        saved = self._saved.get(tracker.sender_id)
        # The rows of a tracker this store holds are its first event_count events: Rasa's save
        # would count them with a query.
        known = saved is not None and saved.tracker is tracker
        unstored = tracker.sender_id in self._unstored
        self._unstored.pop(tracker.sender_id, None)
        with self.session_scope() as session:
            if known:
                unsaved = itertools.islice(tracker.events, saved.event_count, None)
            elif unstored:
                unsaved = iter(tracker.events)
            else:
                unsaved = self._additional_events(session, tracker)
            rows = [self._row(tracker.sender_id, event) for event in unsaved]
            last_row_id = saved.last_row_id if known else None
            if rows:
                # Core inserts, not the ORM's unit of work (half the save's time). Only the last
                # row's id is needed: it is inserted on its own to get it back.
                events = self.SQLEvent.__table__
                if len(rows) > 1:
                    session.execute(events.insert(), rows[:-1])
                last_row_id = session.execute(events.insert(), rows[-1]).inserted_primary_key[0]
            session.commit()
        if any(writes_booking(json.loads(row["data"])) for row in rows if row["type_name"] == "slot"):
            self._scrub(tracker.sender_id)
            last_row_id = None  # the kept tracker still holds what the rows no longer do
        if last_row_id is None or not self._as_rasa_reads_it(tracker):
            self._saved.pop(tracker.sender_id, None)
            return
        self._saved[tracker.sender_id] = _Saved(tracker, len(tracker.events), last_row_id)
        self._saved.move_to_end(tracker.sender_id)
        while len(self._saved) > self._max_cached:
            self._saved.popitem(last=False)

    def _scrub(self, sender_id: str) -> None:
        """Replaces the personal details in every row of the conversation by placeholders."""
        events = self.SQLEvent.__table__
        with self.session_scope() as session:
            stored = session.execute(
                sa.select(events.c.id, events.c.data).where(events.c.sender_id == sender_id).order_by(events.c.id)
            ).all()
            before = [json.loads(row.data) for row in stored]
            for row, old, new in zip(stored, before, scrub(before), strict=True):
                if new != old:
                    session.execute(events.update().where(events.c.id == row.id).values(data=json.dumps(new)))
            session.commit()

    def _row(self, sender_id: str, event: Event) -> dict:
        """The row Rasa's `SQLTrackerStore.save` writes for an event."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    @staticmethod
    def _as_rasa_reads_it(tracker: DialogueStateTracker) -> bool:
        """Whether a full read would give these very events.

        Rasa's read keeps the rows stamped at or after the latest SessionStarted; a tracker
        that began or spans a session holds more, and is read afresh next time.
        """
        starts = [event.timestamp for event in tracker.events if isinstance(event, SessionStarted)]
        return not starts or all(event.timestamp >= starts[-1] for event in tracker.events)

