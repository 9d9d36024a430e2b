"""How webhook bodies are read and replies shaped for messaging apps, and the shipped messaging credentials."""

import pytest
import yaml

from channels.formatting import (
    EMPTY_TEXT_REPLY,
    NOT_TEXT_REPLY,
    OfferedOptions,
    dig,
    json_object,
    numbered_options,
    platform_id,
    read_text,
    shorten,
    split_text,
)
from conftest import ROOT

BUTTONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def test_short_text_is_one_message():
    assert split_text("  Hello there.  ", 4096) == ["Hello there."]


def test_long_text_breaks_at_paragraphs_then_lines_then_sentences():
    assert split_text("First part.\n\nSecond part.", 20) == ["First part.", "Second part."]
    assert split_text("- one item\n- two items", 15) == ["- one item", "- two items"]
    assert split_text("It helps. It relaxes you. Drink water after.", 30) == [
        "It helps. It relaxes you.",
        "Drink water after.",
    ]


def test_a_word_longer_than_the_limit_is_cut():
    chunks = split_text("x" * 25, 10)
    assert chunks == ["x" * 10, "x" * 10, "x" * 5]


def test_titles_are_shortened_at_a_word_with_an_ellipsis():
    assert shorten("Therapeutic vs regular massage", 20) == "Therapeutic vs…"
    assert shorten("Insurance", 20) == "Insurance"
    assert len(shorten("Supercalifragilisticexpialidocious", 20)) == 20


def test_options_are_numbered_one_per_line():
    assert numbered_options(BUTTONS) == "Reply with a number:\n1. Yes\n2. No"


@pytest.mark.parametrize("answer", ["2", " 2 ", "2.", "2)", "#2", "no", "NO "])
def test_a_number_or_a_title_picks_the_offered_option(answer):
    options = OfferedOptions()
    options.offer("whatsapp:+13105550100", BUTTONS)
    assert options.resolve("whatsapp:+13105550100", answer) == "/deny"


def test_options_belong_to_one_user_and_last_one_message():
    options = OfferedOptions()
    options.offer("alice", BUTTONS)
    assert options.resolve("bob", "1") == "1"
    assert options.resolve("alice", "3") == "3", "no third option: the text goes to the assistant as typed"
    assert options.resolve("alice", "1") == "1", "the offer was used up by the previous message"


def test_only_the_most_recent_users_are_remembered():
    options = OfferedOptions(capacity=2)
    for user in ("a", "b", "c"):
        options.offer(user, BUTTONS)
    assert options.resolve("a", "1") == "1"
    assert options.resolve("c", "1") == "/affirm"


@pytest.mark.parametrize(
    "body", [b"", b"{oops", b"\xff\xfe", b"[1]", b'"text"', b"null", b"[" * 100_000 + b"]" * 100_000]
)
def test_a_body_that_is_no_json_object_reads_as_none(body):
    assert json_object(body) is None


def test_json_objects_are_read_and_dug_into_without_trusting_their_shape():
    update = json_object(b'{"message": {"chat": {"id": 7}, "text": 42}, "edited": "x"}')
    assert dig(update, "message", "chat", "id") == 7
    assert dig(update, "edited", "chat", "id") is None
    assert dig(update, "callback_query", "message") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(123456789, "123456789"), ("-1001234", "-1001234"), ("client:dana_1", "client:dana_1"),
     (True, None), (1.5, None), ("", None), ("x" * 129, None), ("<script>", None), ({"$gt": 0}, None), (None, None)],
)  # fmt: skip
def test_only_plain_chat_and_user_ids_are_replied_to(raw, expected):
    assert platform_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" hi\u0000 ", ("hi", "")), (" \u200b\t", ("", EMPTY_TEXT_REPLY)), ("", ("", EMPTY_TEXT_REPLY)),
     (None, ("", NOT_TEXT_REPLY)), (42, ("", NOT_TEXT_REPLY)), ({"text": "hi"}, ("", NOT_TEXT_REPLY))],
)  # fmt: skip
def test_text_is_cleaned_and_blank_or_missing_text_gets_a_note(raw, expected):
    assert read_text(raw) == expected


def test_messaging_credentials_keep_every_channel_of_credentials_yml_and_no_secret():
    messaging_text = (ROOT / "credentials.messaging.yml").read_text()
    base = yaml.safe_load((ROOT / "credentials.yml").read_text())
    messaging = yaml.safe_load(messaging_text)
    assert {entry: messaging.get(entry) for entry in base} == base
    secrets = ["access_token", "secret_token", "secret", "verify", "page-access-token", "auth_token", "account_sid"]
    for entry in ("channels.telegram.TelegramInput", "channels.facebook.FacebookInput", "channels.twilio.TwilioInput"):
        for key in secrets:
            if key in messaging[entry]:
                assert messaging[entry][key].startswith("${"), f"{entry} {key} must come from the environment"
