"""Cleaning of user text and validation of REST requests, without a server."""

import pytest

from channels.rest import parse_request
from massage.text import MAX_MESSAGE_CHARS, clean_user_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  hello   there \t", "hello there"),
        ("ｆｕｌｌｗｉｄｔｈ text", "fullwidth text"),
        ("bidi\u202e trick\u0000", "bidi trick"),
        ("\ufeffzero\u200bwidth", "zerowidth"),
        ("line one\nline two", "line one\nline two"),
        ("💆‍♀️ massage?", "💆♀️ massage?"),
        ("lone\ud800 surrogate\udfff", "lone surrogate"),
        ("", ""),
    ],
)
def test_clean_user_text(raw, clean):
    assert clean_user_text(raw) == clean


def test_huge_text_is_cut_at_a_word_boundary():
    cleaned = clean_user_text("massage " * 50_000)
    assert len(cleaned) <= MAX_MESSAGE_CHARS
    assert cleaned.endswith("massage")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", "must be JSON"),
        (b"\xff\xfe", "must be JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "must be JSON"),  # too deep for Python's parser
        (b'"just a string"', "JSON object"),
        (b'{"sender": "", "message": "hi"}', '"sender"'),
        (b'{"sender": "a", "message": 42}', '"message" must be a string'),
        (b'{"sender": "a", "message": "hi", "metadata": [1]}', '"metadata"'),
    ],
)
def test_bad_requests_are_explained(body, problem):
    payload, reason = parse_request(body)
    assert payload is None
    assert problem in reason


def test_good_request_passes():
    payload, reason = parse_request(b'{"sender": "abc", "message": "hi", "metadata": {"page": "/"}}')
    assert reason is None
    assert payload["message"] == "hi"
