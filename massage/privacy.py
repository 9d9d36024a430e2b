"""Keeps personal data out of logs: phone numbers, emails, street addresses and health answers.

`RedactingFilter` masks them in a log record's message, arguments and traceback. Installed
through `deploy/logging.yml` (`--logging-config-file` of `rasa run` and `rasa run actions`),
it also wraps the log-record factory, so every record of the process is masked when it is
made: Rasa replaces the console handler after reading that file, and handler filters alone
would be lost with it.
"""

from __future__ import annotations

import logging
import re

from massage.service_area import STREET_ADDRESS

MASK = "[redacted]"

# Slots whose values are personal: contact details, the visit address and the health intake.
PERSONAL_SLOTS = (
    r"client_name|client_phone|client_email|booking_address|booking_zip|access_notes|lookup_phone|callback_contact"
    r"|intake_\w+"
)

# Ways to reach a person or find their home: an email, a street address, a phone number.
_CONTACT_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), MASK),
    # Street addresses, as the booking form finds them in a message.
    (STREET_ADDRESS, MASK),
    # Phone numbers: ten digits, an optional country code, the usual separators.
    (re.compile(r"(?<![\w.])(?:\+?\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?![\w.])"), MASK),
]

# (pattern, replacement): a kept prefix in group 1 where there is one.
_PATTERNS = [
    # Rasa's debug lines quote what the visitor typed; any of it may be a health answer.
    (re.compile(r"(Received user message ')(?:[^'\\]|\\.)*(?=')", re.S), rf"\1{MASK}"),
    (re.compile(r"(UserUttered\(text: )[^,]*(?=, intent)"), rf"\1{MASK}"),
    # Policies' state descriptions: "[state 3] user text: ... | previous action name: ...".
    (re.compile(r"(user text: ).*?(?= \| |\\n|$)", re.M), rf"\1{MASK}"),
    # JSON lines (Rasa's structlog events, e.g. "parse_data_text"): the visitor's words.
    (re.compile(r"(\"(?:\w+_)?text\": \")(?:[^\"\\]|\\.)*(?=\")"), rf"\1{MASK}"),
    # Rasa's slot listing, one "\tslot: value" a line, raw or escaped in a JSON line: the value
    # runs to the end of its line, commas and all ("street parking, gate code 1234").
    (re.compile(rf"((?<=\t)(?:{PERSONAL_SLOTS}): ).*"), rf"\1{MASK}"),
    (re.compile(rf"((?<=\\t)(?:{PERSONAL_SLOTS}): )(?:[^\"\\]|\\[^n])*"), rf"\1{MASK}"),
    # slot: value, 'slot': value; in JSON lines a slot name may follow an escaped newline, where
    # \b finds no boundary.
    (
        re.compile(rf"((?:\b|(?<=\\n))(?:{PERSONAL_SLOTS})['\"]?: )(?:'[^']*'|\"[^\"]*\"|[^,)\n}}\\]*)"),
        rf"\1{MASK}",
    ),
    # The value may hold parentheses ("(310) 555-0142"): it ends at the ")" that closes SlotSet.
    (re.compile(rf"(\bkey: (?:{PERSONAL_SLOTS}), value: ).*?(?=\)(?:[\"',\]]|$))", re.M), rf"\1{MASK}"),
    # What the bot says back: the booking summary's address, contact and access-notes lines
    # (actions.booking.describe_booking) and the address of a booking looked up (describe_existing).
    (re.compile(r"((?:(?<=\n)|(?<=\\n))- (?:at|for|access notes:) ).*?(?=\n|\\+n|$)", re.M), rf"\1{MASK}"),
    (re.compile(r"(, at ).*?(?=\. Price )"), rf"\1{MASK}"),
    # Entity values, as Rasa logs them (JSON or Python repr): each is a piece of what was typed
    # (spaCy may call a gate code a DATE), so all are masked; entity names stay.
    (
        re.compile(r"""(["']entity["']: ["'][^"']+["'][^{}]*?["']value["']: )(["'])(?:(?!\2).)*\2"""),
        rf"\1\2{MASK}\2",
    ),
    *_CONTACT_PATTERNS,
    # Health intake answers typed in full.
    (
        re.compile(
            r"\b(?:pregnan\w*|surger\w*|injur\w*|blood[- ]?clots?|dvt|blood[- ]?thinners?|fever\w*|"
            r"flu|diabet\w*|cancer|chemo\w*|herniat\w*|fractur\w*|sciatica|prescri\w*|medication\w*)\b",
            re.I,
        ),
        MASK,
    ),
]


def redact_contacts(text: str) -> str:
    """`text` without emails, street addresses and phone numbers: for what staff must read, such
    as a question the assistant could not answer."""
    for pattern, replacement in _CONTACT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(text: str) -> str:
    """`text` with every personal detail replaced by [redacted]."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks personal data in a record in place; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as its template
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._redacted = True
        return True


def install() -> RedactingFilter:
    """Masks every log record of this process from now on; returns the filter for handlers."""
    redacting = RedactingFilter()
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacts_personal_data", False):

        def redacting_factory(*args, **kwargs) -> logging.LogRecord:
            record = factory(*args, **kwargs)
            redacting.filter(record)
            return record

        redacting_factory.redacts_personal_data = True
        logging.setLogRecordFactory(redacting_factory)
    return redacting
