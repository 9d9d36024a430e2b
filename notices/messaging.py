"""Chat messages and texts through the platforms' HTTP APIs: Telegram's Bot API, Messenger's
Send API, and Twilio's Messages API (WhatsApp and SMS). Base URLs are settings, so tests point
them at local fakes."""

from __future__ import annotations

import json

import requests

from notices.settings import Settings

HTTP_TIMEOUT_SECONDS = 10
GRAPH_API_VERSION = "v19.0"
# Twilio's error codes that retrying cannot fix.
TWILIO_OPTED_OUT = 21610  # the number texted STOP: carriers forbid texting it again
TWILIO_OUTSIDE_WINDOW = 63016  # WhatsApp: free-form text more than 24 h after the client last wrote


class SendFailed(Exception):
    """The platform did not take the message. `str()` names the cause without personal data;
    `permanent` when retrying cannot help (not configured, or the number opted out)."""

    def __init__(self, reason: str, permanent: bool = False, code: int | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.code = code


class NotConfigured(SendFailed):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} is not configured", permanent=True)


def post(url: str, **kwargs) -> requests.Response:
    """POST with a timeout; SendFailed on a network error, a server error or rate limiting."""
    try:
        response = requests.post(url, timeout=HTTP_TIMEOUT_SECONDS, **kwargs)
    except requests.RequestException as error:
        raise SendFailed(type(error).__name__) from None
    if response.status_code >= 500 or response.status_code == 429:
        raise SendFailed(f"HTTP {response.status_code}")
    return response


def send_telegram(settings: Settings, chat_id: str, text: str) -> None:
    if not settings.telegram_token:
        raise NotConfigured("Telegram (TELEGRAM_ACCESS_TOKEN)")
    url = f"{settings.telegram_api_base.rstrip('/')}/bot{settings.telegram_token}/sendMessage"
    response = post(url, data={"chat_id": chat_id, "text": text})
    if response.status_code >= 400:
        raise SendFailed(f"Telegram HTTP {response.status_code}")


def send_messenger(settings: Settings, psid: str, text: str) -> None:
    """A Messenger message outside the 24-hour window needs a tag: this is an update about a
    visit the client booked (CONFIRMED_EVENT_UPDATE)."""
    if not settings.facebook_token:
        raise NotConfigured("Messenger (FACEBOOK_PAGE_ACCESS_TOKEN)")
    url = f"{settings.facebook_api_base.rstrip('/')}/{GRAPH_API_VERSION}/me/messages"
    body = {
        "recipient": {"id": psid},
        "message": {"text": text},
        "messaging_type": "MESSAGE_TAG",
        "tag": "CONFIRMED_EVENT_UPDATE",
    }
    response = post(url, params={"access_token": settings.facebook_token}, json=body)
    if response.status_code >= 400:
        raise SendFailed(f"Messenger HTTP {response.status_code}")


def send_twilio(settings: Settings, to: str, sender: str | None, text: str | None = None,
                template: str | None = None, variables: dict | None = None) -> None:
    """A WhatsApp message or an SMS: free text, or an approved template (a Content SID) with its variables."""
    if not settings.twilio_configured or not sender:
        raise NotConfigured("Twilio (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and the sending number)")
    form = {"To": to}
    form.update({"MessagingServiceSid": sender} if sender.startswith("MG") else {"From": sender})
    if template:
        form.update({"ContentSid": template, "ContentVariables": json.dumps(variables or {})})
    else:
        form["Body"] = text
    url = f"{settings.twilio_api_base.rstrip('/')}/2010-04-01/Accounts/{settings.twilio_account_sid}/Messages.json"
    response = post(url, data=form, auth=(settings.twilio_account_sid, settings.twilio_auth_token))
    if response.status_code >= 400:
        try:
            code = int(response.json().get("code"))
        except (ValueError, TypeError, AttributeError):
            code = None
        reason = f"Twilio error {code} (HTTP {response.status_code})"
        raise SendFailed(reason, permanent=code == TWILIO_OPTED_OUT, code=code)
