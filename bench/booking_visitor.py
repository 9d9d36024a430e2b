"""A visitor who books a massage over the REST channel, answering whatever the bot asks.

The fifty users of tests/test_prod_mode.py and the visitors of the fault soak
(bench/fault_soak.py) are these, each with its own way of sending a message.
"""

import random
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Dict, List

import yaml

RESPONSES = yaml.safe_load((Path(__file__).resolve().parent.parent / "domain.yml").read_text())["responses"]
MAX_TURNS_PER_BOOKING = 30
BOOKED = re.compile(r"You're booked! Your reference is (WH-[A-Z0-9]+): (.+?) will come on (.+?)\. The price")
LOST_AT_CHECK = "isn't available"  # the wished time was taken before the summary
LOST_AT_CONFIRMATION = RESPONSES["utter_slot_just_taken"][0]["text"]  # taken between summary and "yes"
QUESTION = {name: RESPONSES[name][0]["text"] for name in (
    "utter_ask_booking_address", "utter_ask_client_name", "utter_ask_client_phone", "utter_ask_client_email",
    "utter_ask_access_notes", "utter_pick_offered_time", "utter_ask_booking_time",
)}
HEALTH_QUESTIONS = {RESPONSES[name][0]["text"] for name in RESPONSES if name.startswith("utter_ask_intake_")}
SHALL_I_BOOK = "Shall I book it?"
# Typed as "my name is ..."; bare names are the conversation tests' and NLU evaluation's concern.
FIRST_NAMES = ["Ada", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gia", "Hugo", "Iris", "Jude"]
LAST_NAMES = ["Moss", "Reed", "Stone", "Vale", "Wren"]


def spoken(moment: datetime) -> str:
    """'December 3 at 10:30am', as a person would type it."""
    return f"{moment:%B} {moment.day} at {moment.hour % 12 or 12}:{moment:%M}{moment:%p}".lower()


def texts(messages: List[Dict]) -> str:
    """All text the bot sent, joined."""
    return "\n".join(m.get("text", "") for m in messages)


@dataclass
class BookingVisitor:
    """Books again and again; `say` (a subclass's) sends one message and returns the bot's
    messages, or None after noting a problem in `problems`."""

    index: int
    sender: str
    deadline: float  # time.monotonic() after which the visitor leaves, mid-booking or not
    booked: List[Dict] = field(default_factory=list)
    lost: List[Dict] = field(default_factory=list)  # races lost, and whether other times were offered
    problems: List[str] = field(default_factory=list)  # HTTP errors, timeouts, failure or odd replies

    def __post_init__(self) -> None:
        self.name = f"{FIRST_NAMES[self.index % 10]} {LAST_NAMES[self.index // 10 % 5]}"
        self.phone = f"(310) 555-01{self.index % 100:02d}"
        self.email = f"load{self.index:02d}@example.com"
        self.random = random.Random(self.index)

    def say(self, text: str) -> List[Dict] | None:
        raise NotImplementedError

    def book(self, wished: datetime) -> None:
        """One booking, from the first request to the reference or until the deadline."""
        self.wished = wished
        message = f"Book a 90 minute deep tissue massage at my place {spoken(wished)}"
        for _ in range(MAX_TURNS_PER_BOOKING):
            if time.monotonic() >= self.deadline:
                return  # the visitor leaves; this booking stays unfinished
            reply = self.say(message)
            if reply is None:
                return
            said = texts(reply)
            confirmed = BOOKED.search(said)
            if confirmed:
                reference, therapist, moment = confirmed.groups()
                self.booked.append({"reference": reference, "therapist": therapist, "time": moment})
                return
            offered = [button["payload"] for m in reply for button in m.get("buttons") or []]
            if LOST_AT_CHECK in said or LOST_AT_CONFIRMATION in said:
                self.lost.append({"at_confirmation": LOST_AT_CONFIRMATION in said, "offered": len(offered)})
            answer = self.answer(reply[-1].get("text", ""), offered)
            if answer is None:
                self.problems.append(f"unexpected reply to {message!r}: {said[:300]!r}")
                return
            message = answer
        self.problems.append(f"no booking after {MAX_TURNS_PER_BOOKING} turns")

    def answer(self, question: str, offered: List[str]) -> str | None:
        """What this visitor types to the bot's last message; None if it asked nothing a booker expects."""
        if SHALL_I_BOOK in question:
            return "yes"
        if question in HEALTH_QUESTIONS:
            return "no"
        answers = {
            QUESTION["utter_ask_booking_address"]: "8500 Sunset Blvd, West Hollywood, CA 90069",
            QUESTION["utter_ask_client_name"]: f"my name is {self.name}",
            QUESTION["utter_ask_client_phone"]: self.phone,
            QUESTION["utter_ask_client_email"]: self.email,
            QUESTION["utter_ask_access_notes"]: "none",
            # Nobody was free near the wished time: try the next day.
            QUESTION["utter_ask_booking_time"]: spoken(self.wished + timedelta(days=1)),
        }
        if question == QUESTION["utter_pick_offered_time"] and offered:
            return self.random.choice(offered)  # tap one of the free times offered
        return answers.get(question)
