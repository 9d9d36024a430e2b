"""Provider directory actions: search, refine, show more, details, and "book with her".

The search state (filters, page, who was shown) lives in one slot, `directory_search`, so
filters carry over between turns until the user changes them ("what about men?" keeps the
technique). The lookup itself is `massage.directory`.
"""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.outage import database_step
from massage import clock, directory, when
from massage.db import session_scope

PAGE = 3
FILTER_KEYS = ("technique", "gender", "language", "area", "accepts_prescription", "window")
ORDINALS = {"first": 0, "1": 0, "second": 1, "2": 1, "third": 2, "3": 2, "last": -1}
GENDER_LABELS = {"female": "female", "male": "male", "nonbinary": "non-binary"}
PRONOUNS = {"she": "she/her", "he": "he/him", "they": "they/them"}


def _state(tracker: Tracker) -> Dict[str, Any]:
    return dict(tracker.get_slot("directory_search") or {})


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(name), None)


def _spacy_dates(tracker: Tracker) -> List[str]:
    return [e["value"] for e in tracker.latest_message.get("entities", []) if e.get("entity") in ("DATE", "TIME")]


def _window_from_message(tracker: Tracker) -> Optional[Dict[str, str]]:
    """The time window of the latest message, read by massage.when.

    spaCy marks the date or time span ("friday", "afternoon"); the whole sentence is read
    first so "next Tuesday at 10" keeps its "at 10" (which spaCy calls a number). When spaCy
    marks nothing, the sentence is still read, so a missed "saturday morning" is not lost.
    """
    text = tracker.latest_message.get("text") or ""
    spans = _spacy_dates(tracker)
    window = when.parse_window(text) or (when.parse_window(" ".join(spans)) if spans else None)
    if window is None:
        return None
    start, end = window
    return {"start": start.isoformat(), "end": end.isoformat()}


def _filters_from(state: Dict[str, Any]) -> directory.SearchFilters:
    window = state.get("window") or {}
    return directory.SearchFilters(
        technique=state.get("technique"),
        gender=state.get("gender"),
        language=state.get("language"),
        area=state.get("area"),
        accepts_prescription=state.get("accepts_prescription"),
        window_start=datetime.fromisoformat(window["start"]) if window else None,
        window_end=datetime.fromisoformat(window["end"]) if window else None,
        duration=state.get("duration") or 60,
    )


def _merge_message(state: Dict[str, Any], tracker: Tracker) -> Dict[str, Any]:
    """The previous filters, changed by whatever the latest message says.

    Tagged entities win; the sentence's own words fill in what the NLU model did not tag.
    """
    said = directory.filters_in_text(tracker.latest_message.get("text"))
    technique = _entity(tracker, "technique")
    gender = _entity(tracker, "gender")
    language = _entity(tracker, "language")
    if technique:
        said["technique"] = directory.normalise_technique(technique) or technique
    if gender:
        said["gender"] = directory.normalise_gender(gender) or gender
    if language:
        said["language"] = directory.normalise_language(language)
    if _entity(tracker, "area"):
        said["area"] = _entity(tracker, "area")
    if _entity(tracker, "paperwork"):
        said["accepts_prescription"] = True
    window = _window_from_message(tracker)
    if window:
        said["window"] = window
    state.update(said)
    return state


def describe_window(window: Dict[str, str]) -> str:
    start = datetime.fromisoformat(window["start"]).astimezone(clock.LA)
    end = datetime.fromisoformat(window["end"]).astimezone(clock.LA)
    if start == end:
        return f"on {when.describe(start)}"
    if start.time() == time(0) and end.time() == time(0):
        return f"on {when.describe_day(start.date())}"
    return f"on {when.describe_day(start.date())} between {_clock(start)} and {_clock(end)}"


def _clock(moment: datetime) -> str:
    return moment.strftime("%I:%M %p").lstrip("0")


def _short_time(moment: datetime) -> str:
    local = moment.astimezone(clock.LA)
    return f"{local:%a} {local:%b} {local.day}, {_clock(local)}"


