"""The bookings board: visits by day and therapist (Los Angeles time), a visit's details and
intake (each view audited), and cancelling or moving it through massage.bookings, whose rules
(free slots only, the late-change fee) and client notices are the bot's own."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse
from sqlalchemy import select

from console.pages import render
from massage import audit, availability, bookings, policy
from massage.clock import LA, now
from massage.db import session_scope
from massage.intake import QUESTIONS
from massage.models import Booking, Therapist
from massage.pricing import format_price

board = Blueprint("bookings_board")


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else now().date()
    except ValueError:
        return now().date()


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=LA)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=LA)


def _booking(session, reference: str) -> tuple[Booking, Therapist] | None:
    return session.execute(
        select(Booking, Therapist).join(Therapist).where(Booking.reference == reference.upper())
    ).first()


@board.get("/bookings")
async def day_board(request: Request) -> HTTPResponse:
    day = _day(request.args.get("day"))
    start, end = _day_bounds(day)
    by_therapist: dict[str, list[Booking]] = defaultdict(list)
    with session_scope() as db:
        rows = db.execute(
            select(Booking, Therapist.name)
            .join(Therapist)
            .where(Booking.starts_at >= start, Booking.starts_at < end)
            .order_by(Therapist.name, Booking.starts_at)
        ).all()
    for booking, therapist in rows:
        by_therapist[therapist].append(booking)
    return render(
        request, "bookings.html", day=day, by_therapist=by_therapist,
        previous=day - timedelta(days=1), next=day + timedelta(days=1), format_price=format_price,
    )


@board.get("/bookings/<reference:str>")
async def visit(request: Request, reference: str) -> HTTPResponse:
    return _visit_page(request, reference)


def _visit_page(request: Request, reference: str, error: str | None = None, alternatives=()) -> HTTPResponse:
    me = request.ctx.signed_in.staff
    move_day = _day(request.args.get("move_day"))
    with session_scope() as db:
        found = _booking(db, reference)
        if found is None:
            return render(request, "missing.html", status=404, what="booking")
        booking, therapist = found
        starts_at = booking.starts_at.astimezone(LA)
        if not request.args.get("move_day"):
            move_day = starts_at.date()
        day_start, day_end = _day_bounds(move_day)
        free = availability.free_slots(
            db, therapist, day_start, day_end - timedelta(minutes=1), booking.duration_minutes, booking.id
        )
        audit.record(db, me.email, "view_health_answers", booking.reference)
    intake = booking.intake or {}
    answers = [(QUESTIONS.get(key, key), value) for key, value in (intake.get("answers") or {}).items()]
    return render(
        request, "visit.html", status=409 if error else 200,
        booking=booking, therapist=therapist, starts_at=starts_at, answers=answers,
        notes=intake.get("notes") or [], price=format_price(booking.price_cents),
        fee=policy.fee_statement(starts_at, booking.price_cents), free=free, move_day=move_day,
        error=error, alternatives=alternatives,
    )


@board.post("/bookings/<reference:str>/cancel")
async def cancel(request: Request, reference: str) -> HTTPResponse:
    def cancel_it(booking: Booking) -> None:
        bookings.cancel_booking(booking.reference, booking.phone)

    return _change(request, reference, "cancel_booking", "cancelled", cancel_it)


@board.post("/bookings/<reference:str>/move")
async def move(request: Request, reference: str) -> HTTPResponse:
    def reschedule(booking: Booking) -> None:
        bookings.reschedule_booking(booking.reference, booking.phone, _chosen_start(request))

    return _change(request, reference, "move_booking", "moved", reschedule)


def _chosen_start(request: Request) -> datetime:
    try:
        chosen = datetime.fromisoformat(request.form.get("starts_at", ""))
    except ValueError:
        raise bookings.BookingError("Pick one of the free times.") from None
    return chosen if chosen.tzinfo else chosen.replace(tzinfo=LA)


def _change(
    request: Request, reference: str, action: str, notice: str, change: Callable[[Booking], None]
) -> HTTPResponse:
    """Cancel or move a visit with massage.bookings' rules (which tell the client), and audit it."""
    with session_scope() as db:
        found = _booking(db, reference)
    if found is None:
        return render(request, "missing.html", status=404, what="booking")
    booking = found[0]
    try:
        change(booking)
    except bookings.SlotTaken as taken:
        return _visit_page(request, booking.reference, error=f"Not moved: {taken}", alternatives=taken.alternatives)
    except bookings.BookingError as refused:
        return _visit_page(request, booking.reference, error=str(refused))
    with session_scope() as db:
        audit.record(db, request.ctx.signed_in.staff.email, action, booking.reference)
    return response.redirect(f"/bookings/{booking.reference}?notice={notice}", status=303)
