"""Handing a conversation to a person: record the request and say honestly when someone will see it."""

from dataclasses import dataclass
from datetime import datetime
from typing import List

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from massage.business import FACTS, clock_time
from massage.clock import LA, now
from massage.models import HandoffRequest, utcnow

# The care team reads handoff requests during these hours, Los Angeles time, every day.
TEAM_OPENS = clock_time(FACTS["team_hours"]["opens"])
TEAM_CLOSES = clock_time(FACTS["team_hours"]["closes"])


@dataclass(frozen=True)
class HandoffTicket:
    number: int
    team_available_now: bool


def team_available(at: datetime) -> bool:
    local = at.astimezone(LA).time()
    return TEAM_OPENS <= local < TEAM_CLOSES


def request_handoff(session: Session, conversation_id: str, channel: str, reason: str) -> HandoffTicket:
    """Open a handoff request, or return the one this conversation already has open."""
    existing = session.execute(
        select(HandoffRequest).where(
            HandoffRequest.conversation_id == conversation_id, HandoffRequest.status == "open"
        )
    ).scalar_one_or_none()
    request = existing or HandoffRequest(
        conversation_id=conversation_id, channel=channel, reason=reason[:500], status="open"
    )
    session.add(request)
    session.flush()
    return HandoffTicket(number=request.id, team_available_now=team_available(now()))


def open_requests(session: Session) -> List[HandoffRequest]:
    return list(
        session.execute(
            select(HandoffRequest)
            .where(HandoffRequest.status == "open")
            .order_by(HandoffRequest.created_at)
        ).scalars()
    )


def note_callback(session: Session, conversation_id: str, contact: str) -> bool:
    """Keep the number or email left on the conversation's open request; False if none is open."""
    result = session.execute(
        update(HandoffRequest)
        .where(HandoffRequest.conversation_id == conversation_id, HandoffRequest.status == "open")
        .values(callback_contact=contact[:254])
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0


def waiting_and_taken(session: Session) -> List[HandoffRequest]:
    """The console's inbox: requests nobody has taken yet, then those a person is answering."""
    return list(
        session.execute(
            select(HandoffRequest)
            .where(HandoffRequest.status.in_(("open", "taken")))
            .order_by(HandoffRequest.status, HandoffRequest.created_at)
        ).scalars()
    )


def _move(session: Session, request_id: int, from_status: str, **changes) -> bool:
    """One conditional UPDATE: of two staff acting on one request at once, exactly one moves it."""
    result = session.execute(
        update(HandoffRequest)
        .where(HandoffRequest.id == request_id, HandoffRequest.status == from_status)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def take(session: Session, request_id: int, staff_email: str) -> bool:
    """Whether `staff_email` took the request; False if someone else took it first or it is closed."""
    return _move(session, request_id, "open", status="taken", taken_by=staff_email, taken_at=utcnow())


def release(session: Session, request_id: int) -> bool:
    """Give a taken request back to the queue (the visitor could not be told it was taken)."""
    return _move(session, request_id, "taken", status="open", taken_by=None, taken_at=None)


def close(session: Session, request_id: int) -> bool:
    """Whether the request was handed back to the assistant now (False if it already was)."""
    return _move(session, request_id, "taken", status="closed", closed_at=utcnow())


if __name__ == "__main__":
    # `python -m massage.handoff` lists what the care team has to pick up.
    from massage.db import session_scope

    with session_scope() as db:
        for item in open_requests(db):
            print(f"#{item.id}  {item.created_at:%Y-%m-%d %H:%M}  {item.channel:10}  {item.conversation_id}")
