"""Answer actions on real sentences: two topics in one message, follow-ups that stay in their
topic, health red flags in and out of a booking, and the honest "I don't know that one"."""

import pytest
from answers import DOMAIN, message_tracker, render, rendered, run
from rasa_sdk.events import SlotSet, UserUtteranceReverted

from actions.faq import ActionAnswerFaq, ActionFaqMore
from actions.handoff import ActionAskAffirmation
from actions.health import ActionHealthConcern
from actions.unanswered import ActionDefaultFallback, ActionUnknownQuestion
from conftest import throwaway_database_url
from massage import intake
from massage.business import FACTS
from massage.db import session_scope, upgrade
from massage.unanswered import grouped

HEALTH_NOTE = DOMAIN["responses"]["utter_health_note"][0]["text"]


def faq_text(topic: str) -> str:
    _, messages = run(ActionAnswerFaq(), message_tracker("q", topic, slots={"health_note_given": True}))
    return rendered(messages)[0]


# --- two topics in one message -----------------------------------------------------------------


def test_two_questions_in_one_message_get_both_answers_in_the_order_asked():
    tracker = message_tracker("do you take insurance and do I tip?", "insurance", faq_topics=["insurance", "tipping"])
    events, messages = run(ActionAnswerFaq(), tracker)
    replies = rendered(messages)
    assert replies[0] == "You asked two things, so here are both: first insurance, then tipping."
    assert replies[1:3] == [faq_text("insurance"), faq_text("tipping")]
    assert replies[3] == HEALTH_NOTE  # insurance touches on health; the note comes once
    assert events == [SlotSet("faq_topic", "tipping"), SlotSet("health_note_given", True)]


def test_two_questions_are_answered_even_when_the_selector_alone_is_unsure_and_repeats_are_dropped():
    tracker = message_tracker(
        "can I pay with HSA, and do you take HSA cards, and how much space do you need",
        "hsa_fsa",
        confidence=0.3,
        faq_topics=["hsa_fsa", "hsa_fsa", "space_needed"],
    )
    _, messages = run(ActionAnswerFaq(), tracker)
    assert rendered(messages)[1:] == [faq_text("hsa_fsa"), faq_text("space_needed")]


def test_an_unknown_second_topic_is_ignored():
    tracker = message_tracker("do I tip?", "tipping", faq_topics=["tipping", "faq/not_a_topic"])
    _, messages = run(ActionAnswerFaq(), tracker)
    assert rendered(messages) == [faq_text("tipping")]


# --- follow-ups stay in their topic -------------------------------------------------------------


def follow_up(text: str, after: str):
    return run(ActionFaqMore(), message_tracker(text, intent="faq_more", slots={"faq_topic": after}))


def test_how_much_is_normal_after_tipping_answers_the_usual_tip():
    events, messages = follow_up("ok and how much would be normal?", after="tipping")
    low, high = FACTS["tip_usual_percent"]
    reply = rendered(messages)[0]
    assert f"{low} to {high}% of the session price is usual" in reply
    assert "$21 to $28 on a 60-minute medical (therapeutic) massage at $140" in reply
    assert events == []  # still on tipping


def test_a_tip_follow_up_with_a_length_works_the_tip_out_for_that_length():
    _, messages = follow_up("and for 90 minutes?", after="tipping")
    assert "$29 to $39 on a 90-minute medical (therapeutic) massage at $195" in rendered(messages)[0]


def test_and_for_two_hours_after_the_prices_gives_the_two_hour_prices():
    events, messages = follow_up("and for two hours?", after="prices")
    assert rendered(messages)[0].startswith(
        "A 120-minute session costs $250 for medical (therapeutic) massage and $210 for relaxation massage"
    )
    assert events == []


def test_what_about_if_im_pregnant_after_who_benefits_answers_prenatal_massage():
    events, messages = follow_up("what about if I'm pregnant?", after="who_benefits")
    assert rendered(messages) == [faq_text("prenatal_massage")]
    assert events == [SlotSet("faq_topic", "prenatal_massage")]


