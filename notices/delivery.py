"""Sending one notice by its channel."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from massage import when
from notices import content, mail, messaging, reply_context
from notices.messaging import SendFailed
from notices.outbox import REMINDERS
from notices.recipients import MESSAGING_APPS
from notices.settings import Settings

# WhatsApp lets a business write freely only within 24 hours of the client's last message.
WHATSAPP_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Outgoing:
    """A claimed notice, detached from the database session."""

    id: int
    key: str
    event: str
    audience: str
    channel: str
    recipient: str
    payload: dict


class Courier:
    """Delivers notices; keeps the SMTP connection between them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.mailer = mail.Mailer(settings)

    def close(self) -> None:
        self.mailer.close()

    def deliver(self, notice: Outgoing, now: datetime) -> None:
        """Send it; SendFailed when it did not go (its reason holds no personal data)."""
        if notice.channel == "email":
            self._email(notice, now)
            return
        text = content.short_text(notice.payload, notice.audience, sms=notice.channel == "sms")
        s = self.settings
        if notice.event in REMINDERS and notice.channel in MESSAGING_APPS:
            reply_context.remember_booking(s, notice.payload)
        if notice.channel == "telegram":
            messaging.send_telegram(s, notice.recipient, text)
        elif notice.channel == "facebook":
            messaging.send_messenger(s, notice.recipient, text)
        elif notice.channel == "sms":
            messaging.send_twilio(s, notice.recipient, s.twilio_sms_number, text)
        elif notice.channel == "whatsapp":
            self._whatsapp(notice, text, now)
        else:
            raise SendFailed(f"unknown channel {notice.channel}", permanent=True)

    def _email(self, notice: Outgoing, now: datetime) -> None:
        message = mail.build(notice.key, notice.payload, notice.audience, notice.recipient, self.settings.sender, now)
        try:
            self.mailer.send(message)
        except smtplib.SMTPResponseException as error:
            raise SendFailed(f"SMTP {error.smtp_code}") from None
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _ in error.recipients.values()})
            raise SendFailed(f"SMTP recipient refused {codes}") from None
        except (smtplib.SMTPException, OSError) as error:
            raise SendFailed(type(error).__name__) from None

    def _whatsapp(self, notice: Outgoing, text: str, now: datetime) -> None:
        """Within 24 hours of the change made in the client's chat, free text; later, or when
        Twilio says the window has closed, the approved reminder template."""
        s = self.settings
        changed_at = datetime.fromisoformat(notice.payload["changed_at"])
        template = s.whatsapp_reminder_template if notice.event.startswith("reminder") else None
        if template and now - changed_at >= WHATSAPP_WINDOW:
            messaging.send_twilio(s, notice.recipient, s.twilio_whatsapp_number, template=template,
                                  variables=template_variables(notice.payload))
            return
        try:
            messaging.send_twilio(s, notice.recipient, s.twilio_whatsapp_number, text)
        except SendFailed as error:
            if not (template and error.code == messaging.TWILIO_OUTSIDE_WINDOW):
                raise
            messaging.send_twilio(s, notice.recipient, s.twilio_whatsapp_number, template=template,
                                  variables=template_variables(notice.payload))


def template_variables(payload: dict) -> dict:
    """The reminder template's {{1}}..{{3}}: when, with whom, the reference (README, Notices)."""
    return {
        "1": when.describe(content.starts_at(payload)),
        "2": payload["therapist_name"],
        "3": payload["reference"],
    }
