"""The public surface as a stranger tries it, in production mode on one Rasa server (no nginx:
scripts/run-prod.sh's nginx is tried in test_prod_security).

Each test is an attack that worked before: naming another channel's conversation, calling REST
without a credential, connecting from a foreign page, making up a web chat session id or
speaking in another socket's session, and flooding from one address.
"""

import hashlib
import hmac
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, Iterator, List

import pytest
import requests
import socketio
import yaml
from flood import assert_flood_held, client_at
from test_web_widget import close, collect_replies, wait_for, wait_for_session

from channels.public_access import SLOW_DOWN_REPLY
from conftest import ROOT, Stack, running_stack, texts

RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
SECRET = "site-secret-for-tests"
SITE = "https://www.example.com"
PRODUCTION = {
    "WEHO_MODE": "production", "REST_CREDENTIALS": f"site:{SECRET}", "CORS_ORIGINS": SITE,
    # The defaults of channels.public_access, which the shared stacks raise out of reach.
    **{f"{kind}_{knob}": "" for kind in ("MESSAGE", "CONNECT") for knob in ("RATE_PER_SECOND", "BURST")},
}
CREDENTIALS = """channels.rest.RestInput:
channels.socketio.SocketIOInput:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
"""
BEARER = {"Authorization": f"Bearer {SECRET}"}


def socket_at(url: str, address: str = "127.0.0.1", origin: str = SITE) -> socketio.Client:
    sio = socketio.Client(reconnection=False, http_session=client_at(address))
    # Polling: python-engineio's websocket client needs a newer aiohttp than Rasa pins.
    sio.connect(url, transports=["polling"], headers={"Origin": origin}, wait_timeout=10)
    return sio


@pytest.fixture(scope="module")
def guarded(model_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("guarded"), model_path, credentials=CREDENTIALS,
                       env=PRODUCTION) as stack:
        yield stack


def rest(stack: Stack, sender: str, text: str, headers: Dict[str, str] = BEARER,
         client: requests.Session | None = None) -> requests.Response:
    return (client or requests).post(f"{stack.url}/webhooks/rest/webhook", timeout=60, headers=headers,
                                     json={"sender": sender, "message": text})


def user_texts(stack: Stack, conversation: str) -> List[str]:
    tracker = requests.get(f"{stack.url}/conversations/{conversation}/tracker", params={"token": "test-token"},
                           timeout=10).json()
    return [event["text"] for event in tracker["events"] if event["event"] == "user"]


def test_a_rest_caller_naming_a_web_visitors_session_gets_a_conversation_of_its_own(guarded):
    visitor = socket_at(guarded.url)
    try:
        session_id = wait_for_session(visitor, {"session_id": None})
        replies = collect_replies(visitor)
        visitor.emit("user_uttered", {"message": "does insurance cover medical massage?", "session_id": session_id})
        assert wait_for(replies), "the visitor got no answer"
        # The attacker knows the visitor's session id and asks for more about the visitor's topic.
        stolen = texts(rest(guarded, session_id, "tell me more").json())
        assert RESPONSES["utter_faq_more_insurance"][0]["text"] not in stolen
        assert user_texts(guarded, f"web:{session_id}") == ["does insurance cover medical massage?"]
        assert user_texts(guarded, f"rest:{session_id}") == ["tell me more"]
    finally:
        close(visitor)


