"""The notices worker: `python -m notices.worker` delivers due notices from the outbox.

Each round claims a batch of due notices in one short transaction (PostgreSQL: FOR UPDATE SKIP
LOCKED, so several workers share the work; SQLite: the database write lock), leasing them for
`lease_seconds`, then sends them one by one and marks each sent in its own transaction. A notice
waits while an earlier one of its stream (one booking, one recipient) is still pending, so a
booking's changes arrive in order. A failure is retried with exponential backoff; after
`max_attempts` tries the notice is `failed` and staff see it (`python -m notices.status`).

Delivery is at least once: a worker that dies after the receiver took a message but before
marking it sent leaves it claimed; when the lease runs out another round sends it again, with
the same idempotency key (the email's Message-ID), so the receiver can tell it is the same one.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased

from massage import clock, privacy
from massage.db import session_scope
from massage.models import Notice
from notices.delivery import Courier, Outgoing
from notices.messaging import SendFailed
from notices.settings import Settings, SettingsError, from_environment

logger = logging.getLogger("notices.worker")


def claim(settings: Settings, now: datetime, limit: int | None = None) -> list[Outgoing]:
    """Lease the due notices no earlier notice of their stream is waiting before."""
    now = now.astimezone(timezone.utc)
    earlier = aliased(Notice)
    waiting_before = exists().where(
        earlier.order_key == Notice.order_key, earlier.id < Notice.id, earlier.status == "pending"
    )
    with session_scope() as session:
        rows = session.execute(
            select(Notice)
            .where(
                Notice.status == "pending",
                Notice.due_at <= now,
                or_(Notice.claimed_until.is_(None), Notice.claimed_until <= now),
                ~waiting_before,
            )
            .order_by(Notice.due_at, Notice.id)
            .limit(limit or settings.batch_size)
            .with_for_update(skip_locked=True, of=Notice)
        ).scalars().all()
        for row in rows:
            row.claimed_until = now + timedelta(seconds=settings.lease_seconds)
            row.attempts += 1
        return [
            Outgoing(row.id, row.key, row.event, row.audience, row.channel, row.recipient, dict(row.payload))
            for row in rows
        ]


def mark_sent(notice_id: int, now: datetime) -> None:
    with session_scope() as session:
        session.execute(
            update(Notice)
            .where(Notice.id == notice_id, Notice.status == "pending")
            .values(status="sent", sent_at=now.astimezone(timezone.utc), claimed_until=None, last_error=None)
        )


def retry_delay(settings: Settings, attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... doubling after each failed attempt, at most retry_max_seconds."""
    return timedelta(seconds=min(settings.retry_base_seconds * 2 ** (attempts - 1), settings.retry_max_seconds))


def mark_failed(settings: Settings, notice_id: int, reason: str, permanent: bool, now: datetime) -> str:
    """Schedule the next try, or give up; returns the notice's new status."""
    with session_scope() as session:
        notice = session.get(Notice, notice_id, with_for_update=True)
        if notice is None or notice.status != "pending":
            return notice.status if notice else "gone"
        notice.last_error = reason[:300]
        notice.claimed_until = None
        if permanent or notice.attempts >= settings.max_attempts:
            notice.status = "failed"
        else:
            notice.due_at = now.astimezone(timezone.utc) + retry_delay(settings, notice.attempts)
        return notice.status


def run_once(courier: Courier, now: datetime | None = None) -> int:
    """Deliver what is due now; returns how many notices were tried."""
    settings = courier.settings
    now = now or clock.now()
    batch = claim(settings, now)
    for notice in batch:
        try:
            courier.deliver(notice, now)
        except SendFailed as error:
            status = mark_failed(settings, notice.id, str(error), error.permanent, now)
            logger.warning("notice %s (%s to %s by %s) not sent: %s; now %s",
                           notice.id, notice.event, notice.audience, notice.channel, error, status)
        except Exception as error:  # noqa: BLE001 - one broken notice must not stop the others
            status = mark_failed(settings, notice.id, type(error).__name__, False, now)
            logger.error("notice %s could not be built: %s; now %s", notice.id, type(error).__name__, status)
        else:
            mark_sent(notice.id, now)
            logger.info("notice %s sent (%s to %s by %s)", notice.id, notice.event, notice.audience, notice.channel)
    return len(batch)


def serve(settings: Settings, stop: threading.Event) -> None:
    courier = Courier(settings)
    logger.info("notices worker started: SMTP %s:%s, poll every %ss", settings.smtp_host, settings.smtp_port,
                settings.poll_seconds)
    try:
        while not stop.is_set():
            try:
                busy = run_once(courier)
            except SQLAlchemyError as error:
                logger.error("database unavailable (%s); trying again shortly", type(error).__name__)
                busy = 0
            if not busy:
                stop.wait(settings.poll_seconds)
    finally:
        courier.close()
        logger.info("notices worker stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m notices.worker", description=__doc__.split("\n")[0])
    parser.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    # Every record of this process is masked, as the servers' are (massage.privacy).
    handler = logging.StreamHandler()
    handler.addFilter(privacy.install())
    logging.basicConfig(level=args.log_level.upper(), handlers=[handler],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # urllib3 logs each request line at DEBUG, and the Bot API and Send API carry tokens in the URL.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    try:
        settings = from_environment()
    except SettingsError as error:
        print(f"notices worker: {error}", file=sys.stderr)
        return 2
    if args.once:
        courier = Courier(settings)
        try:
            run_once(courier)
        finally:
            courier.close()
        return 0
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    serve(settings, stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
