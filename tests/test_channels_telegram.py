"""Telegram end to end: real webhook updates into a real `rasa run`, replies read off a fake Bot API."""

import json
import random
from typing import Any, Dict, List

import pytest
import requests
from fake_platform import TELEGRAM_PUBLIC_URL as PUBLIC_URL
from fake_platform import TELEGRAM_SECRET as SECRET
from fake_platform import TELEGRAM_TOKEN as TOKEN
from fake_platform import Call, FakePlatform, ids
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

from channels.formatting import NOT_TEXT_REPLY
from channels.telegram import MAX_TEXT, TelegramInput, TelegramOutput, inline_keyboard
from conftest import Stack

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture(scope="module")
def fake_telegram(messaging_platforms: Dict[str, FakePlatform]) -> FakePlatform:
    return messaging_platforms["telegram"]


@pytest.fixture(scope="module")
def telegram(stack: Stack) -> Stack:
    """The shared stack, whose credentials carry the Telegram channel."""
    return stack


def new_chat() -> int:
    return random.randint(10**8, 10**9)


def text_update(chat_id: int, text: str) -> Dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Dana", "language_code": "en"}
    message = {
        "message_id": next(ids),
        "from": user,
        "chat": {"id": chat_id, "first_name": "Dana", "type": "private"},
        "date": 1764374400,
        "text": text,
    }
    return {"update_id": next(ids), "message": message}


def button_tap(chat_id: int, data: str) -> Dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Dana"}
    bot_message = {
        "message_id": next(ids),
        "from": {"id": 123456789, "is_bot": True, "first_name": "WeHo Massage", "username": "weho_massage_bot"},
        "chat": {"id": chat_id, "first_name": "Dana", "type": "private"},
        "date": 1764374400,
        "text": "Hi!",
    }
    query = {"id": f"cbq-{chat_id}", "from": user, "message": bot_message, "chat_instance": "-42", "data": data}
    return {"update_id": next(ids), "callback_query": query}


def post(stack: Stack, update: Dict[str, Any] | bytes, secret: str | None = SECRET) -> requests.Response:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    headers["Content-Type"] = "application/json"
    return requests.post(f"{stack.url}/webhooks/telegram/webhook", data=body, headers=headers, timeout=60)


def sent_to(fake: FakePlatform, chat_id: int) -> List[Call]:
    return fake.recorded(lambda call: call.path.endswith("/sendMessage") and call.form["chat_id"] == str(chat_id))


def say(stack: Stack, fake: FakePlatform, chat_id: int, update: Dict[str, Any]) -> List[Call]:
    """Posts an update (Telegram's way: the reply comes back through the Bot API) and returns the new replies."""
    before = len(sent_to(fake, chat_id))
    response = post(stack, update)
    # Every update must get a 200, the first one included (stock Rasa answered it with a 500).
    assert response.status_code == 200, response.text
    return fake.wait_for(
        lambda call: call.path.endswith("/sendMessage") and call.form["chat_id"] == str(chat_id), count=before + 1
    )[before:]


def keyboard(call: Call) -> List[List[Dict[str, str]]]:
    return json.loads(call.form["reply_markup"])["inline_keyboard"]


def test_webhook_is_registered_with_the_secret_token_at_startup(telegram, fake_telegram):
    # Once a start: other tests restart the shared stack, each start registering again.
    registrations = fake_telegram.recorded(lambda call: call.path == f"/bot{TOKEN}/setWebhook")
    assert registrations
    for registration in registrations:
        assert registration.form["url"] == PUBLIC_URL
        assert registration.form["secret_token"] == SECRET


def test_faq_question_gets_the_faq_answer(telegram, fake_telegram):
    chat = new_chat()
    replies = say(telegram, fake_telegram, chat, text_update(chat, FAQ_QUESTION))
    assert faq_answer("insurance") in "\n".join(call.form["text"] for call in replies)