def test_what_about_for_two_people_after_the_prices_answers_couples_sessions():
    _, messages = follow_up("what about for two people?", after="prices")
    assert rendered(messages) == [faq_text("couples_massage")]


def test_how_much_after_a_topic_without_prices_gives_the_prices():
    events, messages = follow_up("and how much does that cost?", after="hotels_and_offices")
    assert rendered(messages) == [faq_text("prices")]
    assert events == [SlotSet("faq_topic", "prices")]


@pytest.mark.parametrize(
    "text, after, read_as, expected",
    [
        ("ok and how much would be normal", "tipping", "prices", "usual, so $21 to $28"),
        ("and for two hours?", "prices", "session_lengths", "A 120-minute session costs $250"),
    ],
)
def test_a_follow_up_nlu_reads_as_another_topic_still_stays_in_the_topic(text, after, read_as, expected):
    events, messages = run(ActionAnswerFaq(), message_tracker(text, read_as, slots={"faq_topic": after}))
    assert expected in rendered(messages)[0] and len(messages) == 1
    assert events == []


def test_an_unclear_follow_up_that_goes_on_from_the_last_answer_is_answered_not_asked_about():
    tracker = message_tracker("and for two hours?", intent="nlu_fallback", slots={"faq_topic": "prices"})
    events, messages = run(ActionAskAffirmation(), tracker)
    assert rendered(messages)[0].startswith("A 120-minute session costs $250") and events == []


def test_an_unclear_message_that_is_no_follow_up_still_gets_did_you_mean():
    tracker = message_tracker("flurb wozzle", intent="nlu_fallback", slots={"faq_topic": "prices"})
    _, messages = run(ActionAskAffirmation(), tracker)
    assert messages[0]["text"] == "Sorry, I'm not sure I understood. Did you mean:"


@pytest.mark.parametrize(
    "text, after, topic",
    [("and skin rolling?", "kneading", "skin_rolling"), ("and if I have to cancel?", "prices", "cancellation_policy")],
)
def test_a_new_question_that_starts_with_and_is_answered_as_asked(text, after, topic):
    tracker = message_tracker(text, topic, slots={"faq_topic": after, "health_note_given": True})
    _, messages = run(ActionAnswerFaq(), tracker)
    assert rendered(messages) == [faq_text(topic)]


def test_tell_me_more_after_tipping_is_the_usual_tip_filled_in():
    _, messages = follow_up("tell me more", after="tipping")
    assert "{" not in rendered(messages)[0] and "usual" in rendered(messages)[0]


def test_tell_me_more_after_a_new_topic_offers_its_related_topics():
    _, messages = follow_up("tell me more", after="hsa_fsa")
    assert [b["title"] for b in messages[0]["buttons"]] == ["Receipts and superbills", "Insurance"]


# --- health red flags anywhere ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, red_flags",
    [
        ("I had knee surgery 5 days ago, can I get a massage tomorrow?", ("recent_surgery_or_injury",)),
        ("had a c-section three weeks ago", ("recent_surgery_or_injury",)),
        ("I'm on Eliquis after a DVT last year", ("blood_clots",)),
        ("I broke my wrist and I've got a temperature", ("recent_surgery_or_injury", "fever")),
        ("I feel sick today, should I still come?", ("fever",)),
        ("I'm sick of my back pain", ()),
        ("I'm 20 weeks pregnant", ()),
        ("my back is killing me", ()),
    ],
)
def test_red_flags_are_read_in_peoples_own_words(text, red_flags):
    assert intake.red_flags_in(text) == red_flags


def health(text: str, **kwargs):
    return run(ActionHealthConcern(), message_tracker(text, intent="health_concern", **kwargs))


def test_recent_surgery_outside_a_booking_gets_the_intakes_clearance_and_the_911_note():
    events, messages = health("I had knee surgery 5 days ago, can I get a massage tomorrow?")
    clearance = intake.Assessment(red_flags=("recent_surgery_or_injury",), notes=()).clearance_message()
    assert rendered(messages) == [clearance, HEALTH_NOTE]
    assert "doctor's clearance" in clearance
    assert events == [SlotSet("health_note_given", True)]


