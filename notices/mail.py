"""Notices as emails: plain text and HTML, with the calendar invitation, sent over SMTP.

The Message-ID is made from the notice's idempotency key, so a notice sent twice (the worker
died after the server took it and before it was marked sent) arrives as the same message
twice, which mail servers and inboxes can recognise as one.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from notices import content, invite
from notices.settings import Settings

SMTP_TIMEOUT_SECONDS = 15


def message_id(key: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{invite.UID_DOMAIN}>"


def build(key: str, payload: dict, audience: str, recipient: str, sender: str, now: datetime) -> EmailMessage:
    rendered = content.render(payload, audience)
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(key)
    message.set_content(rendered.text)
    message.add_alternative(f"<!doctype html><html><body>{rendered.html}</body></html>", subtype="html")
    ics, method = invite.build(payload, audience, organizer=sender, attendee=recipient, stamp=now)
    message.add_attachment(
        ics, maintype="text", subtype="calendar", filename="invite.ics", params={"method": method}
    )
    return message


class Mailer:
    """One SMTP connection, opened when first needed and reused while it works."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_tls == "ssl":
            smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
            if s.smtp_tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password or "")
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None
