"""Messenger end to end: signed webhook events into a real `rasa run`, replies read off a fake Graph API."""

import hashlib
import hmac
import json
import random
from typing import Any, Dict, List

import pytest
import requests
from fake_platform import FACEBOOK_APP_SECRET as APP_SECRET
from fake_platform import FACEBOOK_PAGE_TOKEN as PAGE_TOKEN
from fake_platform import FACEBOOK_VERIFY_TOKEN as VERIFY_TOKEN
from fake_platform import FakePlatform, ids
from fbmessenger import MessengerClient
from messaging_cases import (
    ANY_CLEAR_REPLY,
    BOOKING_REFERENCE,
    FAQ_QUESTION,
    SEARCH_REQUEST,
    Answer,
    Tap,
    assert_replied,
    book_a_massage,
    booking_row,
    database_state,
    faq_answer,
    found_lymphatic_drainage_therapists,
    greeting_buttons,
    needs_search,
    text_cases,
)
from rasa.shared.exceptions import RasaException

from channels.facebook import (
    MAX_QUICK_REPLIES,
    MAX_TEMPLATE_BUTTONS,
    MAX_TEXT,
    MAX_TITLE,
    FacebookInput,
    MessengerBot,
)
from channels.formatting import NOT_TEXT_REPLY, shorten
from conftest import Stack

PAGE_ID = "104857600000001"


@pytest.fixture(scope="module")
def fake_graph(messaging_platforms: Dict[str, FakePlatform]) -> FakePlatform:
    return messaging_platforms["facebook"]


@pytest.fixture(scope="module")
def messenger(stack: Stack) -> Stack:
    """The shared stack, whose credentials carry the Messenger channel."""
    return stack


def new_user() -> str:
    return str(random.randint(10**15, 10**16))


