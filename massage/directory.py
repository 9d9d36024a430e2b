"""The provider directory: who does what, where, in which language, and when they are next free.

Users' words ("lymph drainage", "a lady", "WeHo") are normalised to the keys stored in
the directory; a search that finds nobody says which filter emptied it and offers the
nearest alternatives.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Dict, FrozenSet, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from massage import availability, clock, service_area
from massage.models import Therapist

TECHNIQUES = {
    "effleurage": "Effleurage",
    "kneading": "Kneading",
    "lymphatic_drainage": "Lymphatic drainage",
    "picking_up": "Picking-up",
    "skin_rolling": "Skin rolling",
    "deep_tissue": "Deep tissue",
    "trigger_point": "Trigger point",
    "sports": "Sports",
    "swedish": "Swedish",
    "prenatal": "Prenatal",
}
_TECHNIQUE_WORDS = {
    "effleurage": "effleurage", "gliding strokes": "effleurage", "long strokes": "effleurage",
    "kneading": "kneading", "knead": "kneading", "petrissage": "kneading",
    "lymphatic drainage": "lymphatic_drainage", "lymph drainage": "lymphatic_drainage",
    "lymphatic": "lymphatic_drainage", "lymph": "lymphatic_drainage", "mld": "lymphatic_drainage",
    "manual lymphatic drainage": "lymphatic_drainage", "drainage": "lymphatic_drainage",
    "picking up": "picking_up", "pick up": "picking_up", "picking": "picking_up",
    "skin rolling": "skin_rolling", "skin roll": "skin_rolling",
    "deep tissue": "deep_tissue", "deep": "deep_tissue", "deeptissue": "deep_tissue",
    "trigger point": "trigger_point", "trigger points": "trigger_point", "trigger": "trigger_point",
    "sports": "sports", "sport": "sports", "athletic": "sports",
    "swedish": "swedish",
    "prenatal": "prenatal", "pre natal": "prenatal", "pregnancy": "prenatal", "pregnant": "prenatal",
    "maternity": "prenatal",
}  # fmt: skip
GENDERS = ("female", "male", "nonbinary")
_GENDER_WORDS = {
    "female": "female", "woman": "female", "women": "female", "lady": "female", "ladies": "female",
    "girl": "female", "feminine": "female",
    "male": "male", "man": "male", "men": "male", "guy": "male", "guys": "male", "gentleman": "male",
    "gentlemen": "male",
    "nonbinary": "nonbinary", "non binary": "nonbinary", "enby": "nonbinary", "genderqueer": "nonbinary",
}  # fmt: skip
# A tagged pronoun ("book with [her](gender)") names a gender too; in free text it rarely does.
_PRONOUN_WORDS = {"her": "female", "she": "female", "him": "male", "he": "male"}
_LANGUAGE_WORDS = {
    "english": "English", "spanish": "Spanish", "espanol": "Spanish", "russian": "Russian",
    "armenian": "Armenian", "korean": "Korean", "french": "French", "francais": "French",
    "hebrew": "Hebrew", "tagalog": "Tagalog", "filipino": "Tagalog", "japanese": "Japanese",
    "vietnamese": "Vietnamese", "hindi": "Hindi", "german": "German", "mandarin": "Mandarin",
    "chinese": "Mandarin",
}  # fmt: skip
# Filters in the order a "nobody matches" answer blames them: the most changeable first.
FILTER_NAMES = ("window", "gender", "language", "area", "accepts_prescription", "technique")
MAX_TEXT = 100


def _words(text: str) -> str:
    """Lower-case letters and digits only, single-spaced: "Deep-Tissue " -> "deep tissue"."""
    text = unicodedata.normalize("NFKD", text or "")[:MAX_TEXT]
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _lookup(words: Dict[str, str], text: str, strip: Tuple[str, ...] = ()) -> Optional[str]:
    """The key for the longest phrase of `words` found in the text."""
    clean = _words(text)
    for noise in strip:
        clean = re.sub(rf"\b{noise}\b", " ", clean)
    clean = " ".join(clean.split())
    for phrase in sorted(words, key=len, reverse=True):
        if re.search(rf"\b{re.escape(phrase)}\b", clean):
            return words[phrase]
    return None


def normalise_technique(text: Optional[str]) -> Optional[str]:
    """'lymph drainage' -> 'lymphatic_drainage'; None for techniques the directory does not list."""
    return _lookup(_TECHNIQUE_WORDS, text or "", strip=("massage", "therapy", "technique"))


def normalise_gender(text: Optional[str]) -> Optional[str]:
    """'women' / 'a lady' / 'her' -> 'female', 'men' -> 'male', 'non-binary' -> 'nonbinary'."""
    return _lookup(_GENDER_WORDS, text or "") or _lookup(_PRONOUN_WORDS, text or "")


def normalise_language(text: Optional[str]) -> Optional[str]:
    """'spanish' / 'Español' -> 'Spanish'; a language we have not heard of is kept, capitalised."""
    clean = _words(text or "")
    if not clean:
        return None
    return _lookup(_LANGUAGE_WORDS, clean) or clean.title()


_PAPERWORK = re.compile(r"\b(?:insurance|insured|prescriptions?|prescribed|referral|doctors? note|hsa|fsa)\b")
_DURATIONS = (
    (120, re.compile(r"(?<!in )\b(?:120 ?min\w*|(?:2|two) ?(?:hours?|hrs?))\b")),
    (90, re.compile(r"\b(?:90 ?min\w*|(?:1 5|one and a half) ?(?:hours?|hrs?)|an? hour and a half)\b")),
    (60, re.compile(r"(?<!in )\b(?:60 ?min\w*|(?:1|one|an) ?(?:hour|hr))\b(?! and a half)")),
)


def filters_in_text(text: Optional[str]) -> Dict[str, object]:
    """The filters a sentence names, read from its words: the fallback for words the NLU did not tag.

    Pronouns are left out ("a therapist for her" is not about the therapist's gender), and
    so are place names we do not know (only a served neighbourhood or a 5-digit ZIP counts).
    """
    clean = _words(text or "")
    found: Dict[str, object] = {
        "technique": normalise_technique(clean),
        "gender": _lookup(_GENDER_WORDS, clean),
        "language": _lookup(_LANGUAGE_WORDS, clean),
        "accepts_prescription": True if _PAPERWORK.search(clean) else None,
        "duration": next((minutes for minutes, pattern in _DURATIONS if pattern.search(clean)), None),
    }
    zip_match = re.search(r"\b\d{5}\b", clean)
    place_zip = service_area.zip_for_place(clean)
    found["area"] = zip_match.group() if zip_match else place_zip and service_area.neighbourhood_for_zip(place_zip)
    return {key: value for key, value in found.items() if value}


@dataclass(frozen=True)
class Area:
    """A place the user named and the ZIP codes it covers (none when we do not serve it)."""

    name: str
    zip_codes: FrozenSet[str]


def resolve_area(text: Optional[str]) -> Optional[Area]:
    """'WeHo' -> West Hollywood with all its ZIP codes; '90210' -> Beverly Hills; None if empty."""
    clean = " ".join(unicodedata.normalize("NFKC", text or "")[:MAX_TEXT].split())
    if not clean:
        return None
    zip_match = re.search(r"\b\d{5}\b", clean)
    if zip_match:
        zip_code = zip_match.group()
        return Area(service_area.neighbourhood_for_zip(zip_code) or zip_code, frozenset({zip_code}))
    zip_code = service_area.zip_for_place(clean)
    if zip_code is None:
        return Area(clean, frozenset())
    name = service_area.neighbourhood_for_zip(zip_code)
    return Area(name, frozenset(z for z, place in service_area.SERVED_ZIPS.items() if place == name))


@dataclass(frozen=True)
class SearchFilters:
    """What the user asked for; None means "any". Values may be the user's own words."""

    technique: Optional[str] = None
    gender: Optional[str] = None
    window_start: Optional[datetime] = None
    window_end: Optional[datetime] = None
    area: Optional[str] = None
    language: Optional[str] = None
    accepts_prescription: Optional[bool] = None
    duration: int = 60

    def normalised(self) -> SearchFilters:
        return replace(
            self,
            technique=normalise_technique(self.technique) or self.technique,
            gender=normalise_gender(self.gender) or self.gender,
            language=normalise_language(self.language),
            accepts_prescription=self.accepts_prescription or None,
            duration=self.duration if self.duration in availability.DURATIONS else 60,
        )

    def active(self) -> List[str]:
        """The names (from FILTER_NAMES) of the filters that narrow the search."""
        given = {
            "window": self.window_start is not None,
            "gender": bool(self.gender),
            "language": bool(self.language),
            "area": bool(self.area),
            "accepts_prescription": bool(self.accepts_prescription),
            "technique": bool(self.technique),
        }
        return [name for name in FILTER_NAMES if given[name]]

    def without(self, *names: str) -> SearchFilters:
        cleared = {}
        for name in names:
            if name == "window":
                cleared.update(window_start=None, window_end=None)
            else:
                cleared[name] = None
        return replace(self, **cleared)


@dataclass(frozen=True)
class Match:
    """One therapist in a result list."""

    slug: str
    name: str
    pronoun: str
    specialties: List[str]
    rating: float
    review_count: int
    next_slot: Optional[datetime]


@dataclass
class SearchResult:
    matches: List[Match]
    total: int
    offset: int = 0
    # When nobody matched: the filter that emptied the search, and who matches without it.
    empty_because: Optional[str] = None
    alternatives: List[Match] = field(default_factory=list)

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.matches) < self.total


