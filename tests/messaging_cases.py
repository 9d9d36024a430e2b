"""What a messaging-app user should get, read from the assistant's own domain and directory data."""

import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Set, Tuple

import pytest
import yaml

from channels.formatting import EMPTY_TEXT_REPLY
from conftest import ROOT, Stack

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
THERAPISTS = yaml.safe_load((ROOT / "data" / "directory" / "therapists.yml").read_text())["therapists"]

FAQ_QUESTION = "does insurance cover medical massage?"
SEARCH_REQUEST = "can you find me a therapist who does lymphatic drainage?"
# The contract's intent; the test runs once the assistant has the search flow.
needs_search = pytest.mark.skipif(
    "search_therapists" not in DOMAIN["intents"], reason="the assistant has no therapist search yet"
)


# Text a user (or an attacker) may send. Each must get a clear reply and leave the conversation working.
ODD_TEXTS = {
    "100kB": "massage " * 12_800,
    "nul-bidi-bom": "\u202eevil\u0000 text \ufeff",
    "lone-surrogate": "how much\ud800 is it?",
    "zalgo": "m\u0336\u0321a\u0335\u0358s\u0337s\u0334a\u0338g\u0336e\u0335 \u0337?",
    "rtl": "כמה עולה עיסוי? كم سعر التدليك؟",
    "emoji": "😀🙏💆‍♀️",
    "sql": "'; DROP TABLE bookings; --",
    "html": "<script>alert('hi')</script><img src=x onerror=alert(1)>",
}
# Text that is empty once cleaned.
BLANK_TEXTS = {"empty": "", "whitespace": " \n\t\u200b "}
# The markup of ODD_TEXTS["html"]; a reply must never carry it back.
ECHOED_MARKUP = re.compile(r"<\s*(script|img)\b|onerror", re.I)


def clear_replies(texts: List[str]) -> bool:
    """Whether there is at least one reply, and every reply has words and no echoed markup."""
    return bool(texts) and all(re.search(r"\w", text) and not ECHOED_MARKUP.search(text) for text in texts)


# In a bad-input case: any clear reply will do (see assert_replied).
ANY_CLEAR_REPLY = object()


def text_cases(make: Callable[[str, str], Any], status: int, blank: Dict[str, str] = BLANK_TEXTS) -> Dict[str, tuple]:
    """The bad-input cases every messaging channel has, as (make(user, text), status, reply):
    blank texts get EMPTY_TEXT_REPLY, odd ones any clear reply."""
    return {
        **{f"text-{name}": (lambda user, text=text: make(user, text), status, EMPTY_TEXT_REPLY)
           for name, text in blank.items()},
        **{f"text-{name}": (lambda user, text=text: make(user, text), status, ANY_CLEAR_REPLY)
           for name, text in ODD_TEXTS.items()},
    }  # fmt: skip


def assert_replied(said: List[str], reply: Any) -> None:
    """What a bad-input case got: any clear replies (ANY_CLEAR_REPLY), none (None), or just `reply`."""
    if reply is ANY_CLEAR_REPLY:
        assert clear_replies(said), said
    else:
        assert said == ([] if reply is None else [reply]), said


def database_state(stack: Stack) -> Tuple[Set[str], int]:
    """The tables of the stack's database, and how many bookings it holds."""
    with closing(sqlite3.connect(stack.workdir / "massage.db")) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return tables, db.execute("SELECT count(*) FROM bookings").fetchone()[0]


def faq_answer(key: str) -> str:
    return DOMAIN["responses"][f"utter_faq/{key}"][0]["text"]


def greeting_buttons() -> List[Dict[str, str]]:
    """The greeting's buttons as users get them: rendered by Rasa, so `{{...}}` payloads come out as `{...}`."""
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator

    empty_slots = {slot: None for slot in DOMAIN["slots"]}
    greeting = DOMAIN["responses"]["utter_greet"][:1]
    return TemplatedNaturalLanguageGenerator({"utter_greet": greeting}).generate_from_slots(
        "utter_greet", empty_slots, "rest")["buttons"]


def found_lymphatic_drainage_therapists(reply: str) -> bool:
    """Whether the reply names therapists who do lymphatic drainage, and no one who doesn't."""
    named = {t["name"] for t in THERAPISTS if t["name"] in reply}
    doing_it = {t["name"] for t in THERAPISTS if "lymphatic_drainage" in t["techniques"]}
    return bool(named) and named <= doing_it


@dataclass(frozen=True)
class Tap:
    """Tapping the offered button with this title; no title taps the first one (e.g. the first free time)."""

    title: str | None = None


Answer = Tap | str
BOOKING_REFERENCE = re.compile(r"\bWH-[A-Z0-9]{4,}\b")
# What a messaging-app user answers to each question, from the greeting to the confirmation:
# (pattern of the bot's last message, a button to tap or text to type).
BOOKING_SCRIPT: List[Tuple[str, Answer]] = [
    (r"how can i help\?", Tap("Book a massage")),
    (r"medical \(therapeutic\).*relaxation", Tap("Medical / therapeutic")),
    (r"any technique", Tap("Deep tissue")),
    (r"how long should the session", Tap("60 min")),
    (r"street address|zip code", "8500 Sunset Blvd, West Hollywood 90069"),
    (r"these times are free|nearest free times", Tap()),
    (r"when would you like the therapist", "next Tuesday at 11am"),
    (r"what name", "Jane Doe"),
    (r"mobile number", "(310) 555-0123"),
    (r"email address", "jane@example.com"),
    (r"get in: parking", "street parking, no pets"),
    (r"surgery|blood clot|fever|pregnant", Tap("No")),
    (r"doctor prescribed", Tap("Yes")),
    (r"shall i book it", Tap("Yes, book it")),
]


def book_a_massage(send: Callable[[Answer], List[str]]) -> str:
    """Follows BOOKING_SCRIPT from a greeting to the confirmation, which it returns.

    `send` answers the platform's way (a tap on one of the last offered buttons, or typed text)
    and returns the texts of the bot's replies, in order.
    """
    replies = send("hi")
    for _ in range(len(BOOKING_SCRIPT) + 4):  # the intake asks five questions of one pattern
        said = "\n".join(replies)
        if BOOKING_REFERENCE.search(said):
            return said
        question = replies[-1]
        answer = next((a for pattern, a in BOOKING_SCRIPT if re.search(pattern, question, re.I | re.S)), None)
        assert answer is not None, f"unexpected question in the booking: {said}"
        replies = send(answer)
    raise AssertionError(f"no booking reference after {len(BOOKING_SCRIPT) + 4} answers; last replies: {replies}")


def booking_row(stack: Stack, reference: str) -> Tuple[str, str, str] | None:
    """(client name, status, conversation id) of the booking in the stack's database."""
    with closing(sqlite3.connect(stack.workdir / "massage.db")) as db:
        return db.execute(
            "SELECT client_name, status, conversation_id FROM bookings WHERE reference = ?", (reference,)
        ).fetchone()
