"""Where the therapists travel: West Hollywood and its neighbours, by ZIP code.

The ZIP codes (data/business.yml) are those the provider directory's therapists cover.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from massage.business import FACTS
from massage.text import clean_user_text

# ZIP code -> the neighbourhood named back to the client; neighbourhood names people use ->
# a ZIP code that covers them (both owner-edited in data/business.yml).
SERVED_ZIPS = dict(FACTS["served_zips"])
NEIGHBOURHOODS = dict(FACTS["neighbourhoods"])
MIN_ADDRESS = 6
MAX_ADDRESS = 200
_ANY_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\b")
# A house number, one to four words (not bare numbers: "60 min at 8500 Sunset Blvd" starts at
# 8500) and a street type, with an optional unit.
STREET_ADDRESS = re.compile(
    r"\b\d{1,6}\s+(?:(?!\d+\s)[A-Za-z0-9.'-]+\s+){1,4}"
    r"(?:st|street|ave|avenue|blvd|boulevard|rd|road|dr|drive|ln|lane|way|pl|place|ct|court|"
    r"ter|terrace|pkwy|parkway|cir|circle|hwy|highway)\b\.?"
    r"(?:,?\s*(?:apt|apartment|unit|suite|ste|#)\.?\s*[\w-]+)?",
    re.I,
)
# Between the street and its ZIP: a city and state at most ("West Hollywood, CA").
_TO_ZIP = re.compile(r"[\s,]*(?:[A-Za-z.'-]+[\s,]+){0,4}?" + _ANY_ZIP.pattern)


@dataclass(frozen=True)
class AddressCheck:
    """The outcome of checking an address against the service area."""

    served: bool
    zip_code: str | None = None
    neighbourhood: str | None = None
    problem: str | None = None  # "missing_zip", "outside", "invalid"


def area_names() -> str:
    """'West Hollywood, Beverly Hills, ... and Beverly Grove' for messages."""
    names = list(dict.fromkeys(SERVED_ZIPS.values()))
    return ", ".join(names[:-1]) + " and " + names[-1]


def neighbourhood_for_zip(zip_code: str) -> str | None:
    return SERVED_ZIPS.get(zip_code)


def zip_for_place(text: str) -> str | None:
    """A served ZIP for a ZIP or a neighbourhood name in the text ("in WeHo")."""
    clean = _plain(text)
    zips = _ANY_ZIP.findall(clean)
    if zips:
        return zips[-1] if zips[-1] in SERVED_ZIPS else None
    for name, zip_code in NEIGHBOURHOODS.items():
        if re.search(r"\b" + re.escape(name) + r"\b", clean):
            return zip_code
    return None


def check_address(address: str) -> AddressCheck:
    """Is this street address one the therapists travel to? The ZIP code decides."""
    clean = " ".join(unicodedata.normalize("NFKC", address or "").split())
    if not (MIN_ADDRESS <= len(clean) <= MAX_ADDRESS) or not re.search(r"\d+\s*\w", clean):
        return AddressCheck(served=False, problem="invalid")
    # The ZIP comes last: "12345 Sunset Blvd, 90069" starts with a house number.
    zips = _ANY_ZIP.findall(clean)
    if not zips or zips[-1] == clean.split()[0].rstrip(","):
        return AddressCheck(served=False, problem="missing_zip")
    zip_code = zips[-1]
    neighbourhood = SERVED_ZIPS.get(zip_code)
    if neighbourhood is None:
        return AddressCheck(served=False, zip_code=zip_code, problem="outside")
    return AddressCheck(served=True, zip_code=zip_code, neighbourhood=neighbourhood)


def find_address(text: str) -> str | None:
    """The street address with its ZIP code inside a longer message, or None.

    "come to 8500 Sunset Blvd 90069 tomorrow at 3pm" -> "8500 Sunset Blvd 90069".
    """
    street = STREET_ADDRESS.search(text or "")
    rest = _TO_ZIP.match(text, street.end()) if street else None
    return clean_address(text[street.start() : rest.end()]) if rest else None


def clean_address(address: str) -> str:
    """The address with odd spacing and control characters removed, as stored."""
    return " ".join(clean_user_text(address).split())[:MAX_ADDRESS]


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())