@dataclass(frozen=True)
class TherapistDetails:
    slug: str
    name: str
    gender: str
    pronoun: str
    bio: str
    years_experience: int
    rating: float
    review_count: int
    certifications: List[str]
    languages: List[str]
    specialties: List[str]
    neighbourhoods: List[str]
    accepts_prescription: bool
    next_slot: Optional[datetime]


def _active_therapists(session: Session) -> List[Therapist]:
    query = select(Therapist).where(Therapist.active.is_(True)).options(selectinload(Therapist.working_hours))
    return list(session.execute(query).scalars())


def _profile_matches(therapist: Therapist, filters: SearchFilters, zips: Optional[FrozenSet[str]]) -> bool:
    return (
        (not filters.technique or filters.technique in therapist.techniques)
        and (not filters.gender or therapist.gender == filters.gender)
        and (not filters.language or filters.language in therapist.languages)
        and (zips is None or bool(zips & set(therapist.zip_codes)))
        and (not filters.accepts_prescription or therapist.accepts_prescription)
    )


def _first_slot(session: Session, therapist: Therapist, filters: SearchFilters) -> Optional[datetime]:
    if filters.window_start is None:
        return availability.next_free_slot(session, therapist, clock.now(), filters.duration)
    end = filters.window_end or filters.window_start
    slots = availability.free_slots(session, therapist, filters.window_start, end, filters.duration)
    return slots[0] if slots else None


