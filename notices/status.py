"""What the notices worker has left to do and what it gave up on: `python -m notices.status`.

Lists how many notices are in each state, then every failed notice and every one overdue by
more than a minute (booking reference, what, to whom by which channel, tries, last error).
`--retry ID` puts a failed notice back in the queue, e.g. after a wrong setting was fixed.
No client contact details are printed: look the booking up by its reference.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta, timezone

from sqlalchemy import func, or_, select

from massage import clock
from massage.db import session_scope
from massage.models import Booking, Notice

OVERDUE = timedelta(minutes=1)


def report() -> str:
    now = clock.now().astimezone(timezone.utc)
    with session_scope() as session:
        counts = dict(session.execute(select(Notice.status, func.count(Notice.id)).group_by(Notice.status)).all())
        rows = session.execute(
            select(Notice, Booking.reference)
            .join(Booking, Booking.id == Notice.booking_id)
            .where(or_(Notice.status == "failed", (Notice.status == "pending") & (Notice.due_at < now - OVERDUE)))
            .order_by(Notice.status, Notice.id)
        ).all()
        lines = ["notices: " + (", ".join(f"{status} {count}" for status, count in sorted(counts.items())) or "none")]
        if rows:
            lines.append(f"{'id':>6}  {'status':8} {'reference':10} {'event':13} {'to':10} {'by':9} tries  last error")
        for notice, reference in rows:
            lines.append(
                f"{notice.id:>6}  {notice.status:8} {reference:10} {notice.event:13} {notice.audience:10} "
                f"{notice.channel:9} {notice.attempts:>5}  {notice.last_error or ''}"
            )
    return "\n".join(lines)


def retry(notice_id: int) -> str:
    with session_scope() as session:
        notice = session.get(Notice, notice_id)
        if notice is None or notice.status != "failed":
            return f"notice {notice_id} is not a failed notice"
        notice.status, notice.attempts, notice.claimed_until = "pending", 0, None
        notice.due_at = clock.now().astimezone(timezone.utc)
        return f"notice {notice_id} is queued again"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m notices.status", description=__doc__.split("\n")[0])
    parser.add_argument("--retry", type=int, metavar="ID", help="queue a failed notice again")
    args = parser.parse_args(argv)
    print(retry(args.retry) if args.retry is not None else report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
