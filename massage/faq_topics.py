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
