"""Cleaning what users type before anything else reads it."""

import re
import unicodedata

# Longer messages are cut: nobody types a 100 kB question, and NLU time grows with length.
MAX_MESSAGE_CHARS = 1000

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def clean_user_text(text: str) -> str:
    """NFKC-normalised text without control or bidi characters, squeezed and length-capped."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS].rsplit(" ", 1)[0]
    return text
