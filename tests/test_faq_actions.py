"""FAQ and fallback actions, run on trackers built from JSON fixtures (financial-demo style)."""

from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerFaq, ActionFaqMore
from actions.handoff import ActionAskAffirmation
from conftest import load_fixture
from massage.faq_topics import TITLES

DOMAIN = yaml.safe_load((Path(__file__).resolve().parent.parent / "domain.yml").read_text())


def run(action, fixture: str):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, Tracker.from_dict(load_fixture(f"faq/{fixture}")), DOMAIN)
    return events, dispatcher.messages


def templates(messages):
    return [m["response"] for m in messages]


def test_answers_the_selected_faq_and_remembers_the_topic_with_a_one_time_health_note():
    events, messages = run(ActionAnswerFaq(), "insurance_question.json")
    assert templates(messages) == ["utter_faq/insurance", "utter_health_note"]
    assert events == [SlotSet("faq_topic", "insurance"), SlotSet("health_note_given", True)]


def test_the_price_answer_states_the_prices_bookings_are_charged():
    events, messages = run(ActionAnswerFaq(), "prices_question.json")
    assert messages == [
        {
            "text": None, "buttons": [], "elements": [], "custom": {}, "template": "utter_faq/prices",
            "response": "utter_faq/prices", "image": None, "attachment": None,
            "prices": "- medical (therapeutic) massage: 60 min $140, 90 min $195, 120 min $250\n"
                      "- relaxation massage: 60 min $120, 90 min $165, 120 min $210",
        }
    ]  # fmt: skip
    assert events == [SlotSet("faq_topic", "prices")]


def test_health_note_is_not_repeated_and_not_given_for_non_health_topics():
    events, messages = run(ActionAnswerFaq(), "tipping_question_after_health_note.json")
    assert templates(messages) == ["utter_faq/tipping"]
    assert events == [SlotSet("faq_topic", "tipping")]


def test_button_payload_topic_wins_over_nlu():
    events, messages = run(ActionAnswerFaq(), "button_kneading.json")
    assert templates(messages) == ["utter_faq/kneading"]
    assert events == [SlotSet("faq_topic", "kneading")]


def test_tell_me_more_uses_the_remembered_topic():
    events, messages = run(ActionFaqMore(), "more_after_insurance.json")
    assert templates(messages) == ["utter_faq_more_insurance"]
    assert events == []


def test_tell_me_more_without_more_text_offers_related_topics():
    _, messages = run(ActionFaqMore(), "more_after_kneading.json")
    assert templates(messages) == ["utter_faq_related"]
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Effleurage", "Lymphatic drainage", "Picking up", "Skin rolling"
    ]
    assert messages[0]["buttons"][0]["payload"] == '/faq{"faq_topic": "effleurage"}'


def test_tell_me_more_with_no_topic_asks_which_topic():
    events, messages = run(ActionFaqMore(), "more_without_topic.json")
    assert templates(messages) == ["utter_ask_faq_topic"]
    assert events == []


def test_did_you_mean_offers_the_likeliest_faq_answers_and_intents():
    events, messages = run(ActionAskAffirmation(), "unclear_message.json")
    assert events == [SlotSet("unclear_question", "doctor thing cover??")]  # kept for "Something else"
    assert [(b["title"], b["payload"]) for b in messages[0]["buttons"]] == [
        ("Insurance", '/faq{"faq_topic": "insurance"}'),
        ("Who benefits", '/faq{"faq_topic": "who_benefits"}'),
        ("Book a massage", "/book_massage"),
        ("Something else", "/out_of_scope"),
    ]


@pytest.mark.parametrize("response", [f"utter_faq/{key}" for key in TITLES])
def test_every_faq_key_of_the_contract_has_an_answer(response):
    assert DOMAIN["responses"][response][0]["text"].strip()


def test_an_unsure_answer_is_not_given_the_likeliest_topics_are_offered():
    events, messages = run(ActionAnswerFaq(), "unsure_which_answer.json")
    assert events == [SlotSet("unclear_question", "is massage something my plan does")]
    assert messages[0]["text"] == "I want to get this right. Which of these did you mean?"
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "What each kind is for", "Insurance", "Who benefits", "Something else"
    ]