def event(psid: str, **content: Any) -> Dict[str, Any]:
    """One webhook call as Meta sends it: a page entry with one messaging event."""
    messaging = {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": 1764374400000, **content}
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": 1764374400000, "messaging": [messaging]}]}


def text_event(psid: str, text: str) -> Dict[str, Any]:
    return event(psid, message={"mid": f"m_in_{next(ids)}", "text": text})


def signed_headers(body: bytes, secret: str = APP_SECRET) -> Dict[str, str]:
    """Meta signs with both headers."""
    return {
        "Content-Type": "application/json",
        "X-Hub-Signature": "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest(),
        "X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
    }


def post(stack: Stack, body: bytes, headers: Dict[str, str]) -> requests.Response:
    return requests.post(f"{stack.url}/webhooks/facebook/webhook", data=body, headers=headers, timeout=60)


def messages_to(fake: FakePlatform, psid: str) -> List[Dict[str, Any]]:
    """The messages (not typing indicators) the user got."""
    calls = fake.recorded(lambda call: call.json and call.json["recipient"]["id"] == psid and "message" in call.json)
    return [call.json["message"] for call in calls]


def say(stack: Stack, fake: FakePlatform, psid: str, payload: Dict[str, Any]) -> List[Dict[str, Any]]:
    before = len(messages_to(fake, psid))
    body = json.dumps(payload).encode()
    response = post(stack, body, signed_headers(body))
    assert response.status_code == 200, response.text
    fake.wait_for(lambda call: len(messages_to(fake, psid)) > before)
    return messages_to(fake, psid)[before:]


def test_meta_webhook_verification_echoes_the_challenge_only_for_the_verify_token(messenger):
    url = f"{messenger.url}/webhooks/facebook/webhook"
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    good = requests.get(url, params={**query, "hub.verify_token": VERIFY_TOKEN}, timeout=10)
    assert (good.status_code, good.text) == (200, "1158201444")
    bad = requests.get(url, params={**query, "hub.verify_token": "guess"}, timeout=10)
    assert bad.status_code == 403 and "1158201444" not in bad.text


def test_faq_question_gets_the_faq_answer_between_typing_indicators(messenger, fake_graph):
    psid = new_user()
    replies = say(messenger, fake_graph, psid, text_event(psid, FAQ_QUESTION))
    assert faq_answer("insurance") in "\n".join(reply["text"] for reply in replies)
    to_user = fake_graph.recorded(lambda call: call.json and call.json["recipient"]["id"] == psid)
    actions = [call.json.get("sender_action") for call in to_user]
    assert actions[:2] == ["mark_seen", "typing_on"] and actions[-1] == "typing_off"
    # Sent with the page token and the app-secret proof Meta can require.
    call = to_user[0]
    assert call.query["access_token"] == PAGE_TOKEN
    expected_proof = hmac.new(APP_SECRET.encode(), PAGE_TOKEN.encode(), hashlib.sha256).hexdigest()
    assert call.query["appsecret_proof"] == expected_proof


def test_greeting_buttons_are_quick_replies_within_limits_and_a_tap_sends_the_payload(messenger, fake_graph):
    psid = new_user()
    greeting = say(messenger, fake_graph, psid, text_event(psid, "hi"))[-1]
    expected = greeting_buttons()
    replies = greeting["quick_replies"]
    assert [reply["payload"] for reply in replies] == [button["payload"] for button in expected]
    assert all(len(reply["title"]) <= MAX_TITLE and reply["content_type"] == "text" for reply in replies)
    assert replies[1]["title"] == "Find a therapist"
    assert replies[0]["title"] == "Therapeutic vs…"  # "Therapeutic vs regular massage" is over 20 characters

    quick_reply = {"payload": replies[0]["payload"]}
    tap = event(psid, message={"mid": "m_tap", "text": replies[0]["title"], "quick_reply": quick_reply})
    answers = say(messenger, fake_graph, psid, tap)
    assert faq_answer("therapeutic_vs_regular") in "\n".join(answer["text"] for answer in answers)


def test_a_booking_made_with_quick_replies_and_typing_is_confirmed_and_stored(messenger, fake_graph):
    psid = new_user()
    last: List[Dict[str, Any]] = []

    def send(answer: Answer) -> List[str]:
        nonlocal last
        if isinstance(answer, Tap):
            # Messenger shows titles cut to 20 characters; the user taps the one they read.
            shown = None if answer.title is None else shorten(answer.title, MAX_TITLE)
            reply = next(reply for reply in last[-1]["quick_replies"] if shown in (None, reply["title"]))
            tap = {"mid": f"m_tap_{next(ids)}", "text": reply["title"], "quick_reply": {"payload": reply["payload"]}}
            payload = event(psid, message=tap)
        else:
            payload = text_event(psid, answer)
        last = say(messenger, fake_graph, psid, payload)
        return [message.get("text", "") for message in last]

    confirmation = book_a_massage(send)
    reference = BOOKING_REFERENCE.search(confirmation).group(0)
    assert booking_row(messenger, reference) == ("Jane Doe", "confirmed", f"facebook:{psid}")


@needs_search
def test_therapist_search_names_matching_therapists(messenger, fake_graph):
    psid = new_user()
    replies = say(messenger, fake_graph, psid, text_event(psid, SEARCH_REQUEST))
    assert found_lymphatic_drainage_therapists("\n".join(reply.get("text", "") for reply in replies))


def test_postback_from_a_button_template_sends_the_payload(messenger, fake_graph):
    psid = new_user()
    postback = event(psid, postback={"title": "Insurance", "payload": '/faq{"faq_topic": "insurance"}', "mid": "m_pb"})
    answers = say(messenger, fake_graph, psid, postback)
    assert faq_answer("insurance") in "\n".join(answer["text"] for answer in answers)


def test_image_gets_a_text_only_note(messenger, fake_graph):
    psid = new_user()
    image = {"type": "image", "payload": {"url": "https://scontent.example.com/photo.jpg"}}
    (reply,) = say(messenger, fake_graph, psid, event(psid, message={"mid": "m_img", "attachments": [image]}))
    assert reply == {"text": NOT_TEXT_REPLY}


@pytest.mark.parametrize(
    "forge",
    [
        lambda body: {"Content-Type": "application/json"},
        lambda body: signed_headers(body, secret="not-the-app-secret"),
        lambda body: signed_headers(body.replace(b"hi", b"yo")),
        lambda body: {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=deadbeef"},
    ],
    ids=["unsigned", "wrong-secret", "tampered-body", "garbage-signature"],
)
def test_unsigned_or_forged_events_are_rejected_unanswered(messenger, fake_graph, forge):
    psid = new_user()
    body = json.dumps(text_event(psid, "hi")).encode()
    assert post(messenger, body, forge(body)).status_code == 403
    # A genuine event afterwards is answered, and its replies are all this user ever got.
    replies = say(messenger, fake_graph, psid, text_event(psid, "hi"))
    assert messages_to(fake_graph, psid) == replies


def batch(*events: Any) -> Dict[str, Any]:
    """A webhook call with these messaging events under one page entry."""
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": 1764374400000, "messaging": list(events)}]}


def hi_from(psid: str, sender: Any) -> Dict[str, Any]:
    """The user's "hi" event with this sender field instead (None: without one)."""
    hi = text_event(psid, "hi")["entry"][0]["messaging"][0]
    return {**hi, "sender": sender} if sender is not None else {k: v for k, v in hi.items() if k != "sender"}


# (event or raw body for a user, the webhook's status, what the user gets: None is nothing).
BAD_EVENTS = {
    "not-json": (lambda psid: b"{not json", 400, None),
    "empty-body": (lambda psid: b"", 400, None),
    "json-array": (lambda psid: b"[1, 2]", 400, None),
    "nested-too-deep": (lambda psid: b"[" * 100_000 + b"]" * 100_000, 400, None),
    "not-utf8": (lambda psid: b'{"object": "\xff\xfe"}', 400, None),
    "no-entries": (lambda psid: {"object": "page"}, 200, None),
    "entries-not-a-list": (lambda psid: {"object": "page", "entry": "hi"}, 200, None),
    "events-not-objects": (lambda psid: {"object": "page", "entry": [5, {"messaging": ["hi", 7]}]}, 200, None),
    "no-sender": (lambda psid: batch(hi_from(psid, None)), 200, None),
    "sender-a-string": (lambda psid: batch(hi_from(psid, psid)), 200, None),
    "sender-id-an-object": (lambda psid: batch(hi_from(psid, {"id": {"$gt": ""}})), 200, None),
    "sender-id-a-number": (lambda psid: batch(hi_from(psid, {"id": int(psid)})), 200, ANY_CLEAR_REPLY),
    "message-a-string": (lambda psid: event(psid, message="hi"), 200, NOT_TEXT_REPLY),
    "text-a-number": (lambda psid: text_event(psid, 42), 200, NOT_TEXT_REPLY),
    "text-an-object": (lambda psid: text_event(psid, {"text": "hi"}), 200, NOT_TEXT_REPLY),
    "quick-reply-a-string": (lambda psid: event(psid, message={"mid": "m2", "text": "hi", "quick_reply": "x"}),
                             200, ANY_CLEAR_REPLY),
    "postback-payload-an-object": (lambda psid: event(psid, postback={"title": "Hi", "payload": {"a": 1}}),
                                   200, NOT_TEXT_REPLY),
    # One odd event in a batch must not cost the user's real message its answer.
    "odd-events-then-a-good-one": (lambda psid: batch("odd", {"sender": psid}, hi_from(psid, {"id": psid})),
                                   200, ANY_CLEAR_REPLY),
    **text_cases(text_event, 200),
}  # fmt: skip


@pytest.mark.parametrize(("make", "status", "reply"), BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
def test_bad_events_get_a_clear_answer_and_the_conversation_goes_on(messenger, fake_graph, make, status, reply):
    psid = new_user()
    database = database_state(messenger)
    payload = make(psid)
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    response = post(messenger, body, signed_headers(body))
    # No 5xx: Meta would re-deliver the call, and disable a webhook that keeps failing.
    assert response.status_code == status, response.text
    # The webhook answers once the bot has replied, so the replies are all in.
    said = [message.get("text", "") for message in messages_to(fake_graph, psid)]
    assert_replied(said, reply)
    assert database_state(messenger) == database, "the bookings database changed"
    # The same user goes on: their next question gets the right answer.
    replies = say(messenger, fake_graph, psid, text_event(psid, FAQ_QUESTION))
    assert faq_answer("insurance") in "\n".join(reply.get("text", "") for reply in replies)


async def test_long_text_links_and_many_buttons_respect_messenger_limits(fake_graph):
    client = MessengerClient(PAGE_TOKEN)
    client.graph_url = f"{fake_graph.url}/v{client.api_version}"
    bot = MessengerBot(client)
    psid = new_user()
    text = "Kneading presses, squeezes and lifts the muscles. " * 100  # about 5,000 characters
    choices = [{"title": f"Therapist number {n} of many", "payload": f"/pick{{\"n\": {n}}}"} for n in range(1, 16)]
    await bot.send_text_with_buttons(psid, text, choices)
    *parts, last = messages_to(fake_graph, psid)
    assert all(len(part["text"]) <= MAX_TEXT for part in parts + [last]) and len(parts) == 2
    assert " ".join(part["text"] for part in parts + [last]) == text.strip()
    assert [reply["payload"] for reply in last["quick_replies"]] == [c["payload"] for c in choices[:MAX_QUICK_REPLIES]]
    assert all(len(reply["title"]) <= MAX_TITLE for reply in last["quick_replies"])

    links = [{"title": f"Therapist {n} profile", "url": f"https://example.com/t/{n}"} for n in range(1, 5)]
    links_user = new_user()
    await bot.send_text_with_buttons(links_user, "Profiles:", links)
    templates = [message["attachment"]["payload"] for message in messages_to(fake_graph, links_user)]
    assert [len(template["buttons"]) for template in templates] == [MAX_TEMPLATE_BUTTONS, 1]
    assert templates[0]["text"] == "Profiles:"
    assert [button["url"] for template in templates for button in template["buttons"]] == [b["url"] for b in links]


def test_the_channel_refuses_to_start_without_the_app_secret():
    with pytest.raises(RasaException, match="secret"):
        FacebookInput.from_credentials({"verify": VERIFY_TOKEN, "secret": "", "page-access-token": PAGE_TOKEN})


def test_an_event_delivered_again_is_answered_once(messenger, fake_graph):
    """Meta delivers an event again when it got no timely 200: same mid, one turn."""
    psid = new_user()
    payload = text_event(psid, FAQ_QUESTION)
    say(messenger, fake_graph, psid, payload)
    body = json.dumps(payload).encode()
    assert post(messenger, body, signed_headers(body)).status_code == 200
    # Messages of one user are handled in order: once the next one is answered, the repeat was handled.
    say(messenger, fake_graph, psid, text_event(psid, "do I need to tip?"))
    answers = [message for message in messages_to(fake_graph, psid) if faq_answer("insurance") in message.get("text")]
    assert len(answers) == 1