def test_two_red_flags_in_one_message_are_both_named():
    _, messages = health("I'm on blood thinners and running a fever", slots={"health_note_given": True})
    assert rendered(messages) == [
        intake.Assessment(red_flags=("blood_clots", "fever"), notes=()).clearance_message()
    ]


def test_pregnancy_worries_get_the_prenatal_rules_not_a_refusal():
    _, messages = health("I'm pregnant and have been having cramps, is massage safe for the baby?")
    reply = rendered(messages)[0]
    assert FACTS["prenatal"] in reply and "call your doctor now" in reply and "clearance" not in reply


def test_a_health_worry_with_no_named_red_flag_gets_when_to_check_with_a_doctor():
    _, messages = health("I have a medical condition, is it safe for me?")
    reply = rendered(messages)[0]
    assert "ask your doctor" in reply and intake.RED_FLAGS["fever"] in reply and "911" in reply


def test_a_red_flag_told_in_the_middle_of_a_booking_stops_it_as_the_intake_would():
    events, messages = health(
        "actually I broke my ankle two weeks ago",
        slots={"requested_slot": "client_name", "health_note_given": True},
        active_loop="booking_form",
    )
    assert "doctor's clearance" in rendered(messages)[0]
    assert events == [SlotSet("intake_recent_surgery_or_injury", True), SlotSet("booking_stopped", True)]


def test_an_answer_to_the_intakes_own_question_is_left_to_the_form():
    events, messages = health(
        "yes I had surgery last month", slots={"requested_slot": "intake_recent_surgery_or_injury"},
        active_loop="booking_form",
    )  # fmt: skip
    assert (events, messages) == ([], [])


# --- questions no topic covers ------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, monkeypatch):
    with throwaway_database_url(request.param, tmp_path / "answers.db") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        upgrade()
        yield


def test_a_question_no_topic_covers_is_admitted_recorded_and_offered_to_the_team(database):
    tracker = message_tracker("Do you do cupping? call me on 310-555-0142", intent="out_of_scope")
    events, messages = run(ActionUnknownQuestion(), tracker)
    reply = rendered(messages)[0]
    assert reply.startswith("I don't know that one") and "8am–8pm Pacific" in reply
    assert [b["payload"] for b in render(messages[0])["buttons"]] == ["/human_handoff", "/help"]
    assert events == [SlotSet("unclear_question", None)]
    with session_scope() as db:
        [group] = grouped(db)
    assert group.normalized.startswith("do you do cupping") and "310-555-0142" not in group.example


def test_something_else_after_did_you_mean_records_the_question_it_asked_about(database):
    unsure = message_tracker("can I bring my own massage table?", "what_therapist_brings", confidence=0.3)
    events, _ = run(ActionAnswerFaq(), unsure)
    assert events == [SlotSet("unclear_question", "can I bring my own massage table?")]
    unclear = {"unclear_question": events[0]["value"]}
    something_else = message_tracker("/out_of_scope", intent="out_of_scope", slots=unclear)
    events, _ = run(ActionUnknownQuestion(), something_else)
    assert events == [SlotSet("unclear_question", None)]
    with session_scope() as db:
        assert [g.example for g in grouped(db)] == ["can I bring my own massage table?"]


def test_the_last_fallback_stage_is_the_same_honest_answer_and_takes_the_message_back(database):
    events, messages = run(ActionDefaultFallback(), message_tracker("blorp the zintle", intent="nlu_fallback"))
    assert rendered(messages)[0].startswith("I don't know that one")
    assert events == [SlotSet("unclear_question", None), UserUtteranceReverted()]


def test_the_answer_still_goes_out_when_the_database_is_down(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:1/none")
    _, messages = run(ActionUnknownQuestion(), message_tracker("do you do reiki?", intent="out_of_scope"))
    assert rendered(messages)[0].startswith("I don't know that one")
