"""Services, techniques, session lengths and prices (travel to the client included)."""

from __future__ import annotations

import re

from massage.business import FACTS

# The owner's price list (data/business.yml): how each service is named, and the price in
# cents by service and minutes.
SERVICES = dict(FACTS["services"])
PRICES = {
    service: {minutes: dollars * 100 for minutes, dollars in sorted(by_length.items())}
    for service, by_length in FACTS["prices"].items()
}
DURATIONS = tuple(next(iter(PRICES.values())))
# Technique -> the service it belongs to.
TECHNIQUES = {
    "deep tissue": "medical",
    "trigger point": "medical",
    "sports": "medical",
    "lymphatic drainage": "medical",
    "effleurage": "medical",
    "kneading": "medical",
    "picking up": "medical",
    "skin rolling": "medical",
    "swedish": "relaxation",
    "prenatal": "relaxation",
}
_TECHNIQUE_WORDS = {
    "deep tissue": r"deep[\s-]*tissue",
    "trigger point": r"trigger[\s-]*points?",
    "sports": r"sports?",
    "lymphatic drainage": r"lymph(?:atic)?(?:\s+drainage)?|drainage",
    "effleurage": r"effleurage",
    "kneading": r"kneading|petrissage",
    "picking up": r"picking[\s-]*up",
    "skin rolling": r"skin[\s-]*rolling",
    "swedish": r"swedish",
    "prenatal": r"pre[\s-]?natal|pregnancy",
}
_SERVICE_WORDS = {
    "medical": r"medical|therapeutic|clinical|therapy|treatment|injury|pain",
    "relaxation": r"relax(?:ing|ation)?|regular|spa|wellness|stress|gentle",
}
_MINUTES = re.compile(r"\b(\d{1,3})\s*-?\s*(?:minutes?|mins?|m)\b")
_HOURS = re.compile(
    r"\b(an?|one|1|two|2|1\.5|one and a half|an hour and a half|one and half)\s*-?\s*hours?\b"
)
_HOUR_WORDS = {
    "a": 60, "an": 60, "one": 60, "1": 60, "two": 120, "2": 120,
    "1.5": 90, "one and a half": 90, "one and half": 90,
}  # fmt: skip


def price_cents(service: str, duration_minutes: int) -> int:
    """The price of a session; KeyError for a service or length that is not offered."""
    return PRICES[service][duration_minutes]


def format_price(cents: int) -> str:
    """1950 -> '$19.50'; whole dollars without cents: 19500 -> '$195'."""
    dollars, rest = divmod(cents, 100)
    return f"${dollars:,}" if rest == 0 else f"${dollars:,}.{rest:02d}"


def price_list() -> str:
    """One line per service: 'medical (therapeutic) massage: 60 min $140, ...'."""
    return "\n".join(
        f"- {SERVICES[service]}: "
        + ", ".join(f"{minutes} min {format_price(cents)}" for minutes, cents in PRICES[service].items())
        for service in SERVICES
    )


def durations_text() -> str:
    """'60, 90 or 120 minutes'."""
    *first, last = (str(minutes) for minutes in DURATIONS)
    return f"{', '.join(first)} or {last} minutes" if first else f"{last} minutes"


def prices_for(minutes: int) -> str:
    """'$250 for medical (therapeutic) massage and $210 for relaxation massage'."""
    return " and ".join(f"{format_price(PRICES[service][minutes])} for {SERVICES[service]}" for service in SERVICES)


def parse_duration(text: str) -> int | None:
    """60, 90 or 120 from '90 minutes', '1.5 hours', 'an hour and a half', '2 hours', '90'."""
    if not text:
        return None
    text = text.lower()
    if "hour and a half" in text or "hour and half" in text:
        return 90
    match = _MINUTES.search(text)
    if match:
        minutes = int(match.group(1))
    else:
        match = _HOURS.search(text)
        if match:
            minutes = _HOUR_WORDS[match.group(1)]
        elif text.strip() in {"60", "90", "120"}:
            minutes = int(text.strip())
        else:
            return None
    return minutes if minutes in DURATIONS else None


def parse_technique(text: str) -> str | None:
    """The technique named in the text ('deep-tissue' -> 'deep tissue'), or None."""
    if not text:
        return None
    for technique, pattern in _TECHNIQUE_WORDS.items():
        if re.search(r"\b(?:" + pattern + r")\b", text, re.I):
            return technique
    return None


def parse_service(text: str) -> str | None:
    """'medical' or 'relaxation' from the words used, or from a named technique."""
    if not text:
        return None
    technique = parse_technique(text)
    if technique:
        return TECHNIQUES[technique]
    for service, pattern in _SERVICE_WORDS.items():
        if re.search(r"\b(?:" + pattern + r")\b", text, re.I):
            return service
    return None