def therapists_phrase(state: Dict[str, Any], count: int = 2, skip: str = "") -> str:
    """'female therapists for lymphatic drainage speaking Spanish in West Hollywood' from the filters."""
    gender = GENDER_LABELS.get(state.get("gender"), state.get("gender")) if skip != "gender" else None
    words = [gender, "therapist" if count == 1 else "therapists"]
    if state.get("technique") and skip != "technique":
        words.append(f"for {directory.TECHNIQUES.get(state['technique'], state['technique']).lower()}")
    if state.get("language") and skip != "language":
        words.append(f"speaking {state['language']}")
    if state.get("area") and skip != "area":
        area = directory.resolve_area(state["area"])
        words.append(f"in {area.name if area else state['area']}")
    if state.get("accepts_prescription") and skip != "accepts_prescription":
        words.append("with prescription paperwork")
    if state.get("window") and skip != "window":
        words.append(f"free {describe_window(state['window'])}")
    return " ".join(word for word in words if word)


def _line(number: int, match: directory.Match) -> str:
    slot = f"next free {when.describe(match.next_slot)}" if match.next_slot else "no free time in the next 2 weeks"
    specialties = ", ".join(match.specialties)
    return f"{number}. {match.name}: {specialties}. Rated {match.rating} ({match.review_count} reviews); {slot}."


def _button(match: directory.Match) -> Dict[str, str]:
    slot = f" · next {_short_time(match.next_slot)}" if match.next_slot else ""
    return {
        "title": f"{match.name} · {', '.join(match.specialties[:2])} · ★{match.rating}{slot}",
        "payload": "/therapist_details" + json.dumps({"therapist_slug": match.slug}),
    }


def _why_empty(result: directory.SearchResult, state: Dict[str, Any]) -> str:
    blamed = result.empty_because
    others = therapists_phrase(state, skip=blamed or "")
    if blamed == "window":
        return f"No {therapists_phrase(state, 1, skip='window')} is free {describe_window(state['window'])}."
    if blamed == "gender":
        return f"We have no {therapists_phrase(state)}."
    if blamed == "language":
        return f"None of our {others} speak {state['language']}."
    if blamed == "area":
        area = directory.resolve_area(state["area"])
        if area is None or not area.zip_codes:
            return f"We don't travel to {state['area'].title()}: we cover West Hollywood and its neighbours."
        return f"None of our {others} travel to {area.name}."
    if blamed == "accepts_prescription":
        return f"None of our {others} provide prescription or insurance paperwork."
    if blamed == "technique":
        known = directory.TECHNIQUES.get(state["technique"])
        if known is None:
            offered = ", ".join(directory.TECHNIQUES.values()).lower()
            return f"We don't offer {state['technique']}. Our therapists do {offered}."
        return f"None of our {others} offer {known.lower()}."
    if blamed == "combination":
        return f"We have no {therapists_phrase(state)}: nobody matches all of that together."
    return "I couldn't find any therapist right now."


def show_results(dispatcher: CollectingDispatcher, state: Dict[str, Any], offset: int) -> List[Dict[str, Any]]:
    """Run the search from `offset`, tell the user, and return the events that remember it."""
    with session_scope() as session:
        result = directory.search(session, _filters_from(state), limit=PAGE, offset=offset)
    if result.total == 0:
        shown = result.alternatives
        text = _why_empty(result, state)
        if shown:
            text += " The closest alternatives:\n" + "\n".join(_line(i + 1, m) for i, m in enumerate(shown))
        dispatcher.utter_message(text=text, buttons=[_button(m) for m in shown])
    elif not result.matches:
        shown = []
        dispatcher.utter_message(text="That's everyone who matches. Want to change a filter, say another day?")
    else:
        shown = result.matches
        first, last = offset + 1, offset + len(shown)
        found = therapists_phrase(state, result.total)
        if offset:
            heading = f"More {found} ({first}-{last} of {result.total}):"
        elif result.total > PAGE:
            heading = f"I found {result.total} {found}. Here are the first {PAGE}:"
        else:
            heading = f"I found {result.total} {found}:"
        lines = "\n".join(_line(offset + i + 1, m) for i, m in enumerate(shown))
        buttons = [_button(m) for m in shown]
        if result.has_more:
            buttons.append({"title": "Show more", "payload": "/show_more"})
        text = f"{heading}\n{lines}\nTap a name for details, or narrow it down."
        dispatcher.utter_message(text=text, buttons=buttons)
    state.update(offset=offset, shown=[m.slug for m in shown])
    return [SlotSet("directory_search", state)]


