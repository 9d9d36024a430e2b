"""Booking policy: cancellation window and fee, and how to prepare for a home visit."""

from __future__ import annotations

from datetime import datetime, timedelta

from massage import clock
from massage.pricing import format_price

FREE_CHANGE_WINDOW = timedelta(hours=24)
LATE_FEE_PERCENT = 50

CANCELLATION_POLICY = (
    "You can cancel or reschedule free of charge up to 24 hours before the appointment. "
    f"Later than that, a fee of {LATE_FEE_PERCENT}% of the session price applies."
)
PREPARATION = (
    "a clear space of about 7 by 9 feet for the massage table (the therapist brings the table, "
    "sheets and oils)",
    "a comfortably warm room, with pets settled in another room",
    "parking or building access details, so the therapist arrives on time",
    "any doctor's prescription or notes, if you have them",
    "a light meal at most in the hour before, and water to drink afterwards",
)


def change_fee_cents(starts_at: datetime, price_cents: int, at: datetime | None = None) -> int:
    """The fee for cancelling or moving a booking now: none until 24 hours before."""
    at = at or clock.now()
    if starts_at - at >= FREE_CHANGE_WINDOW:
        return 0
    return price_cents * LATE_FEE_PERCENT // 100


def free_change_deadline(starts_at: datetime) -> datetime:
    """The last moment a booking can be cancelled or moved without a fee."""
    return starts_at - FREE_CHANGE_WINDOW


def fee_statement(starts_at: datetime, price_cents: int, at: datetime | None = None) -> str:
    """What changing this booking now costs, in a sentence."""
    fee = change_fee_cents(starts_at, price_cents, at)
    if fee == 0:
        return "There's no fee, because it's more than 24 hours before the appointment."
    return (
        f"Because it's less than 24 hours before the appointment, a late-change fee of "
        f"{format_price(fee)} ({LATE_FEE_PERCENT}% of {format_price(price_cents)}) applies."
    )


def preparation_text() -> str:
    return "To get ready, please have:\n" + "\n".join(f"- {item}" for item in PREPARATION)
