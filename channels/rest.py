"""The REST channel, hardened: malformed requests get a 400 that says why, odd text is cleaned.

Stock Rasa answers an empty or non-JSON body with HTTP 500 and passes 100 kB messages
straight to NLU; this keeps the same URL (/webhooks/rest/webhook) and reply format.
The conversation of `"sender": "abc"` is `rest:abc`, so no REST caller can join another
channel's conversation; in production a caller needs an integration's credential, and every
client address is rate limited (channels.public_access).

A message sent again with the same `message_id` is one turn, and the second reply repeats the
first's answers (channels.exactly_once). Without one, nginx's request id stands in (production:
a POST retried on another replica keeps it), else Rasa makes one up.
"""

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels import rest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import action_deadline, exactly_once
from channels.formatting import EMPTY_TEXT_REPLY, FAILURE_REPLY
from channels.heap import freeze_loaded_objects
from channels.native_recipients import NativeRecipient
from channels.public_access import (
    NEEDS_CREDENTIAL,
    REFUSAL_DELAY_SECONDS,
    SLOW_DOWN_REPLY,
    client_address,
    credential_required,
    integration_of,
    limiter,
)
from components.action_calls import close_kept_sessions, keep_sessions_open
from massage.conversation_ids import namespaced
from massage.text import clean_user_text

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128
MAX_MESSAGE_ID_CHARS = 128
# Set by nginx (deploy/nginx.conf.template) to its $request_id, the same on every retry of a request.
REQUEST_ID_HEADER = "X-Request-ID"


def parse_request(body: bytes) -> tuple[Dict[str, Any] | None, str | None]:
    """The request as a dict, or the reason it cannot be one."""
    try:
        payload = json.loads(body or b"")
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        return None, 'The body must be JSON like {"sender": "id", "message": "text"}.'
    if not isinstance(payload, dict):
        return None, "The body must be a JSON object."
    sender, message = payload.get("sender"), payload.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return None, f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} characters.'
    if not isinstance(message, str):
        return None, '"message" must be a string.'
    if payload.get("metadata") is not None and not isinstance(payload["metadata"], dict):
        return None, '"metadata" must be an object.'
    message_id = payload.get("message_id")
    if message_id is not None and (not isinstance(message_id, str) or not 0 < len(message_id) <= MAX_MESSAGE_ID_CHARS):
        return None, f'"message_id" must be a non-empty string of at most {MAX_MESSAGE_ID_CHARS} characters.'
    return payload, None


class RestReplies(NativeRecipient, CollectingOutputChannel):
    """The replies of one request, addressed to the sender the caller named."""


class RestInput(rest.RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("hardened_rest_webhook", __name__)
        exactly_once.install()
        action_deadline.install()
        webhook.after_server_start(freeze_loaded_objects)
        webhook.after_server_start(keep_sessions_open)
        webhook.before_server_stop(close_kept_sessions)
        messages_allowed = limiter("MESSAGE")

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if credential_required() and integration_of(request.headers, request.body) is None:
                return response.json({"error": NEEDS_CREDENTIAL}, status=401)
            if not messages_allowed.allow(client_address(request.ip, request.headers)):
                await asyncio.sleep(REFUSAL_DELAY_SECONDS)
                return response.json({"error": SLOW_DOWN_REPLY}, status=429, headers={"Retry-After": "5"})
            payload, problem = parse_request(request.body)
            if problem:
                return response.json({"error": problem}, status=400)
            sender = payload["sender"]
            text = clean_user_text(payload["message"])
            if not text:
                return response.json([{"recipient_id": sender, "text": EMPTY_TEXT_REPLY}])
            collector = RestReplies()
            message_id = payload.get("message_id") or request.headers.get(REQUEST_ID_HEADER)
            try:
                await on_new_message(
                    UserMessage(
                        text, collector, namespaced(self.name(), sender), input_channel=self.name(),
                        message_id=message_id, metadata=payload.get("metadata"),
                    )
                )
            except Exception:  # noqa: BLE001 - the user gets an apology, the log gets the trace
                logger.exception("could not handle a REST message")
                return response.json(collector.messages + [{"recipient_id": sender, "text": FAILURE_REPLY}])
            # Every message gets an answer; silence means a part of the bot (e.g. actions) is down.
            return response.json(collector.messages or [{"recipient_id": sender, "text": FAILURE_REPLY}])

        return webhook