class ActionSearchTherapists(Action):
    def name(self) -> str:
        return "action_search_therapists"

    @database_step(fallback=[])
    async def run(self, dispatcher, tracker, domain) -> List[Dict[str, Any]]:
        state = _merge_message(_state(tracker), tracker)
        return show_results(dispatcher, state, offset=0)


class ActionShowMoreTherapists(Action):
    def name(self) -> str:
        return "action_show_more_therapists"

    @database_step(fallback=[])
    async def run(self, dispatcher, tracker, domain) -> List[Dict[str, Any]]:
        state = _state(tracker)
        if "shown" not in state:
            dispatcher.utter_message(text='What are you looking for? For example "who does lymphatic drainage?".')
            return []
        return show_results(dispatcher, state, offset=state.get("offset", 0) + PAGE)


def _chosen_therapist(tracker: Tracker, state: Dict[str, Any]) -> Optional[str]:
    """Which therapist the user means: a button, "the second one", a name, or the one just discussed."""
    slug = _entity(tracker, "therapist_slug")
    if slug:
        return slug
    shown = state.get("shown") or []
    ordinal = (_entity(tracker, "ordinal") or "").lower()
    if ordinal in ORDINALS and shown:
        index = ORDINALS[ordinal]
        return shown[index] if index < len(shown) else None
    names = [e["value"] for e in tracker.latest_message.get("entities", []) if e.get("entity") == "PERSON"]
    with session_scope() as session:
        for name in names + [tracker.latest_message.get("text") or ""]:
            slug = directory.slug_for_name(session, name)
            if slug:
                return slug
    return state.get("focus") or (shown[0] if len(shown) == 1 else None)


def _details_text(details: directory.TherapistDetails) -> str:
    paperwork = "yes" if details.accepts_prescription else "no"
    slot = when.describe(details.next_slot) if details.next_slot else "nothing in the next 2 weeks"
    return "\n".join([
        f"{details.name} ({PRONOUNS.get(details.pronoun, details.pronoun)}): {details.years_experience} years of "
        f"experience, rated {details.rating} from {details.review_count} reviews.",
        details.bio,
        f"Specialties: {', '.join(details.specialties)}.",
        f"Certifications: {'; '.join(details.certifications)}.",
        f"Languages: {', '.join(details.languages)}.",
        f"Travels to: {', '.join(details.neighbourhoods)}.",
        f"Provides paperwork for a doctor's prescription or insurance: {paperwork}.",
        f"Next free: {slot}.",
    ])


class ActionTherapistDetails(Action):
    def name(self) -> str:
        return "action_therapist_details"

    @database_step(fallback=[])
    async def run(self, dispatcher, tracker, domain) -> List[Dict[str, Any]]:
        state = _state(tracker)
        slug = _chosen_therapist(tracker, state)
        with session_scope() as session:
            details = directory.therapist_details(session, slug) if slug else None
        if details is None:
            dispatcher.utter_message(text='Which therapist do you mean? Say a name, or "the first one" after a search.')
            return []
        first_name = details.name.split()[0]
        dispatcher.utter_message(
            text=_details_text(details),
            buttons=[{"title": f"Book with {first_name}",
                      "payload": "/book_with_therapist" + json.dumps({"therapist_slug": details.slug})}],
        )
        state["focus"] = details.slug
        return [SlotSet("directory_search", state)]


class ActionBookWithTherapist(Action):
    """Fills the booking form's `therapist` slot; the booking form runs next (see data/rules/directory.yml)."""

    def name(self) -> str:
        return "action_book_with_therapist"

    @database_step(fallback=[])
    async def run(self, dispatcher, tracker, domain) -> List[Dict[str, Any]]:
        state = _state(tracker)
        slug = _chosen_therapist(tracker, state)
        with session_scope() as session:
            details = directory.therapist_details(session, slug) if slug else None
        if details is None:
            dispatcher.utter_message(text="Let's book. I'll find the best available therapist for the time you choose.")
            return [SlotSet("therapist", None)]
        dispatcher.utter_message(text=f"Great, let's book with {details.name}.")
        state["focus"] = details.slug
        return [SlotSet("therapist", details.slug), SlotSet("directory_search", state)]
