"""Calls to the action server: this turn's events only, over connections kept open.

Rasa sends every action call the tracker with all the events of the conversation session,
about 6 kB a turn, so a call cost more the longer the conversation ran: 3.0 ms at turns 1-10
and 6.2 ms at turns 41-50 (`python -m bench.profile_turns`), and hundreds of kB per call in a
long conversation. An action reads the events of the current turn at most: rasa_sdk's forms
take the slot events at the end (`slots_to_validate`), and our actions look back no further
than the latest user message. So a call carries the events from the latest user message on
(all of them when the session has none); the state itself (slots, latest message, active loop,
latest action) is sent whole, as Rasa sends it.

Rasa also opens a new HTTP session, and so a new connection, for every call (0.5-0.8 ms on
loopback). While the server runs, each endpoint keeps one session on the server's loop; the
REST channel registers `keep_sessions_open` and `close_kept_sessions` as server listeners.
Elsewhere (training, tests driving an Agent) calls open their own sessions, as in Rasa.
"""

import asyncio
from typing import Any, Dict, List, Optional

import aiohttp
import rasa
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

RASA_CALL_FORMAT = RemoteAction._action_call_format  # kept for the tests to compare with
RASA_SESSION = EndpointConfig.session
# Idle kept connections are dropped before the action server (Sanic: 5 s) closes them, so a call
# never goes out on a connection the server is closing.
KEEPALIVE_SECONDS = 3.0

_serving_loop: Optional[asyncio.AbstractEventLoop] = None
# id(endpoint) -> (endpoint, its session); the endpoint is held so that its id stays its own.
_kept: Dict[int, tuple] = {}


def turn_events(tracker: DialogueStateTracker) -> List[Event]:
    """The events from the latest user message on; all of them if there is none."""
    turn: List[Event] = []
    for event in reversed(tracker.events):
        turn.append(event)
        if isinstance(event, UserUttered):
            return turn[::-1]
    return list(tracker.events)


def action_call_format(action: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> Dict[str, Any]:
    """Rasa's request to the action server, with this turn's events only."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in turn_events(tracker)]
    call = {"next_action": action.name(), "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
    if not action._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(action.name()):
        call["domain"] = domain.as_dict()
    return call


class _KeptSession:
    """Stands in for a new session in Rasa's `async with endpoint.session()`, and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_: Any) -> None:
        return None


def _new_kept_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's session for the endpoint (`EndpointConfig.session`), on a connector that drops idle
    connections after KEEPALIVE_SECONDS."""
    credentials = endpoint.basic_auth
    auth = aiohttp.BasicAuth(credentials["username"], credentials["password"]) if credentials else None
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
    )


def session(endpoint: EndpointConfig) -> Any:
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is None or running is not _serving_loop:
        return RASA_SESSION(endpoint)
    kept = _kept.get(id(endpoint))
    if kept is None or kept[1].closed:
        kept = _kept[id(endpoint)] = (endpoint, _new_kept_session(endpoint))
    return _KeptSession(kept[1])


async def keep_sessions_open(_app: Any, loop: asyncio.AbstractEventLoop) -> None:
    global _serving_loop
    _serving_loop = loop


async def close_kept_sessions(*_: Any) -> None:
    global _serving_loop
    _serving_loop = None
    kept = list(_kept.values())
    _kept.clear()
    for _endpoint, kept_session in kept:
        await kept_session.close()


def install() -> None:
    RemoteAction._action_call_format = action_call_format
    EndpointConfig.session = session
