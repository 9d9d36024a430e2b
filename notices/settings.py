"""Where notices go out, all from the environment (secrets never live in files).

With nothing set, email goes to the local mail catcher `make run` starts (127.0.0.1:1025) and
the messaging platforms are not configured (their notices fail with a clear reason).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

TLS_MODES = ("none", "starttls", "ssl")


class SettingsError(ValueError):
    """A setting has a value that cannot work; the message names it."""


@dataclass(frozen=True)
class Settings:
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: str = "none"
    sender: str = "Mobile massage bookings <bookings@localhost>"
    telegram_token: str | None = None
    telegram_api_base: str = "https://api.telegram.org"
    facebook_token: str | None = None
    facebook_api_base: str = "https://graph.facebook.com"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_base: str = "https://api.twilio.com"
    twilio_whatsapp_number: str | None = None  # whatsapp:+1...
    twilio_sms_number: str | None = None  # +1..., or a Messaging Service SID (MG...)
    # The Content SID (HX...) of the WhatsApp template approved for reminders (README, Notices).
    whatsapp_reminder_template: str | None = None
    # Rasa's HTTP API, where a reminder leaves the booking's reference in the client's
    # conversation (notices.reply_context); unset, replies to reminders ask for it.
    rasa_url: str | None = None
    rasa_token: str | None = None
    max_attempts: int = 8
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    # How long a claimed notice stays with its worker before another may take it.
    lease_seconds: float = 120.0
    poll_seconds: float = 0.5
    batch_size: int = 20

    @property
    def twilio_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)


def _number(env: Mapping[str, str], name: str, default, kind=float):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be above 0")
    return value


def from_environment(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    defaults = Settings()
    tls = (env.get("SMTP_TLS") or defaults.smtp_tls).lower()
    if tls not in TLS_MODES:
        raise SettingsError(f"SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {tls!r}")
    return Settings(
        smtp_host=env.get("SMTP_HOST") or defaults.smtp_host,
        smtp_port=_number(env, "SMTP_PORT", defaults.smtp_port, int),
        smtp_user=env.get("SMTP_USER") or None,
        smtp_password=env.get("SMTP_PASSWORD") or None,
        smtp_tls=tls,
        sender=env.get("NOTICES_FROM") or defaults.sender,
        telegram_token=env.get("TELEGRAM_ACCESS_TOKEN") or None,
        telegram_api_base=env.get("TELEGRAM_API_BASE") or defaults.telegram_api_base,
        facebook_token=env.get("FACEBOOK_PAGE_ACCESS_TOKEN") or None,
        facebook_api_base=env.get("FACEBOOK_API_BASE") or defaults.facebook_api_base,
        twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
        twilio_api_base=env.get("TWILIO_API_BASE") or defaults.twilio_api_base,
        twilio_whatsapp_number=env.get("TWILIO_WHATSAPP_NUMBER") or None,
        twilio_sms_number=env.get("TWILIO_SMS_NUMBER") or None,
        whatsapp_reminder_template=env.get("WHATSAPP_REMINDER_TEMPLATE") or None,
        rasa_url=env.get("RASA_URL") or None,
        rasa_token=env.get("RASA_TOKEN") or None,
        max_attempts=_number(env, "NOTICES_MAX_ATTEMPTS", defaults.max_attempts, int),
        retry_base_seconds=_number(env, "NOTICES_RETRY_SECONDS", defaults.retry_base_seconds),
        retry_max_seconds=_number(env, "NOTICES_RETRY_MAX_SECONDS", defaults.retry_max_seconds),
        lease_seconds=_number(env, "NOTICES_LEASE_SECONDS", defaults.lease_seconds),
        poll_seconds=_number(env, "NOTICES_POLL_SECONDS", defaults.poll_seconds),
        batch_size=_number(env, "NOTICES_BATCH_SIZE", defaults.batch_size, int),
    )
