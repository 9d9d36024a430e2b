"""Messenger channel: Rasa's, with a configurable Graph API host, signatures enforced, async sends.

credentials.yml:

    channels.facebook.FacebookInput:
      verify: ${FACEBOOK_VERIFY_TOKEN}                # the "Verify token" typed into Meta's webhook form
      secret: ${FACEBOOK_APP_SECRET}                  # App settings > Basic > App secret
      page-access-token: ${FACEBOOK_PAGE_ACCESS_TOKEN}
      api_base: https://graph.facebook.com            # optional
"""

import asyncio
import functools
import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Iterable, Iterator, List, Mapping, Tuple

from fbmessenger import MessengerClient
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
from rasa.core.channels.facebook import Messenger as RasaMessenger
from rasa.core.channels.facebook import MessengerBot as RasaMessengerBot
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.formatting import dig, json_object, platform_id, read_text, send_failure_reply, shorten, split_text
from channels.native_recipients import NativeRecipient
from massage.conversation_ids import namespaced

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://graph.facebook.com"
# Messenger platform limits.
MAX_TEXT = 2000
MAX_TEMPLATE_TEXT = 640
MAX_QUICK_REPLIES = 13
MAX_TEMPLATE_BUTTONS = 3
MAX_TITLE = 20
SEND_TIMEOUT_SECONDS = 10
# Newest first: Meta signs with both, SHA-1 only for old integrations.
SIGNATURE_HEADERS = (("X-Hub-Signature-256", "sha256"), ("X-Hub-Signature", "sha1"))


