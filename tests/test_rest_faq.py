"""The FAQ assistant through the REST channel of a real running stack, as a visitor meets it."""

from pathlib import Path

import pytest
import requests
import yaml
from messaging_cases import BLANK_TEXTS, ODD_TEXTS

from conftest import texts
from massage import policy, pricing, service_area

RESPONSES = yaml.safe_load((Path(__file__).resolve().parent.parent / "domain.yml").read_text())["responses"]


def answer(key: str) -> str:
    return RESPONSES[f"utter_faq/{key}"][0]["text"]


# One paraphrase per FAQ key, in none of the training data, as visitors type them.
PARAPHRASES = {
    "therapeutic_vs_regular": "whats the actual difference between a medical massage and a normal one",
    "purpose": "what is each type of massage meant to do for me",
    "techniques_used": "which methods does a therapeutic massage therapist use compared to a swedish one",
    "pressure": "is a therapeutic massage more intense pressure wise than a relaxing one",
    "setting": "where do people usually get therapeutic massages done, clinic or spa?",
    "medical_techniques": "can you list the techniques used in medical massage",
    "effleurage": "what does effleurage mean",
    "kneading": "explain the kneading technique to me",
    "lymphatic_drainage": "how does lymph drainage massage work",
    "picking_up": "what's the picking-up technique",
    "skin_rolling": "whats skin rolling",
    "insurance": "is medical massage something my health plan would pay for",
    "tipping": "am i expected to leave a tip for my massage therapist",
    "find_therapist": "how would i go about finding a good medical massage therapist in weho",
    "before_session": "what does the therapist do before the massage starts",
    "during_session": "what happens while the massage is going on",
    "after_session": "anything I should do once the massage is over?",
    "what_to_expect": "walk me through what a session looks like from start to finish",
    "who_benefits": "who is medical massage good for",
}


@pytest.mark.parametrize("key", sorted(PARAPHRASES))
def test_every_faq_key_answers_an_unseen_paraphrase(stack, sender, key):
    assert answer(key) in texts(stack.say(PARAPHRASES[key], sender))


@pytest.mark.parametrize(
    "question, stated",
    [
        ("how much would a 90 minute session set me back?", pricing.price_list()),
        ("do I get charged if I call off my appointment the day before?", policy.CANCELLATION_POLICY),
        ("do your therapists come out to silver lake?", service_area.area_names()),
    ],
)
def test_the_business_terms_are_stated_as_the_booking_applies_them(stack, sender, question, stated):
    assert stated in texts(stack.say(question, sender))


def test_a_question_about_terms_in_the_middle_of_a_booking_then_the_booking_goes_on(stack, sender):
    texts(stack.say("book a 60 minute swedish massage", sender))
    reply = texts(stack.say("what's the cancellation policy?", sender))
    assert policy.CANCELLATION_POLICY in reply and "address" in reply
    assert "When would you like" in texts(stack.say("8500 Sunset Blvd, West Hollywood 90069", sender))


def test_follow_up_on_a_technique_after_the_list(stack, sender):
    assert answer("medical_techniques") in texts(stack.say("what techniques does medical massage use?", sender))
    assert answer("kneading") in texts(stack.say("tell me more about kneading", sender))


def test_doctor_prescription_follow_up_stays_on_insurance(stack, sender):
    assert answer("insurance") in texts(stack.say("does insurance cover medical massage?", sender))
    reply = texts(stack.say("what if my doctor prescribed it?", sender))
    assert "prescri" in reply.lower()
    assert answer("tipping") not in reply


def test_tell_me_more_follows_the_last_topic(stack, sender):
    stack.say("do insurance plans pay for this kind of massage", sender)
    assert RESPONSES["utter_faq_more_insurance"][0]["text"] in texts(stack.say("tell me more", sender))


def test_health_note_comes_once_per_conversation(stack, sender):
    note = RESPONSES["utter_health_note"][0]["text"]
    first = texts(stack.say("who benefits from medical massage?", sender))
    second = texts(stack.say("what is lymphatic drainage", sender))
    assert note in first
    assert note not in second


def test_greeting_offers_buttons(stack, sender):
    messages = stack.say("hi there", sender)
    assert "virtual assistant" in texts(messages)
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Therapeutic vs regular massage", "Find a therapist", "Book a massage"
    ]


def test_help_lists_what_it_does_with_buttons(stack, sender):
    messages = stack.say("what can you do?", sender)
    assert "book a vetted therapist" in texts(messages)
    assert "Talk to a person" in [b["title"] for b in messages[0]["buttons"]]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("are you a bot?", "I'm a virtual assistant, not a person."),
        ("thanks a lot!", "anything else"),
        ("bye for now", ""),
        ("what's the weather going to be like tomorrow", "I don't know that one"),
        ("I have crushing chest pain right now", "call 911 now"),
    ],
)
def test_small_talk_and_safety(stack, sender, message, expected):
    reply = texts(stack.say(message, sender))
    assert reply
    assert expected.lower() in reply.lower()


def test_asking_for_a_human_records_a_handoff_and_says_so(stack, sender):
    reply = texts(stack.say("I want to talk to a real person", sender))
    assert "asked a person from our team" in reply
    assert "request #" in reply


def test_gibberish_gets_did_you_mean_or_rephrase_never_a_confident_answer(stack, sender):
    reply = stack.say("flurb wozzle the grink", sender)
    combined = texts(reply).lower()
    # Any of: "did you mean ...?", "say it another way", "I don't know that one", or, when
    # it reads like an answer to no question (e.g. a name), "not sure what that's for" and the tasks.
    admitted = ("not sure i understood", "say it another way", "don't know that one", "not sure what that's for")
    assert any(phrase in combined for phrase in admitted), combined
    assert all(answer(key) not in texts(reply) for key in PARAPHRASES)


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1, 2]", b'{"sender": "x"}', b'{"sender": 5, "message": "hi"}', b'{"message": "hi"}'],
)
def test_malformed_requests_get_a_400_that_says_why(stack, body):
    response = requests.post(f"{stack.url}/webhooks/rest/webhook", data=body, timeout=30)
    assert response.status_code == 400
    assert response.json()["error"]


# The cases every channel is tested with, and two more of this test's own.
ODD_INPUT = {
    **BLANK_TEXTS,
    **ODD_TEXTS,
    "100kB-one-word": "x" * 100_000,
    "sql-in-a-name": "Robert'); DROP TABLE bookings;--",
}


@pytest.mark.parametrize("message", ODD_INPUT.values(), ids=ODD_INPUT.keys())
def test_odd_input_gets_a_clear_reply_and_no_error(stack, sender, message):
    response = requests.post(
        f"{stack.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
    )
    assert response.status_code == 200
    assert texts(response.json()).strip()
    # The conversation still works afterwards.
    assert answer("tipping") in texts(stack.say("do I need to tip?", sender))
