"""Calls to the action server carry this turn's events and the whole state, whatever the length of
the conversation, and reuse one connection while the server runs."""

import asyncio
import json

import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from test_dialogue_states import DOMAIN

from channels.rest import RestInput
from components import action_calls

ENDPOINT = EndpointConfig("http://localhost:5055/webhook", enable_selective_domain=True)


def faq_turn(text: str, topic: str) -> list:
    parse = {
        "intent": {"name": "faq", "confidence": 0.98},
        "entities": [],
        "response_selector": {"faq": {"response": {"intent_response_key": f"faq/{topic}", "confidence": 0.97}}},
    }
    return [
        ActionExecuted("action_listen"),
        UserUttered(text, parse_data=parse),
        ActionExecuted("action_answer_faq"),
        BotUttered(f"About {topic}."),
        SlotSet("faq_topic", topic),
    ]


def conversation(turns: int) -> DialogueStateTracker:
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for turn in range(turns):
        events += faq_turn(f"question {turn}", "tipping" if turn % 2 else "insurance")
    events += [ActionExecuted("action_listen"), UserUttered("tell me more", intent={"name": "faq_more"})]
    return DialogueStateTracker.from_events("caller", events, slots=DOMAIN.slots)


def test_loading_the_model_components_installs_the_call_format():
    assert RemoteAction._action_call_format is action_calls.action_call_format


@pytest.mark.parametrize("action_name", ["action_answer_faq", "action_faq_more"])
def test_a_call_is_rasas_with_the_events_from_the_latest_user_message(action_name):
    tracker = conversation(turns=3)
    action = RemoteAction(action_name, ENDPOINT)
    ours, rasas = action._action_call_format(tracker, DOMAIN), action_calls.RASA_CALL_FORMAT(action, tracker, DOMAIN)

    assert [event["event"] for event in ours["tracker"]["events"]] == ["user"]
    assert ours["tracker"]["events"] == rasas["tracker"]["events"][-1:]
    del ours["tracker"]["events"], rasas["tracker"]["events"]
    assert ours == rasas  # the state, the domain (sent to action_faq_more only) and the rest
    assert ours["tracker"]["slots"]["faq_topic"] == "insurance"
    assert ours["tracker"]["latest_message"]["text"] == "tell me more"


def test_the_slot_events_a_form_validates_are_in_the_call():
    tracker = conversation(turns=2)
    tracker.update(SlotSet("requested_slot", "client_name"))
    tracker.update(SlotSet("client_name", "Ada Stone"))
    call = RemoteAction("validate_booking_form", ENDPOINT)._action_call_format(tracker, DOMAIN)
    assert [event["event"] for event in call["tracker"]["events"]] == ["user", "slot", "slot"]
    assert call["tracker"]["events"][-1]["value"] == "Ada Stone"


def test_a_session_without_user_messages_sends_all_its_events():
    tracker = DialogueStateTracker.from_events(
        "caller", [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    )
    action = RemoteAction("action_answer_faq", ENDPOINT)
    assert (action._action_call_format(tracker, DOMAIN)["tracker"]["events"]
            == action_calls.RASA_CALL_FORMAT(action, tracker, DOMAIN)["tracker"]["events"])


def test_a_call_late_in_a_long_conversation_is_as_small_as_an_early_one():
    action = RemoteAction("action_answer_faq", ENDPOINT)
    early, late = (len(json.dumps(action._action_call_format(conversation(turns), DOMAIN))) for turns in (2, 200))
    assert late < early + 100, (early, late)
    rasas = len(json.dumps(action_calls.RASA_CALL_FORMAT(action, conversation(200), DOMAIN)))
    assert rasas > 20 * late  # what it was


@pytest.fixture
async def action_server():
    """An action server that answers every call and notes which connection (client port) it came on."""
    ports = []

    async def webhook(request: web.Request) -> web.Response:
        ports.append(request.transport.get_extra_info("peername")[1])
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield EndpointConfig(f"http://127.0.0.1:{port}/webhook"), ports
    await runner.cleanup()


async def three_calls(endpoint: EndpointConfig) -> None:
    for _ in range(3):
        assert await endpoint.request(json={"next_action": "action_answer_faq"}, method="post") == {
            "events": [], "responses": []}


async def test_while_the_server_runs_calls_share_one_connection(action_server):
    endpoint, ports = action_server
    await action_calls.keep_sessions_open(None, asyncio.get_running_loop())
    try:
        await three_calls(endpoint)
    finally:
        await action_calls.close_kept_sessions()
    assert len(ports) == 3 and len(set(ports)) == 1, ports
    assert not action_calls._kept  # closed with the server


async def test_outside_a_running_server_each_call_has_its_own_session(action_server):
    endpoint, ports = action_server
    await three_calls(endpoint)
    assert len(set(ports)) == 3, ports


async def test_an_idle_connection_is_dropped_before_the_action_server_would_drop_it(action_server, monkeypatch):
    endpoint, ports = action_server
    monkeypatch.setattr(action_calls, "KEEPALIVE_SECONDS", 0.2)
    await action_calls.keep_sessions_open(None, asyncio.get_running_loop())
    try:
        await three_calls(endpoint)
        await asyncio.sleep(0.5)
        await three_calls(endpoint)
    finally:
        await action_calls.close_kept_sessions()
    assert len(set(ports[:3])) == 1 and len(set(ports[3:])) == 1 and ports[0] != ports[3], ports


def test_the_rest_channel_keeps_sessions_while_the_server_runs():
    listeners = RestInput().blueprint(lambda message: None)._future_listeners
    registered = [(listener.listener, listener.event) for listener in listeners]
    assert (action_calls.keep_sessions_open, "after_server_start") in registered
    assert (action_calls.close_kept_sessions, "before_server_stop") in registered
