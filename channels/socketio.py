"""Rasa's socket.io channel (the website widget's), with working session persistence.

Rasa 3.6.21 calls ``AsyncServer.enter_room`` without awaiting it, but
python-socketio made it a coroutine in 5.10, so with
``session_persistence: true`` a visitor never joins the room named after its
session id and never receives the bot's replies. Its message handler also
trusts the client: a message that is not text, an odd session id or bad
metadata raises inside the handler and the visitor hears nothing.

This subclass replaces the session handler and puts a check in front of
Rasa's message handler; everything else is Rasa's. With SOCKETIO_REDIS_URL set (production),
the replicas share their rooms through Redis, so a message sent through one replica (the care
team's console uses any) reaches a widget connected to another.
"""

import inspect
import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint
from socketio import AsyncRedisManager

from channels.formatting import EMPTY_TEXT_REPLY, FAILURE_REPLY
from massage.text import clean_user_text

logger = logging.getLogger(__name__)

# The widget stores a uuid4 hex; anything else a client sends (objects, huge
# strings) gets a fresh id instead of becoming a room and a tracker name.
VALID_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def valid_session_id(candidate: Any) -> bool:
    return isinstance(candidate, str) and VALID_SESSION_ID.fullmatch(candidate) is not None


def session_id_from(data: Any) -> str:
    """The session id the client asked to resume, or a new one."""
    requested = data.get("session_id") if isinstance(data, dict) else None
    return requested if valid_session_id(requested) else uuid.uuid4().hex


class SocketIOInput(RasaSocketIOInput):
    """Socket.io input channel whose visitors rejoin their session's room."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        if os.environ.get("SOCKETIO_REDIS_URL"):
            # Set before any client connects: the server starts the manager's listener then.
            sio.manager = AsyncRedisManager(
                os.environ["SOCKETIO_REDIS_URL"], channel=os.environ.get("SOCKETIO_REDIS_CHANNEL", "socketio")
            )
            sio.manager.set_server(sio)
        namespace = self.namespace
        rasa_handle_message = sio.handlers[namespace or "/"][self.user_message_evt]

        async def reply(room: str, text: str) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=room, namespace=namespace)

        # Registering an event again replaces Rasa's handler for it.
        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            session_id = session_id_from(data)
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=namespace)
                if inspect.isawaitable(joined):  # a coroutine since python-socketio 5.10
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)
            logger.debug(f"Socket {sid} joined its session.")

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.warning(f"Socket {sid} sent a message without text; ignored.")
                return
            if self.session_persistence and not valid_session_id(data.get("session_id")):
                logger.warning(f"Socket {sid} sent a message without a valid session id; ignored.")
                return
            room = data["session_id"] if self.session_persistence else sid
            text = clean_user_text(data["message"])
            if not text:
                await reply(room, EMPTY_TEXT_REPLY)
                return
            message = {"message": text, "session_id": data.get("session_id")}
            if isinstance(data.get(self.metadata_key), dict):
                message[self.metadata_key] = data[self.metadata_key]
            try:
                await rasa_handle_message(sid, message)
            except Exception:  # noqa: BLE001 - the visitor gets an apology, the log gets the trace
                logger.exception("could not handle a socket.io message")
                await reply(room, FAILURE_REPLY)

        return socketio_webhook
