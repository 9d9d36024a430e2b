"""Questions the assistant could not answer: recorded when it says "I don't know that one",
grouped for the owner, labelled with a topic and exported as training examples."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import List

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from massage.models import UnansweredQuestion, utcnow
from massage.privacy import redact_contacts

_NOT_WORD = re.compile(r"[^\w']+")


def normalize(text: str) -> str:
    """The question folded for grouping: "Do you do  CUPPING?" and "do you do cupping" are one."""
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())[:500]


def record(session: Session, conversation_id: str, channel: str, text: str) -> UnansweredQuestion:
    clean = redact_contacts(text.strip())[:2000]
    question = UnansweredQuestion(
        conversation_id=conversation_id, channel=channel, text=clean, normalized=normalize(clean)
    )
    session.add(question)
    session.flush()
    return question


@dataclass(frozen=True)
class QuestionGroup:
    normalized: str
    example: str  # one of the texts as typed
    count: int
    last_asked: datetime
    label: str | None


def grouped(session: Session, labelled: bool | None = None) -> List[QuestionGroup]:
    """One row per distinct question, the most asked first; `labelled` filters on having a label."""
    query = select(
        UnansweredQuestion.normalized,
        func.min(UnansweredQuestion.text),
        func.count(),
        func.max(UnansweredQuestion.created_at),
        func.max(UnansweredQuestion.label),
    ).group_by(UnansweredQuestion.normalized)
    if labelled is True:
        query = query.having(func.max(UnansweredQuestion.label).is_not(None))
    elif labelled is False:
        query = query.having(func.max(UnansweredQuestion.label).is_(None))
    rows = session.execute(query.order_by(func.count().desc(), func.max(UnansweredQuestion.created_at).desc()))
    return [
        QuestionGroup(normalized, example, count, last, label)
        for normalized, example, count, last, label in rows
    ]


def label(session: Session, normalized: str, topic: str, by: str) -> int:
    """Give every question of a group the topic `topic`; returns how many were labelled."""
    questions = session.execute(
        select(UnansweredQuestion).where(UnansweredQuestion.normalized == normalized)
    ).scalars().all()
    for question in questions:
        question.label, question.labelled_by, question.labelled_at = topic, by, utcnow()
    return len(questions)