def test_greeting_buttons_are_an_inline_keyboard_and_a_tap_sends_the_payload(telegram, fake_telegram):
    chat = new_chat()
    greeting = say(telegram, fake_telegram, chat, text_update(chat, "/start"))[-1]
    expected = greeting_buttons()
    keys = [key for row in keyboard(greeting) for key in row]
    assert [(key["text"], key["callback_data"]) for key in keys] == [(b["title"], b["payload"]) for b in expected]

    replies = say(telegram, fake_telegram, chat, button_tap(chat, expected[0]["payload"]))
    assert faq_answer("therapeutic_vs_regular") in "\n".join(call.form["text"] for call in replies)
    # The tap is acknowledged, so Telegram stops the button's loading spinner.
    assert fake_telegram.recorded(
        lambda call: call.path.endswith("/answerCallbackQuery") and call.form["callback_query_id"] == f"cbq-{chat}"
    )


def test_a_booking_made_with_button_taps_and_typing_is_confirmed_and_stored(telegram, fake_telegram):
    chat = new_chat()
    last: List[Call] = []

    def send(answer: Answer) -> List[str]:
        nonlocal last
        if isinstance(answer, Tap):
            keys = [key for row in keyboard(last[-1]) for key in row]
            key = next(key for key in keys if answer.title in (None, key["text"]))
            update = button_tap(chat, key["callback_data"])
        else:
            update = text_update(chat, answer)
        last = say(telegram, fake_telegram, chat, update)
        return [call.form["text"] for call in last]

    confirmation = book_a_massage(send)
    reference = BOOKING_REFERENCE.search(confirmation).group(0)
    assert booking_row(telegram, reference) == ("Jane Doe", "confirmed", f"telegram:{chat}")


@needs_search
def test_therapist_search_names_matching_therapists(telegram, fake_telegram):
    chat = new_chat()
    replies = say(telegram, fake_telegram, chat, text_update(chat, SEARCH_REQUEST))
    assert found_lymphatic_drainage_therapists("\n".join(call.form["text"] for call in replies))


def test_photo_without_text_gets_a_text_only_note(telegram, fake_telegram):
    chat = new_chat()
    update = text_update(chat, "")
    del update["message"]["text"]
    update["message"]["photo"] = [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}]
    (reply,) = say(telegram, fake_telegram, chat, update)
    assert reply.form["text"] == NOT_TEXT_REPLY


def edited(update: Dict[str, Any], **message: Any) -> Dict[str, Any]:
    """The update with these message fields changed (a None value removes the field)."""
    changed = {**update["message"], **message}
    return {**update, "message": {key: value for key, value in changed.items() if value is not None}}


# (update or raw body for a chat, the webhook's status, what the chat gets: None is nothing).
BAD_UPDATES = {
    "not-json": (lambda chat: b"{not json", 400, None),
    "empty-body": (lambda chat: b"", 400, None),
    "json-array": (lambda chat: b"[1, 2]", 400, None),
    "nested-too-deep": (lambda chat: b"[" * 100_000 + b"]" * 100_000, 400, None),
    "not-utf8": (lambda chat: b'{"update_id": "\xff\xfe"}', 400, None),
    "unhandled-update-kind": (lambda chat: {"update_id": 1, "edited_message": text_update(chat, "hi")["message"]},
                              200, None),
    "message-a-string": (lambda chat: {"update_id": 1, "message": "hi"}, 200, None),
    "message-without-chat": (lambda chat: edited(text_update(chat, "hi"), chat=None), 200, None),
    "chat-id-an-object": (lambda chat: edited(text_update(chat, "hi"), chat={"id": {"$gt": 0}}), 200, None),
    "chat-id-a-string": (lambda chat: edited(text_update(chat, "hi"), chat={"id": str(chat)}), 200, ANY_CLEAR_REPLY),
    "text-a-number": (lambda chat: text_update(chat, 42), 200, NOT_TEXT_REPLY),
    "text-an-object": (lambda chat: text_update(chat, {"text": "hi"}), 200, NOT_TEXT_REPLY),
    "text-missing": (lambda chat: edited(text_update(chat, ""), text=None), 200, NOT_TEXT_REPLY),
    "tap-data-a-list": (lambda chat: button_tap(chat, ["/greet"]), 200, NOT_TEXT_REPLY),
    **text_cases(text_update, 200),
}  # fmt: skip


