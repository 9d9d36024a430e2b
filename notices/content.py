"""What each notice says, from the booking as it was when it changed (the notice's payload).

Business terms (prices, the cancellation policy, how to prepare) come from the modules that
apply them, read when the notice is sent.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from massage import clock, policy, pricing, when

REPLY_HINT = "Reply C to cancel, or tell us a new time (e.g. \"move it to 5pm\")."
STOP_HINT = "Reply STOP to stop texts."


@dataclass(frozen=True)
class Content:
    subject: str
    text: str
    html: str


def session_name(payload: dict) -> str:
    """'90-minute deep tissue massage', or '60-minute relaxation massage' when no technique was asked."""
    kind = f"{payload['technique']} massage" if payload.get("technique") else pricing.SERVICES[payload["service"]]
    return f"{payload['duration_minutes']}-minute {kind}"


def starts_at(payload: dict) -> datetime:
    """The visit's start in America/Los_Angeles (the payload holds it with a bare UTC offset)."""
    return datetime.fromisoformat(payload["starts_at"]).astimezone(clock.LA)


def render(payload: dict, audience: str) -> Content:
    """The subject, plain text and HTML of a notice to the client or the therapist."""
    lines = _therapist_lines(payload) if audience == "therapist" else _client_lines(payload)
    subject, body = lines[0], lines[1:]
    return Content(
        subject=subject,
        text="\n\n".join(body),
        html="".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in body),
    )


def short_text(payload: dict, audience: str, sms: bool = False) -> str:
    """One chat message (Telegram, Messenger, WhatsApp, SMS)."""
    content = render(payload, audience)
    paragraphs = content.text.split("\n\n")
    # The therapist needs every detail; the client the essentials (the email has the rest).
    parts = [content.subject, *(paragraphs if audience == "therapist" else paragraphs[:1])]
    if sms:
        parts.append(STOP_HINT)  # replies to texts do not reach the assistant: no "reply C"
    elif audience == "client" and payload["event"] != "cancelled":
        parts.append(REPLY_HINT)
    return "\n".join(parts)


def _client_lines(payload: dict) -> list[str]:
    event, reference = payload["event"], payload["reference"]
    moment = when.describe(starts_at(payload))
    visit = (
        f"{payload['therapist_name']} will come to {payload['address']} on {moment} "
        f"for your {session_name(payload)}."
    )
    greeting = f"Hi {payload['client_name'].split()[0]},"
    if event == "created":
        return [
            f"Booked: {session_name(payload)} on {moment} ({reference})",
            f"{greeting} {visit} Your reference is {reference}.",
            f"Price: {pricing.format_price(payload['price_cents'])}.",
            policy.CANCELLATION_POLICY,
            policy.preparation_text(),
            "The attached invitation puts the visit in your calendar.",
        ]
    if event == "rescheduled":
        before = when.describe(datetime.fromisoformat(payload["previous_starts_at"]))
        return [
            f"Moved: your massage is now on {moment} ({reference})",
            f"{greeting} your visit has moved from {before} to {moment}. {visit}",
            policy.CANCELLATION_POLICY,
            "The attached invitation updates the event in your calendar.",
        ]
    if event == "cancelled":
        return [
            f"Cancelled: your massage on {moment} ({reference})",
            f"{greeting} your {session_name(payload)} with {payload['therapist_name']} on {moment} is cancelled.",
            "We hope to see you another time. The attached cancellation removes it from your calendar.",
        ]
    soon = "tomorrow" if event == "reminder_24h" else "in 2 hours"
    return [
        f"Reminder: your massage {soon}, {moment} ({reference})",
        f"{greeting} {visit} Your reference is {reference}.",
        policy.preparation_text(),
    ]


def _therapist_lines(payload: dict) -> list[str]:
    event, reference = payload["event"], payload["reference"]
    moment = when.describe(starts_at(payload))
    headline = {"created": "New visit", "rescheduled": "Moved visit", "cancelled": "Cancelled visit"}[event]
    lines = [f"{headline} {reference}: {moment}"]
    if event == "rescheduled":
        before = when.describe(datetime.fromisoformat(payload["previous_starts_at"]))
        lines.append(f"Now {moment} (was {before}).")
    elif event == "cancelled":
        lines.append(f"The visit on {moment} is cancelled; the time is free again.")
    lines += [
        f"Session: {session_name(payload)}",
        f"Address: {payload['address']}",
        f"Access notes: {payload.get('access_notes') or 'none'}",
    ]
    notes = payload.get("intake_notes") or []
    lines.append("Intake notes: " + (" ".join(notes) if notes else "none"))
    return lines