def valid_signature(app_secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether the body carries Meta's HMAC signature made with the app secret."""
    for header, algorithm in SIGNATURE_HEADERS:
        signature = headers.get(header)
        if signature:
            digest = hmac.new(app_secret.encode("utf-8"), body, getattr(hashlib, algorithm)).hexdigest()
            return hmac.compare_digest(signature, f"{algorithm}={digest}")
    return False


class MessengerBot(NativeRecipient, RasaMessengerBot):
    """Sends replies through the Send API without blocking the event loop.

    The fbmessenger client is synchronous (requests), so each call runs in a worker
    thread; calls are awaited one by one, which keeps the user's messages in order.
    """

    async def _call(self, method: Callable[..., Dict[str, Any]], *args: Any) -> None:
        call = functools.partial(method, *args, timeout=SEND_TIMEOUT_SECONDS)
        result = await asyncio.get_running_loop().run_in_executor(None, call)
        if isinstance(result, dict) and "error" in result:
            logger.error("Messenger Send API error: %s", result["error"].get("message"))

    async def _send(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await self._call(self.messenger_client.send, message, recipient_id, "RESPONSE")

    async def send_action(self, recipient_id: str, sender_action: str) -> None:
        await self._call(self.messenger_client.send_action, sender_action, recipient_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for chunk in split_text(text, MAX_TEXT):
            await self._send(recipient_id, {"text": chunk})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(recipient_id, {"attachment": {"type": "image", "payload": {"url": image}}})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Choices become quick replies; links need a button template, 3 buttons each."""
        if any(button.get("url") for button in buttons):
            await self._send_button_templates(recipient_id, text, buttons)
        else:
            await self.send_quick_replies(recipient_id, text, buttons)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        if len(quick_replies) > MAX_QUICK_REPLIES:
            logger.warning("Messenger shows at most %d quick replies; dropping the rest.", MAX_QUICK_REPLIES)
        *leading, last = split_text(text, MAX_TEXT) or [""]
        for chunk in leading:
            await self._send(recipient_id, {"text": chunk})
        replies = [
            {"content_type": "text", "title": shorten(reply["title"], MAX_TITLE), "payload": reply["payload"]}
            for reply in quick_replies[:MAX_QUICK_REPLIES]
        ]
        await self._send(recipient_id, {"text": last, "quick_replies": replies})

    async def _send_button_templates(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]]
    ) -> None:
        *leading, last = split_text(text, MAX_TEMPLATE_TEXT) or [""]
        for chunk in leading:
            await self._send(recipient_id, {"text": chunk})
        for start in range(0, len(buttons), MAX_TEMPLATE_BUTTONS):
            group = [_template_button(button) for button in buttons[start : start + MAX_TEMPLATE_BUTTONS]]
            template = {"template_type": "button", "text": last if start == 0 else "More options:", "buttons": group}
            await self._send(recipient_id, {"attachment": {"type": "template", "payload": template}})

    async def send_elements(self, recipient_id: str, elements: Iterable[Dict[str, Any]], **kwargs: Any) -> None:
        elements = list(elements)
        for element in elements:
            self._add_postback_info(element.get("buttons", []))
        template = {"template_type": "generic", "elements": elements}
        await self._send(recipient_id, {"attachment": {"type": "template", "payload": template}})

    async def send_custom_json(self, recipient_id: str, json_message: Any, **kwargs: Any) -> None:
        await self._send(recipient_id, json_message)


def _template_button(button: Dict[str, Any]) -> Dict[str, Any]:
    title = shorten(button["title"], MAX_TITLE)
    if button.get("url"):
        return {"type": "web_url", "title": title, "url": button["url"]}
    return {"type": "postback", "title": title, "payload": button["payload"]}


class Messenger(RasaMessenger):
    """Handles every event of a webhook call (Meta batches them) and replies asynchronously."""

    def __init__(self, bot: MessengerBot, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        # Rasa's constructor builds a new blocking client per request; reuse the channel's bot.
        self.bot = bot
        self.on_new_message = on_new_message
        self.last_message: Dict[str, Any] = {}

    async def handle(self, payload: Dict, metadata: Dict[str, Any] | None) -> None:
        """Answers each message and postback; events without a usable sender id are skipped.

        Events are read defensively: a signed call can still carry any JSON, and one odd
        event must neither fail the call (Meta would re-deliver it) nor stop the others.
        """
        for event in _events(payload):
            sender_id = platform_id(dig(event, "sender", "id"))
            incoming = self._read(event)
            if sender_id is None or incoming is None:
                continue
            text, note = incoming
            if text:
                await self._handle_user_message(text, sender_id, metadata, event_id(event))
            else:
                await self.bot.send_text_message(sender_id, note)

    @staticmethod
    def _read(event: Dict[str, Any]) -> Tuple[str, str] | None:
        """(text, note) of a message or postback (see read_text); None for echoes, receipts and such.

        A quick-reply tap or postback sends its payload, typed text its text; attachments get
        a short note (Rasa's version would pass an attachment's URL to NLU as if typed).
        """
        message, postback = event.get("message"), event.get("postback")
        if message:
            if dig(message, "is_echo"):
                return None
            payload = dig(message, "quick_reply", "payload")
            return read_text(payload if isinstance(payload, str) else dig(message, "text"))
        if postback:
            return read_text(dig(postback, "payload"))
        return None

    async def _handle_user_message(
        self, text: str, sender_id: str, metadata: Dict[str, Any] | None, message_id: str | None
    ) -> None:
        await self.bot.send_action(sender_id, "mark_seen")
        await self.bot.send_action(sender_id, "typing_on")
        try:
            await self.on_new_message(
                UserMessage(
                    text, self.bot, namespaced("facebook", sender_id), input_channel=self.name(),
                    message_id=message_id, metadata=metadata,
                )
            )
        except Exception:
            logger.exception("Failed to handle a Messenger message.")
            await send_failure_reply(self.bot, sender_id)
        finally:
            await self.bot.send_action(sender_id, "typing_off")


def event_id(event: Dict[str, Any]) -> str | None:
    """The message's `mid` (postbacks carry one too), the same when Meta delivers the event again:
    one turn (channels.exactly_once)."""
    mid = dig(event, "message", "mid") or dig(event, "postback", "mid")
    return mid if isinstance(mid, str) and mid else None


def _events(payload: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
    """The messaging events of a webhook call (Meta batches them under its page entries)."""
    entries = payload.get("entry")
    for entry in entries if isinstance(entries, list) else []:
        events = dig(entry, "messaging")
        if isinstance(events, list):
            yield from (event for event in events if isinstance(event, dict))


class FacebookInput(RasaFacebookInput):
    """Receives Messenger events on /webhooks/facebook/webhook, only when signed with the app secret."""

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        missing = [key for key in ("verify", "secret", "page-access-token") if not credentials.get(key)]
        if missing:
            raise RasaException(f"Messenger needs {', '.join(missing)}: without them requests cannot be verified.")
        return cls(
            credentials["verify"],
            credentials["secret"],
            credentials["page-access-token"],
            credentials.get("api_base") or DEFAULT_API_BASE,
        )

    def __init__(self, fb_verify: str, fb_secret: str, fb_access_token: str, api_base: str) -> None:
        super().__init__(fb_verify, fb_secret, fb_access_token)
        client = MessengerClient(fb_access_token, app_secret=fb_secret)
        client.graph_url = f"{api_base.rstrip('/')}/v{client.api_version}"
        self.bot = MessengerBot(client)

    def get_output_channel(self) -> MessengerBot:
        return self.bot

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        fb_webhook = Blueprint("fb_webhook", __name__)

        @fb_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @fb_webhook.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            """Meta's one-off subscription check: echo the challenge if the verify token matches."""
            token = request.args.get("hub.verify_token") or ""
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(token, self.fb_verify):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("Messenger webhook verification with a wrong verify token; rejected.")
            return response.text("forbidden", status=403)

        @fb_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not valid_signature(self.fb_secret, request.body, request.headers):
                logger.warning("Messenger event without a valid app-secret signature; rejected.")
                return response.text("forbidden", status=403)
            payload = json_object(request.body)
            if payload is None:
                return response.text("expected a Messenger event (a JSON object)", status=400)
            await Messenger(self.bot, on_new_message).handle(payload, self.get_metadata(request))
            return response.text("success")

        return fb_webhook
