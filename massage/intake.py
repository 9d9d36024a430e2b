"""The short health intake before a booking, and which answers need a doctor's clearance.

A massage is not a medical assessment; these questions only catch the situations in
which a therapist must not work without a doctor's say-so. The answers are kept with
the booking so the therapist can read them before the visit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# key -> question, asked in this order; every question is answered yes or no.
QUESTIONS = {
    "recent_surgery_or_injury": "Have you had surgery or a significant injury in the last 3 months?",
    "blood_clots": "Have you ever had a blood clot (for example DVT), or do you take blood thinners?",
    "fever": "Do you have a fever, or feel unwell with a cold or flu, at the moment?",
    "pregnancy": "Are you pregnant?",
    "doctor_prescribed": "Has a doctor prescribed or recommended massage for you?",
}
# Answers of "yes" that stop the booking until a doctor clears it.
RED_FLAGS = {
    "recent_surgery_or_injury": "a recent surgery or injury",
    "blood_clots": "a history of blood clots or blood thinners",
    "fever": "a fever or current illness",
}
# Answers of "yes" the therapist needs to know about.
NOTES = {
    "pregnancy": "Client is pregnant: use prenatal positioning and pressure.",
    "doctor_prescribed": "Massage prescribed or recommended by a doctor: bring the paperwork.",
}

_YES = re.compile(
    r"^(?:y|yes|yeah|yep|yup|ya|sure|correct|right|true|i am|i have|i do|i did|i had|i was|"
    r"affirmative|definitely|of course|unfortunately yes)\b"
)
_NO = re.compile(
    r"^(?:n|no|nope|nah|not really|never|none|i am not|i'm not|im not|i have not|i haven't|"
    r"i havent|i do not|i don't|i dont|negative|not at all|false)\b"
)


_UNSURE = re.compile(r"\b(?:not sure|unsure|don't know|dont know|do not know|maybe|idk|no idea|perhaps)\b")


@dataclass(frozen=True)
class Assessment:
    """What the intake answers mean for the booking."""

    red_flags: tuple[str, ...]  # keys of RED_FLAGS answered yes
    notes: tuple[str, ...]  # notes for the therapist

    @property
    def cleared(self) -> bool:
        return not self.red_flags

    def clearance_message(self) -> str:
        reasons = " and ".join(RED_FLAGS[key] for key in self.red_flags)
        return (
            f"Thank you for telling me. Because of {reasons}, please get your doctor's "
            "clearance first. Massage can be risky in that situation, so I can't book a "
            "session right now. Once your doctor says it's fine, I'll be glad to book one."
        )


def is_unsure(text: str) -> bool:
    """'not sure', 'I don't know', 'maybe': an answer that is neither yes nor no."""
    return bool(_UNSURE.search(" ".join((text or "").lower().replace("’", "'").split())))


def parse_yes_no(text: str) -> bool | None:
    """True for yes, False for no, None when the answer is neither."""
    answer = " ".join((text or "").lower().replace("’", "'").split())
    if _UNSURE.search(answer):
        return None
    if _NO.match(answer):
        return False
    if _YES.match(answer):
        return True
    return None


def assess(answers: dict[str, bool]) -> Assessment:
    """Red flags and therapist notes from a full set of yes/no answers."""
    missing = set(QUESTIONS) - set(answers)
    if missing:
        raise ValueError(f"unanswered intake questions: {sorted(missing)}")
    return Assessment(
        red_flags=tuple(key for key in QUESTIONS if key in RED_FLAGS and answers[key]),
        notes=tuple(NOTES[key] for key in QUESTIONS if key in NOTES and answers[key]),
    )


def is_red_flag(key: str, answer: bool) -> bool:
    """Does this one answer stop the booking? (The form stops at the first red flag.)"""
    return answer and key in RED_FLAGS


def intake_record(answers: dict[str, bool]) -> dict:
    """What is stored with the booking for the therapist."""
    assessment = assess(answers)
    return {"answers": {key: answers[key] for key in QUESTIONS}, "notes": list(assessment.notes)}


# The red flags, and pregnancy, as people mention them in their own words ("I had knee surgery
# last week", "I'm on blood thinners"): health messages outside the intake get its guidance.
_MENTIONS = {
    "recent_surgery_or_injury": r"surger(?:y|ies)|operat(?:ion|ed)|injur(?:y|ies|ed)|broke|broken|fractur\w*|"
    r"sprain\w*|torn|tore|dislocat\w*|stitches|accident|whiplash|concussion|c-section|c section|"
    r"ca?esarean|(?:knee|hip|shoulder|joint) replacement",
    "blood_clots": r"clots?|dvt|thrombo\w*|embolism|blood[\s-]*thinners?|anticoagulants?|warfarin|eliquis|xarelto",
    "fever": r"fever\w*|temperature|flu|covid|a cold|sick(?! of)|unwell|ill|infection",
    "pregnancy": r"pregnan\w*|expecting|trimester|weeks along|baby bump",
}


def mentioned(text: str) -> tuple[str, ...]:
    """Keys of QUESTIONS whose situation a free message describes, in QUESTIONS order."""
    clean = " ".join((text or "").lower().replace("’", "'").split())
    return tuple(
        key for key, words in _MENTIONS.items() if re.search(r"\b(?:" + words + r")\b", clean)
    )


def red_flags_in(text: str) -> tuple[str, ...]:
    """The red flags a free message describes: they need a doctor's clearance, as in the intake."""
    return tuple(key for key in mentioned(text) if key in RED_FLAGS)
