"""Talking to a visitor through Rasa: the console appends events to the conversation over Rasa's
HTTP API, and Rasa sends the bot events among them through the conversation's own channel.

`POST /conversations/<id>/tracker/events?output_channel=latest&execute_side_effects=true` keeps
each message in the conversation and delivers it with the output channel of the visitor's
latest input channel (socket.io, Telegram, Messenger, WhatsApp through Twilio). Any replica may
take the call: the lock store serialises it with the visitor's own messages, and in production
socket.io's Redis message queue (channels/socketio.py) reaches a widget connected to another one.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import aiohttp

from massage.db import ROOT

JOINED = "A person from our care team has joined the chat and will answer you here."
HANDED_BACK = "Our care team has handed you back to the assistant. Ask me anything, or ask for a person again."
TIMEOUT = aiohttp.ClientTimeout(total=15)
CALLBACK_FORM = "callback_form"  # domain.yml: the out-of-hours offer to leave a number


class RelayFailed(Exception):
    """Rasa did not take the events: the visitor was not told."""


def rasa_url() -> str:
    return os.environ.get("RASA_URL", "http://localhost:5005").rstrip("/")


def rasa_token() -> str:
    """RASA_TOKEN, or the token `make run` keeps in .state/rasa_token."""
    token = os.environ.get("RASA_TOKEN")
    if token:
        return token
    kept = Path(ROOT / ".state" / "rasa_token")
    return kept.read_text().strip() if kept.exists() else ""


def _bot(text: str, staff: str) -> dict:
    # The metadata marks the message as the team's in the transcript; channels send only the text.
    return {"event": "bot", "text": text, "metadata": {"staff": staff}}


def _conversation_url(conversation_id: str) -> str:
    return f"{rasa_url()}/conversations/{quote(conversation_id, safe=':+@')}/tracker"


async def _call(method: str, url: str, params: dict, body: list | None = None) -> dict:
    """One authenticated call to Rasa's HTTP API; its JSON answer."""
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
            async with http.request(method, url, params={**params, "token": rasa_token()}, json=body) as reply:
                if reply.status != 200:
                    raise RelayFailed(f"Rasa answered {reply.status}")
                return await reply.json()
    except aiohttp.ClientError as error:
        raise RelayFailed(f"Rasa could not be reached: {type(error).__name__}") from error


async def _append(conversation_id: str, events: list[dict]) -> None:
    params = {"output_channel": "latest", "execute_side_effects": "true", "include_events": "NONE"}
    await _call("POST", f"{_conversation_url(conversation_id)}/events", params, events)


async def _active_loop(conversation_id: str) -> str | None:
    state = await _call("GET", _conversation_url(conversation_id), {"include_events": "NONE"})
    return (state.get("active_loop") or {}).get("name")


async def join(conversation_id: str, staff: str) -> None:
    """Pause the assistant (NLU still runs; it stays quiet) and tell the visitor a person joined.
    A pending out-of-hours call-back offer ends: a person is answering now."""
    events = [{"event": "pause"}, _bot(JOINED, staff)]
    if await _active_loop(conversation_id) == CALLBACK_FORM:
        ended = [{"event": "active_loop", "name": None}, {"event": "slot", "name": "requested_slot", "value": None}]
        events = ended + events
    await _append(conversation_id, events)


async def say(conversation_id: str, staff: str, text: str) -> None:
    await _append(conversation_id, [_bot(text, staff)])


async def hand_back(conversation_id: str, staff: str) -> None:
    """Resume the assistant, say so, and listen: its next reply follows the visitor's next message."""
    await _append(
        conversation_id, [{"event": "resume"}, _bot(HANDED_BACK, staff), {"event": "action", "name": "action_listen"}]
    )
