"""Cleaning what users type before anything else reads it."""

import re
import unicodedata

# Longer messages are cut: nobody types a 100 kB question, and NLU time grows with length.
MAX_MESSAGE_CHARS = 1000

# Control, zero-width and bidi characters, and lone surrogates (from a JSON "\ud800" escape),
# which cannot be encoded as UTF-8 and would break whatever stores or logs the text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def clean_user_text(text: str) -> str:
    """NFKC-normalised text without control, bidi or surrogate characters, squeezed and length-capped."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS].rsplit(" ", 1)[0]
    return text
