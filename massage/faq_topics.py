"""The FAQ topics of the contract: their titles, which touch on health, and what relates to what."""

from typing import Dict, List

TITLES: Dict[str, str] = {
    "therapeutic_vs_regular": "Therapeutic vs regular massage",
    "purpose": "What each kind is for",
    "techniques_used": "Techniques used",
    "pressure": "Pressure",
    "setting": "Where it's done",
    "medical_techniques": "Medical massage techniques",
    "effleurage": "Effleurage",
    "kneading": "Kneading",
    "lymphatic_drainage": "Lymphatic drainage",
    "picking_up": "Picking up",
    "skin_rolling": "Skin rolling",
    "insurance": "Insurance",
    "tipping": "Tipping",
    "find_therapist": "Finding a therapist",
    "before_session": "Before the session",
    "during_session": "During the session",
    "after_session": "After the session",
    "what_to_expect": "What to expect",
    "who_benefits": "Who benefits",
    # Added to the contract's keys: the business's own terms.
    "prices": "Prices",
    "cancellation_policy": "Cancelling and rescheduling",
    "service_area": "Where we travel",
    # The questions clients of mobile massage ask (../shared/notes/visitor-questions.md),
    # answered from the owner's facts (data/business.yml, massage/faq_facts.py).
    "space_needed": "Space needed",
    "what_therapist_brings": "What the therapist brings",
    "pets": "Pets",
    "parking_and_access": "Parking and access",
    "hotels_and_offices": "Hotels and offices",
    "what_to_wear": "What to wear",
    "preparing_yourself": "Getting ready",
    "session_lengths": "Session lengths",
    "couples_massage": "Couples massage",
    "prenatal_massage": "Prenatal massage",
    "oils_and_allergies": "Oils and allergies",
    "comfort_during_session": "Comfort in a session",
    "therapist_gender": "Female or male therapist",
    "licensing": "Licensing",
    "background_checks": "Background checks",
    "therapist_insurance": "Therapist's insurance",
    "professional_conduct": "Professional conduct",
    "privacy": "Privacy",
    "payment_methods": "Payment",
    "hsa_fsa": "HSA and FSA cards",
    "receipts_superbill": "Receipts and superbills",
    "gift_cards": "Gift cards",
    "packages_memberships": "Packages",
    "surcharges": "Extra charges",
    "same_day_booking": "Same-day booking",
    "advance_booking": "Booking ahead",
    "therapist_running_late": "If the therapist is late",
    "client_running_late": "If you're running late",
    "minimum_age": "Minimum age",
    "repeat_therapist": "Same therapist again",
    "business_hours": "Hours",
    "soreness_after": "Soreness afterwards",
    "how_often": "How often to book",
    "see_a_doctor": "When to see a doctor",
    "chronic_conditions": "Chronic conditions",
}

# Answers about conditions and treatment get the once-per-conversation health note.
HEALTH_TOPICS = frozenset(
    {
        "therapeutic_vs_regular",
        "purpose",
        "medical_techniques",
        "lymphatic_drainage",
        "who_benefits",
        "before_session",
        "what_to_expect",
        "insurance",
        "prenatal_massage",
        "soreness_after",
        "how_often",
        "chronic_conditions",
    }
)

_TECHNIQUES = ["effleurage", "kneading", "lymphatic_drainage", "picking_up", "skin_rolling"]

RELATED: Dict[str, List[str]] = {
    "therapeutic_vs_regular": ["purpose", "techniques_used", "pressure", "setting"],
    "purpose": ["who_benefits", "therapeutic_vs_regular"],
    "techniques_used": ["medical_techniques", "pressure"],
    "pressure": ["during_session", "techniques_used"],
    "setting": ["find_therapist", "what_to_expect"],
    "medical_techniques": _TECHNIQUES,
    "insurance": ["who_benefits", "tipping"],
    "tipping": ["insurance", "what_to_expect"],
    "find_therapist": ["what_to_expect", "insurance"],
    "before_session": ["during_session", "after_session"],
    "during_session": ["pressure", "after_session"],
    "after_session": ["what_to_expect", "who_benefits"],
    "what_to_expect": ["before_session", "during_session", "after_session"],
    "who_benefits": ["purpose", "insurance"],
    "prices": ["cancellation_policy", "insurance"],
    "cancellation_policy": ["prices", "what_to_expect"],
    "service_area": ["prices", "find_therapist"],
    "space_needed": ["what_therapist_brings", "pets"],
    "what_therapist_brings": ["space_needed", "oils_and_allergies"],
    "pets": ["space_needed", "parking_and_access"],
    "parking_and_access": ["hotels_and_offices", "surcharges"],
    "hotels_and_offices": ["service_area", "parking_and_access"],
    "what_to_wear": ["preparing_yourself", "comfort_during_session"],
    "preparing_yourself": ["what_to_wear", "space_needed"],
    "session_lengths": ["prices", "how_often"],
    "couples_massage": ["prices", "space_needed"],
    "prenatal_massage": ["see_a_doctor", "comfort_during_session"],
    "oils_and_allergies": ["what_therapist_brings", "comfort_during_session"],
    "comfort_during_session": ["pressure", "professional_conduct"],
    "therapist_gender": ["repeat_therapist", "find_therapist"],
    "licensing": ["background_checks", "therapist_insurance"],
    "background_checks": ["licensing", "professional_conduct"],
    "therapist_insurance": ["licensing", "background_checks"],
    "professional_conduct": ["comfort_during_session", "background_checks"],
    "privacy": ["professional_conduct", "receipts_superbill"],
    "payment_methods": ["hsa_fsa", "prices"],
    "hsa_fsa": ["receipts_superbill", "insurance"],
    "receipts_superbill": ["insurance", "hsa_fsa"],
    "gift_cards": ["packages_memberships", "payment_methods"],
    "packages_memberships": ["prices", "gift_cards"],
    "surcharges": ["prices", "payment_methods"],
    "same_day_booking": ["business_hours", "advance_booking"],
    "advance_booking": ["same_day_booking", "cancellation_policy"],
    "therapist_running_late": ["client_running_late", "business_hours"],
    "client_running_late": ["cancellation_policy", "therapist_running_late"],
    "minimum_age": ["prenatal_massage", "see_a_doctor"],
    "repeat_therapist": ["therapist_gender", "find_therapist"],
    "business_hours": ["same_day_booking", "service_area"],
    "soreness_after": ["after_session", "see_a_doctor"],
    "how_often": ["chronic_conditions", "packages_memberships"],
    "see_a_doctor": ["chronic_conditions", "who_benefits"],
    "chronic_conditions": ["how_often", "see_a_doctor"],
}
for _technique in _TECHNIQUES:
    RELATED[_technique] = [t for t in _TECHNIQUES if t != _technique]


def topic_from_response_key(key: str | None) -> str | None:
    """'faq/insurance' -> 'insurance'; None for anything that is not a known FAQ key."""
    if not key:
        return None
    topic = key.split("/", 1)[-1]
    return topic if topic in TITLES else None


def needs_health_note(topic: str, already_given: bool) -> bool:
    return topic in HEALTH_TOPICS and not already_given
