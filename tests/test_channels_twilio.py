"""WhatsApp through Twilio end to end: signed webhook forms into a real `rasa run`, replies read off a
fake Twilio REST API."""

import json
import random
import re
from typing import Dict, List
from urllib.parse import parse_qs, urlencode

import pytest
import requests
from fake_platform import TWILIO_ACCOUNT_SID as ACCOUNT_SID
from fake_platform import TWILIO_AUTH_TOKEN as AUTH_TOKEN
from fake_platform import TWILIO_MESSAGES_PATH as MESSAGES_PATH
from fake_platform import TWILIO_NUMBER as BUSINESS_NUMBER
from fake_platform import TWILIO_PUBLIC_URL as PUBLIC_URL
from fake_platform import Call, FakePlatform, ids
from messaging_cases import (
    ANY_CLEAR_REPLY,
    BLANK_TEXTS,
    BOOKING_REFERENCE,
    DOMAIN,
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
from sanic.request import RequestParameters
from twilio.request_validator import RequestValidator

from channels.formatting import NOT_TEXT_REPLY, OfferedOptions
from channels.twilio import MAX_BODY, TwilioInput, TwilioOutput
from conftest import Stack


@pytest.fixture(scope="module")
def fake_twilio(messaging_platforms: Dict[str, FakePlatform]) -> FakePlatform:
    return messaging_platforms["twilio"]


@pytest.fixture(scope="module")
def whatsapp(stack: Stack) -> Stack:
    """The shared stack, whose credentials carry the WhatsApp (Twilio) channel."""
    return stack


def new_user() -> str:
    return f"whatsapp:+1310{random.randint(10**6, 10**7 - 1)}"


def inbound(user: str, body: str, **extra: str) -> Dict[str, str]:
    """The form Twilio posts for an incoming WhatsApp message."""
    sid = f"SM{next(ids):032d}"
    return {
        "SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Dana", "SmsSid": sid, "WaId": user.split("+")[1],
        "SmsStatus": "received", "Body": body, "To": BUSINESS_NUMBER, "NumSegments": "1", "ReferralNumMedia": "0",
        "MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": user, "ApiVersion": "2010-04-01", **extra,
    }  # fmt: skip


def signature(form: Dict[str, str], url: str = PUBLIC_URL, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


def post(stack: Stack, form: Dict[str, str], headers: Dict[str, str]) -> requests.Response:
    return requests.post(f"{stack.url}/webhooks/twilio/webhook", data=form, headers=headers, timeout=60)


def sent_to(fake: FakePlatform, user: str) -> List[Call]:
    return fake.recorded(lambda call: call.path == MESSAGES_PATH and call.form.get("To") == user)


def say(stack: Stack, fake: FakePlatform, user: str, body: str, **extra: str) -> str:
    """Sends a signed WhatsApp message; returns the text of the replies it got."""
    before = len(sent_to(fake, user))
    form = inbound(user, body, **extra)
    response = post(stack, form, {"X-Twilio-Signature": signature(form)})
    assert response.status_code == 204, response.text
    replies = fake.wait_for(lambda call: call.path == MESSAGES_PATH and call.form.get("To") == user, count=before + 1)
    assert all(reply.form["From"] == BUSINESS_NUMBER for reply in replies)
    return "\n".join(reply.form["Body"] for reply in replies[before:])


def test_faq_question_gets_the_faq_answer(whatsapp, fake_twilio):
    user = new_user()
    assert faq_answer("insurance") in say(whatsapp, fake_twilio, user, FAQ_QUESTION)


def test_buttons_become_a_numbered_list_and_a_number_picks_the_option(whatsapp, fake_twilio):
    user = new_user()
    greeting = say(whatsapp, fake_twilio, user, "hi")
    titles = [button["title"] for button in greeting_buttons()]
    assert "\n".join(f"{n}. {title}" for n, title in enumerate(titles, start=1)) in greeting

    # "1" is the first button: therapeutic vs regular massage, whose answer offers its own options.
    answer = say(whatsapp, fake_twilio, user, "1")
    assert faq_answer("therapeutic_vs_regular") in answer
    follow_ups = DOMAIN["responses"]["utter_faq/therapeutic_vs_regular"][0]["buttons"]
    assert f"3. {follow_ups[2]['title']}" in answer
    # Typing an option's title works too (the third follow-up is about pressure).
    assert faq_answer("pressure") in say(whatsapp, fake_twilio, user, follow_ups[2]["title"].lower())


def test_a_booking_made_with_numbered_replies_and_typing_is_confirmed_and_stored(whatsapp, fake_twilio):
    user = new_user()
    last: List[str] = []

    def send(answer: Answer) -> List[str]:
        nonlocal last
        if isinstance(answer, Tap):
            # The user replies with the number listed in front of the option.
            title = r".+" if answer.title is None else re.escape(answer.title)
            answer = re.search(rf"^(\d+)\. {title}$", last[-1], re.M).group(1)
        before = len(sent_to(fake_twilio, user))
        say(whatsapp, fake_twilio, user, answer)
        last = [call.form["Body"] for call in sent_to(fake_twilio, user)[before:]]
        return last

    confirmation = book_a_massage(send)
    reference = BOOKING_REFERENCE.search(confirmation).group(0)
    assert booking_row(whatsapp, reference) == ("Jane Doe", "confirmed", f"whatsapp:{user}")


@needs_search
def test_therapist_search_names_matching_therapists(whatsapp, fake_twilio):
    assert found_lymphatic_drainage_therapists(say(whatsapp, fake_twilio, new_user(), SEARCH_REQUEST))


def test_media_without_text_gets_a_text_only_note(whatsapp, fake_twilio):
    user = new_user()
    media = {"NumMedia": "1", "MediaContentType0": "image/jpeg", "MediaUrl0": "https://api.twilio.com/media/ME1"}
    assert say(whatsapp, fake_twilio, user, "", **media) == NOT_TEXT_REPLY


@pytest.mark.parametrize(
    "forge",
    [
        lambda form: {},
        lambda form: {"X-Twilio-Signature": signature(form, token="not-the-auth-token")},
        lambda form: {"X-Twilio-Signature": signature({**form, "Body": "something else"})},
        # Signed for the loopback URL Rasa sees, not the public URL Twilio was given.
        lambda form: {"X-Twilio-Signature": signature(form, url="http://127.0.0.1/webhooks/twilio/webhook")},
    ],
    ids=["unsigned", "wrong-token", "tampered-body", "wrong-url"],
)
def test_unsigned_or_forged_requests_are_rejected_unanswered(whatsapp, fake_twilio, forge):
    user = new_user()
    form = inbound(user, "hi")
    assert post(whatsapp, form, forge(form)).status_code == 403
    # A genuine message afterwards is answered, and its replies are all this user ever got.
    replies = say(whatsapp, fake_twilio, user, "hi")
    assert "\n".join(call.form["Body"] for call in sent_to(fake_twilio, user)) == replies


def form_body(user: str, body: str | None, **extra: str) -> bytes:
    """The user's message as Twilio's form body (None: without Body); lone surrogates pass as bytes."""
    form = inbound(user, body or "", **extra)
    if body is None:
        del form["Body"]
    return urlencode(form, errors="surrogatepass").encode()


# (raw form body for a user, the webhook's status, what the user gets: None is nothing).
BAD_FORMS = {
    "empty-body": (lambda user: b"", 400, None),
    "json-not-a-form": (lambda user: json.dumps({"From": user, "Body": "hi"}).encode(), 400, None),
    "no-sender": (lambda user: form_body(user, "hi").replace(b"From=", b"Frm="), 400, None),
    "sender-not-an-address": (lambda user: form_body(user, "hi", From="<script>"), 400, None),
    "no-body-field": (lambda user: form_body(user, None), 204, NOT_TEXT_REPLY),
    "media-count-not-a-number": (lambda user: form_body(user, "", NumMedia="lots"), 204, NOT_TEXT_REPLY),
    "bad-percent-escapes": (lambda user: form_body(user, "").replace(b"Body=", b"Body=%FF%FE%%zz+hi"),
                            204, ANY_CLEAR_REPLY),
    "not-utf8": (lambda user: form_body(user, "").replace(b"Body=", b"Body=\xff\xfe+hi"), 204, ANY_CLEAR_REPLY),
    # An empty Body comes with media or a location; blank text is text.
    "text-empty": (lambda user: form_body(user, ""), 204, NOT_TEXT_REPLY),
    **text_cases(form_body, 204, blank={"whitespace": BLANK_TEXTS["whitespace"]}),
}  # fmt: skip


@pytest.mark.parametrize(("make", "status", "reply"), BAD_FORMS.values(), ids=BAD_FORMS.keys())
def test_bad_forms_get_a_clear_answer_and_the_conversation_goes_on(whatsapp, fake_twilio, make, status, reply):
    user = new_user()
    database = database_state(whatsapp)
    body = make(user)
    # Signed as Twilio signs: over the fields as the webhook reads them.
    fields = RequestParameters(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature(fields)}
    response = requests.post(f"{whatsapp.url}/webhooks/twilio/webhook", data=body, headers=headers, timeout=60)
    # No 5xx: Twilio logs an error and the user's message is lost.
    assert response.status_code == status, response.text
    # The webhook answers once the bot has replied, so the replies are all in.
    said = [call.form["Body"] for call in sent_to(fake_twilio, user)]
    assert_replied(said, reply)
    assert database_state(whatsapp) == database, "the bookings database changed"
    # The same user goes on: their next question gets the right answer.
    assert faq_answer("insurance") in say(whatsapp, fake_twilio, user, FAQ_QUESTION)


async def test_long_replies_are_split_under_whatsapps_limit(fake_twilio):
    options = OfferedOptions()
    bot = TwilioOutput(ACCOUNT_SID, AUTH_TOKEN, BUSINESS_NUMBER, fake_twilio.url, options)
    user = new_user()
    text = "Lymphatic drainage is a light massage that helps lymph flow. " * 60  # about 3,700 characters
    buttons = [{"title": "Book it", "payload": "/book_massage"}, {"title": "More", "payload": "/faq_more"}]
    await bot.send_text_with_buttons(user, text, buttons)
    await bot.http_client.close()

    bodies = [call.form["Body"] for call in sent_to(fake_twilio, user)]
    assert len(bodies) == 3 and all(len(body) <= MAX_BODY for body in bodies)
    assert all(body.endswith(("flow.", "2. More")) for body in bodies)
    assert bodies[-1].endswith("Reply with a number:\n1. Book it\n2. More")
    assert options.resolve(user, "2") == "/faq_more"
    assert options.resolve(user, "2") == "2", "an offer is used up by the next message"


def test_the_channel_refuses_to_start_without_the_auth_token():
    with pytest.raises(RasaException, match="auth_token"):
        TwilioInput.from_credentials({"account_sid": ACCOUNT_SID, "twilio_number": BUSINESS_NUMBER})


def test_a_message_delivered_again_is_answered_once(whatsapp, fake_twilio):
    """Twilio retries a webhook that failed or timed out: same MessageSid, one turn."""
    user = new_user()
    form = inbound(user, FAQ_QUESTION)
    assert post(whatsapp, form, {"X-Twilio-Signature": signature(form)}).status_code == 204
    assert post(whatsapp, form, {"X-Twilio-Signature": signature(form)}).status_code == 204
    # Messages of one user are handled in order: once the next one is answered, the repeat was handled.
    assert faq_answer("tipping") in say(whatsapp, fake_twilio, user, "do I need to tip?")
    answers = [call for call in sent_to(fake_twilio, user) if faq_answer("insurance") in call.form["Body"]]
    assert len(answers) == 1
