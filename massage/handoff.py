"""Handing a conversation to a person: record the request and say honestly when someone will see it."""

from dataclasses import dataclass
from datetime import datetime
from typing import List

from sqlalchemy import select
from sqlalchemy.orm import Session

from massage.business import FACTS, clock_time
from massage.clock import LA, now
from massage.models import HandoffRequest

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


if __name__ == "__main__":
    # `python -m massage.handoff` lists what the care team has to pick up.
    from massage.db import session_scope

    with session_scope() as db:
        for item in open_requests(db):
            print(f"#{item.id}  {item.created_at:%Y-%m-%d %H:%M}  {item.channel:10}  {item.conversation_id}")