@pytest.mark.parametrize(("make", "status", "reply"), BAD_UPDATES.values(), ids=BAD_UPDATES.keys())
def test_bad_updates_get_a_clear_answer_and_the_chat_goes_on(telegram, fake_telegram, make, status, reply):
    chat = new_chat()
    database = database_state(telegram)
    response = post(telegram, make(chat))
    # No 5xx: Telegram would re-deliver the update again and again.
    assert response.status_code == status, response.text
    # The webhook answers once the bot has replied, so the replies are all in.
    said = [call.form["text"] for call in sent_to(fake_telegram, chat)]
    assert_replied(said, reply)
    assert database_state(telegram) == database, "the bookings database changed"
    # The same chat goes on: its next question gets the right answer.
    replies = say(telegram, fake_telegram, chat, text_update(chat, FAQ_QUESTION))
    assert faq_answer("insurance") in "\n".join(call.form["text"] for call in replies)


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
def test_updates_without_the_secret_token_are_rejected_unanswered(telegram, fake_telegram, secret):
    chat = new_chat()
    assert post(telegram, text_update(chat, "hi"), secret=secret).status_code == 403
    # A genuine update afterwards is answered, and its replies are all this chat ever got.
    replies = say(telegram, fake_telegram, chat, text_update(chat, "hi"))
    assert sent_to(fake_telegram, chat) == replies


async def test_long_replies_are_split_at_sentences_with_the_keyboard_on_the_last_part(fake_telegram):
    bot = TelegramOutput(TOKEN, fake_telegram.url)
    sentence = "Medical massage eases chronic pain and helps you move more freely. "
    text = sentence * 150  # about 10,000 characters
    buttons = [{"title": f"Option {n}", "payload": f"/choose{{\"n\": {n}}}"} for n in range(1, 6)]
    chat = new_chat()
    await bot.send_text_with_buttons(str(chat), text, buttons)
    await bot.session.close()

    parts = sent_to(fake_telegram, chat)
    assert len(parts) == 3
    assert all(len(part.form["text"]) <= MAX_TEXT and part.form["text"].endswith("freely.") for part in parts)
    assert " ".join(part.form["text"] for part in parts) == text.strip()
    assert "reply_markup" not in parts[0].form and "reply_markup" not in parts[1].form
    # Five buttons: one per row, each sending its payload.
    assert keyboard(parts[2]) == [[{"text": b["title"], "callback_data": b["payload"]}] for b in buttons]


def test_payload_over_telegrams_64_bytes_is_sent_as_the_title():
    payload = '/inform{"time": "2026-12-04T15:00:00-08:00", "therapist": "maria-alvarez"}'
    booking = {"title": "Friday 3 pm", "payload": payload}
    assert inline_keyboard([booking]).inline_keyboard[0][0].callback_data == "Friday 3 pm"


@pytest.mark.parametrize("secret", [None, "", "has spaces", "x" * 257])
def test_the_channel_refuses_to_start_without_a_valid_secret_token(secret):
    with pytest.raises(RasaException, match="secret_token"):
        TelegramInput.from_credentials({"access_token": TOKEN, "secret_token": secret})


def test_an_update_delivered_again_is_answered_once(telegram, fake_telegram):
    """Telegram delivers an update again when it got no timely 200: same update_id, one turn."""
    chat = new_chat()
    update = text_update(chat, FAQ_QUESTION)
    say(telegram, fake_telegram, chat, update)
    assert post(telegram, update).status_code == 200
    # Messages of one chat are handled in order: once the next one is answered, the repeat was handled.
    say(telegram, fake_telegram, chat, text_update(chat, "do I need to tip?"))
    answers = [call for call in sent_to(fake_telegram, chat) if faq_answer("insurance") in call.form["text"]]
    assert len(answers) == 1