def test_rest_without_the_integrations_credential_is_refused(guarded):
    for headers in ({}, {"Authorization": "Bearer guessed"}, {"Authorization": SECRET},
                    {"X-Signature-256": "sha256=" + "0" * 64}):
        refused = rest(guarded, "caller-1", "do I need to tip?", headers=headers)
        assert refused.status_code == 401 and "credential" in refused.json()["error"], headers
    assert user_texts(guarded, "rest:caller-1") == []
    answered = rest(guarded, "caller-1", "do I need to tip?")
    assert answered.status_code == 200
    assert RESPONSES["utter_faq/tipping"][0]["text"] in texts(answered.json())
    # Or the body signed with the secret (HMAC-SHA256), as a site's backend would.
    body = json.dumps({"sender": "caller-1", "message": "what is effleurage?"}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    signed = requests.post(f"{guarded.url}/webhooks/rest/webhook", data=body, timeout=60,
                           headers={"X-Signature-256": signature})
    assert signed.status_code == 200 and signed.json()[0]["recipient_id"] == "caller-1"
    tampered = body.replace(b"effleurage", b"kneading")
    assert requests.post(f"{guarded.url}/webhooks/rest/webhook", data=tampered, timeout=60,
                         headers={"X-Signature-256": signature}).status_code == 401


def test_a_page_of_a_foreign_origin_cannot_open_the_chat(guarded):
    with pytest.raises(socketio.exceptions.ConnectionError):
        socket_at(guarded.url, origin="https://evil.example")
    close(socket_at(guarded.url, origin=SITE))


def test_a_made_up_session_id_is_replaced_by_one_the_server_makes(guarded):
    sio = socket_at(guarded.url)
    try:
        for made_up in ("victim-session", "1", "0" * 32, "3F2A9C1E4B7D4E0F9A8B7C6D5E4F3A2B"):
            given = wait_for_session(sio, {"session_id": made_up})
            assert given != made_up and len(given) == 32, made_up
    finally:
        close(sio)


def test_a_socket_cannot_speak_in_a_session_it_has_not_joined(guarded):
    victim, attacker = socket_at(guarded.url), socket_at(guarded.url)
    try:
        victims_session = wait_for_session(victim, {"session_id": None})
        attackers_session = wait_for_session(attacker, {"session_id": None})
        seen_by_victim, seen_by_attacker = collect_replies(victim), collect_replies(attacker)
        attacker.emit("user_uttered", {"message": "hi, what did I book?", "session_id": victims_session})
        time.sleep(3)
        assert seen_by_victim == [] and seen_by_attacker == []
        assert user_texts(guarded, f"web:{victims_session}") == []
        # Its own session still works.
        attacker.emit("user_uttered", {"message": "do I need to tip?", "session_id": attackers_session})
        assert wait_for(seen_by_attacker) and seen_by_victim == []
    finally:
        close(victim, attacker)


def test_socket_connections_and_messages_are_rate_limited_per_address(guarded):
    def attempt(_: int) -> socketio.Client | None:
        try:
            return socket_at(guarded.url, address="127.0.0.5")
        except socketio.exceptions.ConnectionError:
            return None

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=25) as pool:
        attempts = list(pool.map(attempt, range(25)))
    opened = [sio for sio in attempts if sio is not None]
    close(*opened)
    # A burst of 10, then 1 a second.
    assert len(opened) <= 10 + time.monotonic() - started + 1, len(opened)
    assert len(opened) < len(attempts), "25 connections at once from one address were all accepted"
    close(socket_at(guarded.url, address="127.0.0.6"))  # another address is not held back
    time.sleep(2)
    sio = socket_at(guarded.url, address="127.0.0.7")
    try:
        session_id = wait_for_session(sio, {"session_id": None})
        replies = collect_replies(sio)
        # 40 messages in 8 seconds: past the burst (15) and the 1 a second that refills it. Spaced so
        # the polling client never batches more than python-engineio accepts in a payload (16).
        for number in range(40):
            sio.emit("user_uttered", {"message": f"hi {number}", "session_id": session_id})
            time.sleep(0.2)
        deadline = time.monotonic() + 60
        while not any(reply.get("text") == SLOW_DOWN_REPLY for reply in replies) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert any(reply.get("text") == SLOW_DOWN_REPLY for reply in replies)
    finally:
        close(sio)


def test_a_flood_from_one_address_gets_429_and_other_visitors_are_not_slowed(guarded, capsys):
    slow_down = assert_flood_held(lambda client, sender, text: rest(guarded, sender, text, client=client),
                                  "Rasa's own limit, no proxy", capsys)
    assert slow_down.status_code == 429 and slow_down.json()["error"] == SLOW_DOWN_REPLY