def _to_match(therapist: Therapist, slot: Optional[datetime]) -> Match:
    return Match(
        slug=therapist.slug,
        name=therapist.name,
        pronoun=therapist.pronoun,
        specialties=[TECHNIQUES[key] for key in therapist.techniques if key in TECHNIQUES],
        rating=therapist.rating,
        review_count=therapist.review_count,
        next_slot=slot,
    )


def _matching(session: Session, therapists: List[Therapist], filters: SearchFilters) -> List[Match]:
    """Everyone who fits every filter, best first: free soonest-bookable, then best rated."""
    area = resolve_area(filters.area) if filters.area else None
    zips = area.zip_codes if area else None
    found = []
    for therapist in therapists:
        if not _profile_matches(therapist, filters, zips):
            continue
        slot = _first_slot(session, therapist, filters)
        if slot is None and filters.window_start is not None:
            continue  # asked for a time they are not free
        found.append(_to_match(therapist, slot))
    far_future = clock.now() + timedelta(days=365)
    return sorted(found, key=lambda m: (m.next_slot is None, -m.rating, -m.review_count, m.next_slot or far_future))


def search(session: Session, filters: SearchFilters, limit: int = 3, offset: int = 0) -> SearchResult:
    """Therapists matching all filters, `limit` at a time from `offset`, with their next free slot."""
    filters = filters.normalised()
    therapists = _active_therapists(session)
    found = _matching(session, therapists, filters)
    if found:
        return SearchResult(matches=found[offset : offset + limit], total=len(found), offset=offset)
    active = filters.active()
    for name in active:
        relaxed = _matching(session, therapists, filters.without(name))
        if relaxed:
            return SearchResult([], 0, offset, empty_because=name, alternatives=relaxed[:limit])
    # No single filter is to blame: keep only the technique (or nothing) and say the combination failed.
    keep_technique = filters.without(*[name for name in active if name != "technique"])
    relaxed = _matching(session, therapists, keep_technique) or _matching(session, therapists, SearchFilters())
    return SearchResult([], 0, offset, empty_because="combination" if len(active) > 1 else None,
                        alternatives=relaxed[:limit])


def therapist_details(session: Session, slug: str, duration: int = 60) -> Optional[TherapistDetails]:
    """Everything the user may ask about one therapist; None if the slug is unknown or retired."""
    therapist = session.execute(
        select(Therapist).where(Therapist.slug == slug, Therapist.active.is_(True))
    ).scalar_one_or_none()
    if therapist is None:
        return None
    neighbourhoods = dict.fromkeys(service_area.neighbourhood_for_zip(z) or z for z in sorted(therapist.zip_codes))
    return TherapistDetails(
        slug=therapist.slug,
        name=therapist.name,
        gender=therapist.gender,
        pronoun=therapist.pronoun,
        bio=therapist.bio,
        years_experience=therapist.years_experience,
        rating=therapist.rating,
        review_count=therapist.review_count,
        certifications=list(therapist.certifications),
        languages=list(therapist.languages),
        specialties=[TECHNIQUES[key] for key in therapist.techniques if key in TECHNIQUES],
        neighbourhoods=list(neighbourhoods),
        accepts_prescription=therapist.accepts_prescription,
        next_slot=availability.next_free_slot(session, therapist, clock.now(), duration),
    )


def slug_for_name(session: Session, text: Optional[str]) -> Optional[str]:
    """The active therapist a name refers to ("Maria", "daniel kim"); None if none or several do."""
    clean = _words(text or "")
    if not clean:
        return None
    therapists = _active_therapists(session)
    full = [t.slug for t in therapists if _words(t.name) == clean or t.slug == clean.replace(" ", "-")]
    if full:
        return full[0]
    parts = set(clean.split())
    named = [t.slug for t in therapists if parts & set(_words(t.name).split())]
    return named[0] if len(named) == 1 else None
