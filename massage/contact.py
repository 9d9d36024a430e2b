"""Client contact details: names, mobile numbers (E.164) and email addresses."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

DEFAULT_REGION = "US"
MAX_NAME = 80
# Numbers a therapist can text on the day: US numbers cannot be told apart from
# landlines, so "fixed line or mobile" counts; a number known to be fixed does not.
_TEXTABLE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
_NAME_INTRO = re.compile(
    r"^(?:my name is|my name's|name's|name is|i am|i'm|im|it's|its|this is|call me|"
    r"(?:put it|book it|the booking is) (?:under|for))\s+",
    re.I,
)
_NAME_OUTRO = re.compile(r"[\s,]+(?:please|pls|thanks|thank you)$", re.I)
# Words typed in passing that are no one's name, so "lol" is not booked as Lol.
_NOT_NAMES = {"lol", "haha", "huh", "hmm", "hm", "ok", "okay", "idk", "nvm", "what", "why", "no", "yes", "none"}
_COMMAND_WORDS = {"stop", "cancel", "never", "mind", "help", "quit", "exit", "person", "human", "agent", "forget"}
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '’.\-][^\W\d_]*)*$")
_EMAIL_TOKEN = re.compile(r"[^\s<>\"',;()]+@[^\s<>\"',;()]+")


def normalise_phone(text: str) -> str | None:
    """The first valid mobile number in the text as E.164 ('+13105550123'), or None."""
    if not text or len(text) > 200:
        return None
    for match in phonenumbers.PhoneNumberMatcher(text, DEFAULT_REGION):
        number = match.number
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in _TEXTABLE:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def display_phone(e164: str) -> str:
    """'+13105550123' -> '(310) 555-0123' (international format outside the US)."""
    number = phonenumbers.parse(e164, DEFAULT_REGION)
    if number.country_code == 1:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_email(text: str) -> str | None:
    """The email address in the text, normalised (domain lower-cased), or None if invalid.

    Only the syntax is checked: no DNS look-ups, so it works offline and fast.
    """
    if not text or len(text) > 320:
        return None
    match = _EMAIL_TOKEN.search(unicodedata.normalize("NFKC", text))
    if match is None:
        return None
    try:
        return validate_email(match.group(0).rstrip("."), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def typed_as_a_name(text: str) -> bool:
    """Two to four words, each capitalised as people write their names ("Rosalind Quimby").

    NLU may read an unusual name as a command; written like this, and with no command word,
    it is an answer to "What name?".
    """
    words = " ".join((text or "").split()).strip(" .,!").split(" ")
    return (
        2 <= len(words) <= 4
        and all(word[:1].isupper() for word in words)
        and not _COMMAND_WORDS.intersection(word.lower() for word in words)
        and clean_name(text) is not None
    )


def clean_name(text: str) -> str | None:
    """A person's name as typed ("my name is jane doe" -> "Jane Doe"), or None."""
    if not text:
        return None
    name = " ".join(unicodedata.normalize("NFKC", text).split()).strip(" .,!")
    name = _NAME_OUTRO.sub("", _NAME_INTRO.sub("", name)).strip(" .,!")
    if not (1 <= len(name) <= MAX_NAME) or not _NAME_CHARS.match(name) or name.lower() in _NOT_NAMES:
        return None
    if name == name.lower() or name == name.upper():
        name = " ".join(part[:1].upper() + part[1:].lower() for part in name.split(" "))
    return name
