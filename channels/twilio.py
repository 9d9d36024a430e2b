"""WhatsApp (and SMS) through Twilio: Rasa's channel with signatures checked, async sends,
numbered options instead of buttons, and a configurable API host.

credentials.yml:

    channels.twilio.TwilioInput:
      account_sid: ${TWILIO_ACCOUNT_SID}
      auth_token: ${TWILIO_AUTH_TOKEN}
      twilio_number: ${TWILIO_WHATSAPP_NUMBER}   # e.g. whatsapp:+14155238886
      webhook_url: ${TWILIO_WEBHOOK_URL}         # the public URL set in Twilio's console
      api_base: https://api.twilio.com           # optional
"""

import logging
from typing import Any, Awaitable, Callable, Dict, List
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput as RasaTwilioInput
from rasa.core.channels.twilio import TwilioOutput as RasaTwilioOutput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator

from channels.formatting import (
    OfferedOptions,
    numbered_options,
    platform_id,
    read_text,
    send_failure_reply,
    split_text,
)
from channels.native_recipients import NativeRecipient
from massage.conversation_ids import namespaced

logger = logging.getLogger(__name__)
# Twilio's HTTP client logs every request at INFO; keep only its problems.
http_logger = logging.getLogger(f"{__name__}.http")
http_logger.setLevel(logging.WARNING)

DEFAULT_API_BASE = "https://api.twilio.com"
SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_BODY = 1600  # characters in one WhatsApp (or concatenated SMS) message
SEND_TIMEOUT_SECONDS = 10


class TwilioOutput(NativeRecipient, RasaTwilioOutput):
    """Sends messages with Twilio's asynchronous client; buttons become a numbered list."""

    def __init__(
        self, account_sid: str, auth_token: str, twilio_number: str, api_base: str, options: OfferedOptions
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        # Needs a running event loop: the input channel creates this when the server starts.
        self.http_client = AsyncTwilioHttpClient(timeout=SEND_TIMEOUT_SECONDS, logger=http_logger)
        self.api.base_url = api_base.rstrip("/")
        self.options = options

    async def _send_message(self, message_data: Dict[str, Any]) -> Any:
        try:
            return await self.messages.create_async(**message_data)
        except TwilioRestException as error:
            # Only the codes: Twilio's message text can quote the user's phone number.
            logger.error("Twilio refused a message: error %s, HTTP %s.", error.code, error.status)
            return None

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for chunk in split_text(text, MAX_BODY):
            await self._send_message({"to": recipient_id, "from_": self.twilio_number, "body": chunk})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """WhatsApp has no buttons here: list them by number, and remember which is which."""
        choices = [button for button in buttons if button.get("payload")]
        links = [f"{button['title']}: {button['url']}" for button in buttons if button.get("url")]
        parts = [text] + ([numbered_options(choices)] if choices else []) + links
        if choices:
            self.options.offer(recipient_id, choices)
        await self.send_text_message(recipient_id, "\n\n".join(part for part in parts if part))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)


class TwilioInput(RasaTwilioInput):
    """Receives messages on /webhooks/twilio/webhook, only when Twilio's signature matches."""

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        missing = [key for key in ("account_sid", "auth_token", "twilio_number") if not credentials.get(key)]
        if missing:
            raise RasaException(f"Twilio needs {', '.join(missing)}.")
        return cls(
            credentials["account_sid"],
            credentials["auth_token"],
            credentials["twilio_number"],
            credentials.get("webhook_url"),
            credentials.get("api_base") or DEFAULT_API_BASE,
        )

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        twilio_number: str,
        webhook_url: str | None,
        api_base: str,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode=False)
        self.webhook_url = webhook_url
        self.api_base = api_base
        self.validator = RequestValidator(auth_token)
        self.options = OfferedOptions()
        self._output: TwilioOutput | None = None

    def get_output_channel(self) -> TwilioOutput:
        if self._output is None:
            self._output = TwilioOutput(
                self.account_sid, self.auth_token, self.twilio_number, self.api_base, self.options
            )
        return self._output

    def _signed_by_twilio(self, request: Request, form: RequestParameters) -> bool:
        # Twilio signs the URL it called; behind a proxy that is the public `webhook_url`.
        url = self.webhook_url or request.url
        signature = request.headers.get(SIGNATURE_HEADER, "")
        return bool(signature) and self.validator.validate(url, form, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        twilio_webhook = Blueprint("twilio_webhook", __name__)

        @twilio_webhook.listener("before_server_start")
        async def open_client(*_: Any) -> None:
            self.get_output_channel()

        @twilio_webhook.listener("after_server_stop")
        async def close_client(*_: Any) -> None:
            if self._output is not None:
                await self._output.http_client.close()

        @twilio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @twilio_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            # Twilio signs every field, empty ones too (a photo comes with `Body=`), which
            # Sanic's request.form drops.
            form = RequestParameters(parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True))
            if not self._signed_by_twilio(request, form):
                logger.warning("Twilio request without a valid signature; rejected.")
                return response.text("forbidden", status=403)
            sender = platform_id(form.get("From"))
            if sender is None:
                # Not a message from anyone: Twilio's form always names its sender.
                return response.text("expected a Twilio message", status=400)
            body = form.get("Body")
            # An empty Body comes with media or a location; blank text is still read as text.
            # Some carriers turn @ into ¡ in SMS.
            text, note = read_text(body.replace("¡", "@") if body else None)
            output = self.get_output_channel()
            try:
                if text:
                    await on_new_message(
                        UserMessage(
                            self.options.resolve(sender, text),
                            output,
                            namespaced("whatsapp", sender),
                            input_channel=self.name(),
                            # The same when Twilio delivers the message again: one turn (channels.exactly_once).
                            message_id=form.get("MessageSid") or None,
                            metadata=self.get_metadata(request),
                        )
                    )
                else:
                    await output.send_text_message(sender, note)
            except Exception:
                logger.exception("Failed to handle a Twilio message.")
                await send_failure_reply(output, sender)
            return response.text("", status=204)

        return twilio_webhook
