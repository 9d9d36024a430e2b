"""Rasa's socket.io channel (the website widget's), with working session persistence and a
public surface a stranger cannot misuse.

Rasa 3.6.21 calls ``AsyncServer.enter_room`` without awaiting it, but
python-socketio made it a coroutine in 5.10, so with
``session_persistence: true`` a visitor never joins the room named after its
session id and never receives the bot's replies. Its message handler also
trusts the client: a message that is not text, an odd session id or bad
metadata raises inside the handler and the visitor hears nothing; and a socket
may send messages into any session it names, joined or not.

Here:
- a session id is one the widget's server made (a uuid4 hex); anything else gets a fresh one;
- a socket speaks only in the session it last joined (the widget's "new conversation" and
  its other tabs join another one, leaving the old room);
- the conversation is `web:<session id>` (massage.conversation_ids), replies go to the room;
- in production, pages of other origins than CORS_ORIGINS cannot connect (Rasa creates the
  server with ``cors_allowed_origins=[]``, which switches python-engineio's Origin check off);
- connections and messages are rate limited per client address (channels.public_access).
- with SOCKETIO_REDIS_URL set (production), the replicas share their rooms through Redis, so a
  message sent through one replica (the care team's console uses any) reaches a widget connected
  to another.
"""

import inspect
import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Dict

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint
from socketio import AsyncRedisManager

from channels.formatting import EMPTY_TEXT_REPLY, FAILURE_REPLY
from channels.native_recipients import NativeRecipient
from channels.public_access import SLOW_DOWN_REPLY, allowed_origins, client_address, limiter, production_mode
from massage.conversation_ids import namespaced
from massage.text import clean_user_text

logger = logging.getLogger(__name__)

# uuid.uuid4().hex: 32 hex digits, version 4, RFC 4122 variant.
SESSION_ID = re.compile(r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}")


def valid_session_id(candidate: Any) -> bool:
    return isinstance(candidate, str) and SESSION_ID.fullmatch(candidate) is not None


def session_id_from(data: Any) -> str:
    """The session id the client asked to resume, or a new one."""
    requested = data.get("session_id") if isinstance(data, dict) else None
    return requested if valid_session_id(requested) else uuid.uuid4().hex


class WebReplies(NativeRecipient, SocketIOOutput):
    """Replies to the room of the session, named by the session id without `web:`."""


class SocketIOInput(RasaSocketIOInput):
    """Socket.io input channel whose visitors rejoin their session's room."""

    def get_output_channel(self) -> WebReplies | None:
        return None if self.sio is None else WebReplies(self.sio, self.bot_message_evt)

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
        if production_mode():
            sio.eio.cors_allowed_origins = allowed_origins()
        rasa_connect = sio.handlers[namespace or "/"]["connect"]
        connects_allowed, messages_allowed = limiter("CONNECT"), limiter("MESSAGE")
        # Per connected socket: its client's address, and the session it joined.
        address_of: Dict[str, str] = {}
        session_of: Dict[str, str] = {}

        async def reply(room: str, text: str) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=room, namespace=namespace)

        # Registering an event again replaces Rasa's handler for it.
        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: Dict, auth: Any = None) -> bool:
            request = environ["sanic.request"]
            address = client_address(request.ip, request.headers)
            if not connects_allowed.allow(address):
                raise ConnectionRefusedError(SLOW_DOWN_REPLY)
            address_of[sid] = address
            return await rasa_connect(sid, environ, auth)

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: str, *_: Any) -> None:
            address_of.pop(sid, None)
            session_of.pop(sid, None)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            session_id = session_id_from(data)
            if self.session_persistence:
                previous = session_of.get(sid)
                if previous and previous != session_id:
                    await _awaited(sio.leave_room(sid, previous, namespace=namespace))
                await _awaited(sio.enter_room(sid, session_id, namespace=namespace))
                session_of[sid] = session_id
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)
            logger.debug(f"Socket {sid} joined its session.")

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.warning(f"Socket {sid} sent a message without text; ignored.")
                return
            if self.session_persistence:
                if data.get("session_id") != session_of.get(sid):
                    logger.warning(f"Socket {sid} sent a message for a session it has not joined; ignored.")
                    return
                room = data["session_id"]
            else:
                room = sid
            if not messages_allowed.allow(address_of.get(sid, sid)):
                await reply(room, SLOW_DOWN_REPLY)
                return
            text = clean_user_text(data["message"])
            if not text:
                await reply(room, EMPTY_TEXT_REPLY)
                return
            metadata = data.get(self.metadata_key)
            message = UserMessage(
                text, WebReplies(sio, self.bot_message_evt), namespaced("web", room), input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else None,
            )
            try:
                await on_new_message(message)
            except Exception:  # noqa: BLE001 - the visitor gets an apology, the log gets the trace
                logger.exception("could not handle a socket.io message")
                await reply(room, FAILURE_REPLY)

        return socketio_webhook


async def _awaited(result: Any) -> None:
    """Room calls are coroutines since python-socketio 5.10."""
    if inspect.isawaitable(result):
        await result
