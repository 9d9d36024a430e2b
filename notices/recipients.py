"""Who hears of a booking change, and how: the client's email, the channel they booked from,
texts if they agreed to them, and the therapist's own contact way."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from massage import contact, conversation_ids
from massage.models import Booking, Therapist

logger = logging.getLogger(__name__)

# Channels whose conversations we can write to first, by the id the conversation has.
MESSAGING_APPS = ("telegram", "facebook", "whatsapp")
# The ways a therapist can be told: "email:<address>", "sms:<number>", "telegram:<chat id>".
THERAPIST_CHANNELS = ("email", "sms", "telegram")


@dataclass(frozen=True)
class Address:
    channel: str  # email, sms, telegram, facebook, whatsapp
    recipient: str  # an email address, a phone number, a chat id, a page-scoped id, whatsapp:+1...


def client_channel(booking: Booking) -> Address | None:
    """The client's chat, when it is one we can write to; else SMS to a web-chat client who
    agreed to texts; else None (an un-namespaced id is an unknown channel: email only)."""
    try:
        channel, native_id = conversation_ids.split(booking.conversation_id or "")
    except ValueError:
        return None
    if channel == "whatsapp":
        # Twilio addresses WhatsApp users as whatsapp:+1...; the conversation id carries that.
        return Address(channel, native_id if native_id.startswith("whatsapp:") else f"whatsapp:{native_id}")
    if channel in MESSAGING_APPS:
        return Address(channel, native_id)
    if channel == "web" and booking.sms_consent:
        return Address("sms", booking.phone)
    return None


def client_addresses(booking: Booking) -> list[Address]:
    """Where a confirmation, a reschedule or a cancellation goes: email, and the client's channel."""
    chat = client_channel(booking)
    return [Address("email", booking.email)] + ([chat] if chat else [])


def proven_phone(booking: Booking) -> str | None:
    """The booked phone number when the client's chat is that number's (WhatsApp from the booked
    number): someone replying there has shown they hold it, so no second check is asked."""
    chat = client_channel(booking)
    if chat is not None and chat.channel == "whatsapp" and chat.recipient == f"whatsapp:{booking.phone}":
        return booking.phone
    return None


def reminder_address(booking: Booking) -> Address:
    """Reminders go to the client's channel, or by email when there is none."""
    return client_channel(booking) or Address("email", booking.email)


def parse_contact_way(value: str | None) -> Address | None:
    """'email:ana@example.com' -> Address('email', ...); None when empty or not understood."""
    channel, _, recipient = (value or "").partition(":")
    channel, recipient = channel.strip().lower(), recipient.strip()
    if channel == "email":
        recipient = contact.normalise_email(recipient) or ""
    elif channel == "sms":
        recipient = contact.normalise_phone(recipient) or ""
    elif channel == "telegram":
        recipient = recipient if recipient.lstrip("-").isdigit() else ""
    if channel not in THERAPIST_CHANNELS or not recipient:
        return None
    return Address(channel, recipient)


def therapist_address(therapist: Therapist) -> Address | None:
    address = parse_contact_way(therapist.notify_via)
    if address is None:
        # The slug only: a therapist's contact details stay out of the logs too.
        logger.warning("therapist %s has no usable notify_via; they get no notice", therapist.slug)
    return address
