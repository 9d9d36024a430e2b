"""The console's audit log: who did what, and when, including every view of health answers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from massage.models import AuditEntry, utcnow


def record(session: Session, actor: str, action: str, target: str = "") -> None:
    """Note one staff action. `target` names what it was done to (a booking reference, a
    handoff request), never its personal contents."""
    session.add(AuditEntry(at=utcnow(), actor=actor, action=action, target=target[:255]))


def latest(session: Session, limit: int = 500) -> list[AuditEntry]:
    return list(session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).scalars())
