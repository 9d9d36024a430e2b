"""Booking policy: cancellation window and fee, and how to prepare for a home visit."""

from __future__ import annotations

from datetime import datetime, timedelta

from massage import clock
from massage.business import FACTS
from massage.pricing import format_price

FREE_CHANGE_HOURS = FACTS["free_change_hours"]
FREE_CHANGE_WINDOW = timedelta(hours=FREE_CHANGE_HOURS)
LATE_FEE_PERCENT = FACTS["late_change_fee_percent"]

CANCELLATION_POLICY = (
    f"You can cancel or reschedule free of charge up to {FREE_CHANGE_HOURS} hours before the appointment. "
    f"Later than that, a fee of {LATE_FEE_PERCENT}% of the session price applies."
)
PREPARATION = (
    f"a clear space of {FACTS['table_space']} for the massage table (the therapist brings "
    f"{FACTS['therapist_brings']})",
    "a comfortably warm room, with pets settled in another room",
    "parking or building access details, so the therapist arrives on time",
    "any doctor's prescription or notes, if you have them",
    "a light meal at most in the hour before, and water to drink afterwards",
)


def change_fee_cents(starts_at: datetime, price_cents: int, at: datetime | None = None) -> int:
    """The fee for cancelling or moving a booking now: none until FREE_CHANGE_HOURS before."""
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
        return f"There's no fee, because it's more than {FREE_CHANGE_HOURS} hours before the appointment."
    return (
        f"Because it's less than {FREE_CHANGE_HOURS} hours before the appointment, a late-change fee of "
        f"{format_price(fee)} ({LATE_FEE_PERCENT}% of {format_price(price_cents)}) applies."
    )


def preparation_text() -> str:
    return "To get ready, please have:\n" + "\n".join(f"- {item}" for item in PREPARATION)
