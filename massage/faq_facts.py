"""The facts each FAQ answer states, filled into its response (`utter_faq/<topic>` {placeholders}).

The wording lives in domain.yml; every fact comes from data/business.yml (massage.business),
or from the module that applies it (prices, the cancellation policy, the area, the intake's
red flags), so an answer never says something a booking does not do.
"""

from __future__ import annotations

from datetime import time
from typing import Dict, Tuple

from massage import intake, policy, pricing, service_area
from massage.business import FACTS, clock_time
from massage.handoff import TEAM_CLOSES, TEAM_OPENS


def clock_text(moment: time) -> str:
    """time(8, 0) -> '8am'; time(20, 30) -> '8:30pm'."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def _hours(count: int) -> str:
    return f"{count} hour" if count == 1 else f"{count} hours"


def _either_or(items: Tuple[str, ...]) -> str:
    """('a', 'b or c', 'd') -> 'a, b or c, or d': items may hold an "or" of their own."""
    *first, last = items
    return f"{', '.join(first)}, or {last}" if first else last


# Placeholders several answers share.
_COMMON: Dict[str, str] = {
    "prices": pricing.price_list(),
    "durations": pricing.durations_text(),
    "areas": service_area.area_names(),
    "min_notice": _hours(FACTS["min_notice_hours"]),
    "visit_days": FACTS["visit_days"],
    "visit_start": clock_text(clock_time(FACTS["visit_hours"]["first_start"])),
    "visit_end": clock_text(clock_time(FACTS["visit_hours"]["last_end"])),
    "team_opens": clock_text(TEAM_OPENS),
    "team_closes": clock_text(TEAM_CLOSES),
}

# topic -> the facts its answer states: business.yml names, then shared placeholders.
_STATED: Dict[str, Tuple[str, ...]] = {
    "prices": ("prices",),
    "service_area": ("areas",),
    "cancellation_policy": ("cancellation_policy",),
    "space_needed": ("table_space",),
    "what_therapist_brings": ("therapist_brings", "client_provides"),
    "pets": ("pets",),
    "parking_and_access": ("access", "surcharges"),
    "hotels_and_offices": ("venues", "areas"),
    "what_to_wear": ("what_to_wear",),
    "preparing_yourself": ("prepare_yourself", "table_space"),
    "session_lengths": ("durations", "length_advice", "prices"),
    "couples_massage": ("couples",),
    "prenatal_massage": ("prenatal",),
    "oils_and_allergies": ("oils",),
    "comfort_during_session": ("comfort",),
    "therapist_gender": ("therapist_gender",),
    "licensing": ("licensing",),
    "background_checks": ("background_checks",),
    "therapist_insurance": ("therapist_insurance",),
    "professional_conduct": ("conduct",),
    "privacy": ("privacy",),
    "payment_methods": ("payment_methods", "when_charged", "tip_how"),
    "hsa_fsa": ("hsa_fsa",),
    "receipts_superbill": ("receipts", "superbill"),
    "gift_cards": ("gift_cards",),
    "packages_memberships": ("packages",),
    "surcharges": ("surcharges",),
    "same_day_booking": ("min_notice", "visit_days", "visit_start", "visit_end"),
    "advance_booking": ("max_days_ahead", "min_notice"),
    "therapist_running_late": ("therapist_late",),
    "client_running_late": ("client_late",),
    "minimum_age": ("minimum_age", "minors"),
    "repeat_therapist": ("repeat_therapist",),
    "business_hours": ("visit_days", "visit_start", "visit_end", "team_opens", "team_closes"),
    "soreness_after": ("soreness",),
    "how_often": ("how_often",),
    "see_a_doctor": ("red_flags",),
    "chronic_conditions": ("chronic_conditions",),
}


def _value(name: str) -> str:
    if name == "cancellation_policy":
        return policy.CANCELLATION_POLICY
    if name == "red_flags":
        return _either_or(tuple(intake.RED_FLAGS.values()))
    return str(_COMMON[name] if name in _COMMON else FACTS[name])


ANSWER_VALUES: Dict[str, Dict[str, str]] = {
    topic: {name: _value(name) for name in names} for topic, names in _STATED.items()
}


def answer_values(topic: str) -> Dict[str, str]:
    """The {placeholders} of `utter_faq/<topic>`; empty for answers that state no business fact."""
    return ANSWER_VALUES.get(topic, {})


def tip_amounts(minutes: int = 60, service: str = "medical") -> Dict[str, str]:
    """The usual tip as a share and, for one session, in dollars: for the tipping follow-up."""
    low, high = FACTS["tip_usual_percent"]
    price = pricing.PRICES[service][minutes]
    low_cents, high_cents = (int(round(price * share / 100, -2)) for share in (low, high))
    return {
        "tip_percent": f"{low} to {high}%",
        "tip_example": f"{pricing.format_price(low_cents)} to {pricing.format_price(high_cents)} on a {minutes}-minute "
        f"{pricing.SERVICES[service]} at {pricing.format_price(price)}",
        "tip_how": FACTS["tip_how"],
    }


def length_prices(minutes: int) -> Dict[str, str]:
    """The prices of one session length: for "and for two hours?" after the prices."""
    return {"minutes": str(minutes), "length_prices": pricing.prices_for(minutes)}
