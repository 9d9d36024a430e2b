"""Booking a mobile massage, and checking, moving or cancelling it later.

The forms only collect and check answers; everything else (availability, prices,
policy, health intake, the database) lives in `massage.*`.
"""

from __future__ import annotations

import json
import logging
import re
from abc import abstractmethod
from datetime import date, datetime
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.outage import database_step
from actions.texts_consent import AsksConsentToTexts, with_consent_question
from massage import bookings, clock, contact, intake, policy, pricing, service_area, when
from massage.clock import LA

logger = logging.getLogger(__name__)

DomainDict = Dict[str, Any]
INTAKE_SLOTS = {f"intake_{key}": key for key in intake.QUESTIONS}
BOOKING_SLOTS = [
    "booking_service",
    "booking_technique",
    "booking_duration",
    "booking_address",
    "booking_time",
    "client_name",
    "client_phone",
    "client_email",
    "access_notes",
    *INTAKE_SLOTS,
    "booking_confirmed",
]
# Slots the booking form uses internally; all cleared when a booking ends.
BOOKING_STATE = ["booking_zip", "time_window", "slot_checked", "offered_times", "booking_stopped", "therapist"]
MANAGE_SLOTS = ["booking_reference", "lookup_phone", "new_time", "cancel_confirmed", "manage_action"]
# Messages with these intents are questions or commands, never answers to the form.
NOT_ANSWERS = {"faq", "faq_more", "stop", "help", "human_handoff", "bot_challenge", "urgent_symptoms"}
# A bare "no" answers "Any technique you'd like?" as no preference.
NO_PREFERENCE = re.compile(
    r"\b(?:no preference|any|anything|whatever|whoever|either|don'?t mind|not sure)\b"
    r"|^\s*(?:no|nope|nah|none|no thanks?|not really)\W*$",
    re.I,
)
NO_NOTES = re.compile(r"^\s*(?:no|none|nope|nothing|n/?a|no notes?|no special.*|nothing special.*)\s*\.?\s*$", re.I)
MAX_NOTES = 300
FIELD_WORDS = {
    "booking_address": r"address|location|place",
    "client_name": r"\bname\b",
    "client_phone": r"phone|number|mobile|cell",
    "client_email": r"e-?mail",
    "access_notes": r"notes?|parking|access|gate",
}


def time_button(moment: datetime) -> Dict[str, str]:
    """A button that answers 'when?' with an exact time, bypassing NLU."""
    payload = json.dumps({"time": moment.isoformat()})
    return {"title": when.describe(moment), "payload": f"/inform{payload}"}


def offered_buttons(tracker: Tracker) -> List[Dict[str, str]]:
    return [time_button(datetime.fromisoformat(value)) for value in tracker.get_slot("offered_times") or []]


def _time_text(tracker: Tracker) -> str:
    """The time a button chose, or else what the user typed."""
    chosen = next(tracker.get_latest_entity_values("time"), None)
    return chosen or tracker.latest_message.get("text") or ""


def _offered_day(tracker: Tracker) -> date | None:
    """The day of the first time offered as a button: "the 12:30 one" means 12:30 on that day."""
    offered = tracker.get_slot("offered_times") or []
    return datetime.fromisoformat(offered[0]).astimezone(LA).date() if offered else None


def _read_time(tracker: Tracker, default_day: date | None = None) -> Dict[str, Any] | None:
    """{'exact': datetime} or {'window': (start, end)} from the latest message, or None."""
    text = _time_text(tracker)
    try:
        return {"exact": datetime.fromisoformat(text).astimezone(LA)}
    except ValueError:
        pass
    exact = when.parse_datetime(text, default_day=default_day)
    if exact is not None:
        return {"exact": exact}
    window = when.parse_window(text)
    return {"window": window} if window else None


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _yes_no(tracker: Tracker) -> bool | None:
    """The words decide first ("not sure" is no answer, whatever NLU thinks); else the intent."""
    text = tracker.latest_message.get("text") or ""
    answer = intake.parse_yes_no(text)
    if answer is not None or intake.is_unsure(text):
        return answer
    return {"affirm": True, "deny": False}.get(_intent(tracker))


def describe_booking(slots: Dict[str, Any], therapist_name: str) -> str:
    """The summary a client confirms, one line per field they can correct."""
    starts_at = datetime.fromisoformat(slots["booking_time"])
    minutes = int(slots["booking_duration"])
    price = pricing.price_cents(slots["booking_service"], minutes)
    technique = slots["booking_technique"]
    kind = pricing.SERVICES[slots["booking_service"]]
    if technique != "any":
        kind += f", {technique}"
    lines = [
        f"- {minutes} min {kind}",
        f"- {when.describe(starts_at)} with {therapist_name}",
        f"- at {slots['booking_address']}",
        f"- for {slots['client_name']}, {contact.display_phone(slots['client_phone'])}, {slots['client_email']}",
        f"- access notes: {slots['access_notes']}",
        f"- price: {pricing.format_price(price)}",
    ]
    return "\n".join(lines)


class FormValidation(FormValidationAction):
    """A FormValidationAction that also returns the helper slots its extractors set.

    rasa-sdk returns only validated required slots, which would drop e.g. the
    offered times an extractor found.
    """

    @abstractmethod
    def name(self) -> str:
        """Abstract, so the action server does not register this base class."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        extracted = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extracted)
        validated = await self._extract_validation_events(dispatcher, tracker, domain)
        names = {event["name"] for event in validated}
        return [event for event in extracted if event["name"] not in names] + validated


class ValidateBookingForm(AsksConsentToTexts, FormValidation):
    """Checks each answer of the booking form; books when the client confirms."""

    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        # Out of area or a red-flag answer ends the form without a booking.
        return [] if tracker.get_slot("booking_stopped") else with_consent_question(BOOKING_SLOTS, tracker)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        updates = self._corrections(tracker)
        updates.update(self._settle_time(dispatcher, tracker, {**tracker.slots, **updates}))
        if not updates:
            return events
        tracker.slots.update(updates)
        events = [e for e in events if e.get("name") not in updates and e.get("name") != "requested_slot"]
        events += [SlotSet(name, value) for name, value in updates.items()]
        required = await self.required_slots(BOOKING_SLOTS, dispatcher, tracker, domain)
        return events + [SlotSet("requested_slot", next((s for s in required if tracker.slots.get(s) is None), None))]

    # --- extraction of slots that need more than an entity ----------------------------

    async def extract_booking_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        requested = tracker.get_slot("requested_slot")
        if _intent(tracker) in NOT_ANSWERS:
            return {}
        # Free text given for other questions ("ring after 5pm") is not a booking time.
        if requested not in (None, "booking_time", "booking_confirmed", "booking_service", "booking_technique",
                             "booking_duration"):
            return {}
        current = tracker.get_slot("booking_time")
        default_day = datetime.fromisoformat(current).date() if current else _offered_day(tracker)
        found = _read_time(tracker, default_day)
        if found is None:
            if requested != "booking_time":
                return {}
            dispatcher.utter_message(response="utter_invalid_time")
            return {"booking_time": None}
        if "exact" in found:
            return {"booking_time": found["exact"].isoformat(), "time_window": None}
        start, end = found["window"]
        return {"time_window": [start.isoformat(), end.isoformat()], "booking_time": None}

    async def extract_booking_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        # An address given before it is asked for ("come to 8500 Sunset Blvd 90069 at 3pm");
        # when it is asked for, the whole answer is the address (the slot's from_text mapping).
        if (
            tracker.get_slot("booking_address")
            or tracker.get_slot("requested_slot") == "booking_address"
            or _intent(tracker) in NOT_ANSWERS
        ):
            return {}
        found = service_area.find_address(tracker.latest_message.get("text") or "")
        return {"booking_address": found} if found else {}

    async def extract_client_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        # NLU can read a bare name as a command or question ("Ada Stone" as stop, "Ben Cruz" as
        # urgent symptoms), which would end the form. A message that is just a person's name, as
        # spaCy sees it or as it is capitalised, answers "What name?".
        if tracker.get_slot("requested_slot") != "client_name" or _intent(tracker) not in NOT_ANSWERS:
            return {}
        text = " ".join((tracker.latest_message.get("text") or "").split())
        people = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == "PERSON"]
        is_name = text.lower() in (str(p).lower() for p in people) or contact.typed_as_a_name(text)
        return {"client_name": text} if text and is_name else {}

    async def extract_booking_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") != "booking_confirmed" or _intent(tracker) in NOT_ANSWERS:
            return {}
        answer = _yes_no(tracker)
        return {} if answer is None else {"booking_confirmed": answer}

    @staticmethod
    def _extract_intake(slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") != slot or _intent(tracker) in NOT_ANSWERS:
            return {}
        answer = _yes_no(tracker)
        if answer is None:
            dispatcher.utter_message(response="utter_answer_yes_or_no")
        return {slot: answer}

    async def extract_intake_recent_surgery_or_injury(self, dispatcher, tracker, domain):
        return self._extract_intake("intake_recent_surgery_or_injury", dispatcher, tracker)

    async def extract_intake_blood_clots(self, dispatcher, tracker, domain):
        return self._extract_intake("intake_blood_clots", dispatcher, tracker)

    async def extract_intake_fever(self, dispatcher, tracker, domain):
        return self._extract_intake("intake_fever", dispatcher, tracker)

    async def extract_intake_pregnancy(self, dispatcher, tracker, domain):
        return self._extract_intake("intake_pregnancy", dispatcher, tracker)

    async def extract_intake_doctor_prescribed(self, dispatcher, tracker, domain):
        return self._extract_intake("intake_doctor_prescribed", dispatcher, tracker)

    # --- validation, one answer at a time ------------------------------------------------

    def validate_booking_service(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        service = pricing.parse_service(str(value)) if value else None
        if service is None:
            dispatcher.utter_message(response="utter_invalid_service")
        return {"booking_service": service}

    def validate_booking_technique(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        text = str(value or "")
        technique = pricing.parse_technique(text)
        if technique is None and NO_PREFERENCE.search(text):
            return {"booking_technique": "any", "slot_checked": False}
        if technique is None:
            dispatcher.utter_message(response="utter_invalid_technique")
            return {"booking_technique": None}
        updates = {"booking_technique": technique, "slot_checked": False}
        if not tracker.get_slot("booking_service"):
            updates["booking_service"] = pricing.TECHNIQUES[technique]
        return updates

    def validate_booking_duration(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        # NLU sometimes also tags the "10" of "10am" as a duration: any valid length mentioned wins.
        said = [str(value or ""), *tracker.get_latest_entity_values("duration"), tracker.latest_message.get("text")]
        minutes = next((m for m in map(pricing.parse_duration, said) if m is not None), None)
        if minutes is None:
            dispatcher.utter_message(response="utter_invalid_duration")
            return {"booking_duration": None}
        return {"booking_duration": str(minutes), "slot_checked": False}

    def validate_booking_address(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        check = service_area.check_address(str(value or ""))
        if check.served:
            return {
                "booking_address": service_area.clean_address(str(value)),
                "booking_zip": check.zip_code,
                "slot_checked": False,
            }
        if check.problem == "outside":
            dispatcher.utter_message(
                response="utter_outside_area", zip_code=check.zip_code, areas=service_area.area_names()
            )
            return {"booking_address": None, "booking_stopped": True}
        dispatcher.utter_message(
            response="utter_missing_zip" if check.problem == "missing_zip" else "utter_invalid_address"
        )
        return {"booking_address": None}

    def validate_booking_time(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        if value is None:
            return {}
        starts_at = datetime.fromisoformat(value)
        if starts_at <= clock.now():
            dispatcher.utter_message(response="utter_time_in_past")
            return {"booking_time": None}
        return {"booking_time": starts_at.isoformat(), "slot_checked": False, "offered_times": None}

    def validate_client_name(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        name = contact.clean_name(str(value or ""))
        if name is None:
            dispatcher.utter_message(response="utter_invalid_name")
        return {"client_name": name}

    def validate_client_phone(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        phone = contact.normalise_phone(str(value or ""))
        if phone is None:
            dispatcher.utter_message(response="utter_invalid_phone")
        return {"client_phone": phone}

    def validate_client_email(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        email = contact.normalise_email(str(value or ""))
        if email is None:
            dispatcher.utter_message(response="utter_invalid_email")
        return {"client_email": email}

    def validate_access_notes(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        text = " ".join(str(value or "").split())
        if not text or NO_NOTES.match(text):
            return {"access_notes": "none"}
        if text.endswith("?"):
            # A question asked back ("do I need to be home?"), not the notes: the form asks again.
            dispatcher.utter_message(response="utter_access_notes_not_a_question")
            return {"access_notes": None}
        return {"access_notes": service_area.clean_address(text)[:MAX_NOTES]}

    def _validate_intake(self, slot: str, value: Any, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        if value is None:
            return {}
        if intake.is_red_flag(INTAKE_SLOTS[slot], bool(value)):
            assessment = intake.Assessment(red_flags=(INTAKE_SLOTS[slot],), notes=())
            dispatcher.utter_message(text=assessment.clearance_message())
            return {slot: True, "booking_stopped": True}
        return {slot: bool(value)}

    def validate_intake_recent_surgery_or_injury(self, value, dispatcher, tracker, domain):
        return self._validate_intake("intake_recent_surgery_or_injury", value, dispatcher)

    def validate_intake_blood_clots(self, value, dispatcher, tracker, domain):
        return self._validate_intake("intake_blood_clots", value, dispatcher)

    def validate_intake_fever(self, value, dispatcher, tracker, domain):
        return self._validate_intake("intake_fever", value, dispatcher)

    def validate_intake_pregnancy(self, value, dispatcher, tracker, domain):
        return self._validate_intake("intake_pregnancy", value, dispatcher)

    def validate_intake_doctor_prescribed(self, value, dispatcher, tracker, domain):
        return self._validate_intake("intake_doctor_prescribed", value, dispatcher)

    def validate_booking_confirmed(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        if value is None:
            return {}
        if not value:
            dispatcher.utter_message(response="utter_ask_what_to_change")
            return {"booking_confirmed": None}
        return self._book(dispatcher, tracker)

    # --- whole-form steps ------------------------------------------------------------------

    def _corrections(self, tracker: Tracker) -> Dict[str, Any]:
        """At the summary, "change the address" clears that answer so the form asks again."""
        if tracker.get_slot("requested_slot") != "booking_confirmed" or _intent(tracker) in NOT_ANSWERS:
            return {}
        text = tracker.latest_message.get("text") or ""
        for slot, words in FIELD_WORDS.items():
            if re.search(words, text, re.I):
                return {slot: None, "booking_confirmed": None}
        return {}

    # The database is away: the time stays unchecked, so the form asks for it again.
    @database_step(fallback={"booking_time": None, "time_window": None, "slot_checked": False})
    def _settle_time(self, dispatcher: CollectingDispatcher, tracker: Tracker, slots: Dict[str, Any]) -> Dict:
        """Once technique, length and address are known, turn the wished time into a free slot."""
        ready = all(slots.get(s) for s in ("booking_technique", "booking_duration", "booking_zip"))
        if not ready or slots.get("booking_stopped") or slots.get("slot_checked"):
            return {}
        try:
            return self._find_slot(dispatcher, slots)
        except bookings.TherapistUnsuitable as unsuitable:
            # The therapist picked in the directory can't do this one: fall back to the best available.
            dispatcher.utter_message(response="utter_therapist_unsuitable", reason=str(unsuitable))
            return {"therapist": None, **self._find_slot(dispatcher, {**slots, "therapist": None})}

    @staticmethod
    def _find_slot(dispatcher: CollectingDispatcher, slots: Dict[str, Any]) -> Dict:
        minutes = int(slots["booking_duration"])
        technique = None if slots["booking_technique"] == "any" else slots["booking_technique"]
        if slots.get("time_window"):
            start, end = (datetime.fromisoformat(v) for v in slots["time_window"])
            times = bookings.free_times(
                start, end, minutes, technique, slots["booking_zip"], slots.get("therapist")
            )
            if not times:
                times = bookings.free_times(
                    start, start + bookings.ALTERNATIVES_HORIZON, minutes, technique, slots["booking_zip"],
                    slots.get("therapist"),
                )
                dispatcher.utter_message(response="utter_window_full")
            return {"time_window": None, "booking_time": None, "offered_times": [t.isoformat() for t in times]}
        if not slots.get("booking_time"):
            return {}
        starts_at = datetime.fromisoformat(slots["booking_time"])
        try:
            offer = bookings.offer_slot(starts_at, minutes, technique, slots["booking_zip"], slots.get("therapist"))
        except bookings.SlotTaken as taken:
            dispatcher.utter_message(text=f"Sorry, {when.describe(starts_at)} isn't available: {taken}")
            return {
                "booking_time": None,
                "booking_confirmed": None,
                "offered_times": [t.isoformat() for t in taken.alternatives],
            }
        return {"therapist": offer.therapist_slug, "slot_checked": True, "offered_times": None}

    @database_step(fallback={"booking_confirmed": None})  # nothing written; "yes" again tries again
    def _book(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[str, Any]:
        slots = tracker.slots
        answers = {key: bool(slots.get(slot)) for slot, key in INTAKE_SLOTS.items()}
        request = bookings.NewBooking(
            therapist_slug=slots["therapist"],
            starts_at=datetime.fromisoformat(slots["booking_time"]),
            duration_minutes=int(slots["booking_duration"]),
            service=slots["booking_service"],
            technique=None if slots["booking_technique"] == "any" else slots["booking_technique"],
            client_name=slots["client_name"],
            phone=slots["client_phone"],
            email=slots["client_email"],
            address=slots["booking_address"],
            zip_code=slots["booking_zip"],
            access_notes=None if slots["access_notes"] == "none" else slots["access_notes"],
            intake=intake.intake_record(answers),
            conversation_id=tracker.sender_id,
            sms_consent=bool(slots.get("sms_consent")),
        )
        try:
            booking = bookings.create_booking(request)
        except bookings.SlotTaken as taken:
            dispatcher.utter_message(response="utter_slot_just_taken")
            return {
                "booking_confirmed": None,
                "booking_time": None,
                "slot_checked": False,
                "offered_times": [t.isoformat() for t in taken.alternatives],
            }
        except bookings.BookingError as error:
            logger.error("booking could not be written: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_booking_failed")
            return {"booking_confirmed": None}
        dispatcher.utter_message(
            response="utter_booking_confirmed",
            reference=booking.reference,
            therapist=booking.therapist_name,
            time=when.describe(booking.starts_at),
            price=pricing.format_price(booking.price_cents),
            policy=policy.CANCELLATION_POLICY,
            preparation=policy.preparation_text(),
        )
        return {"booking_confirmed": True, "booking_reference": booking.reference}


class ActionAskBookingTime(Action):
    """Asks when, offering free times as buttons when some were found."""

    def name(self) -> str:
        return "action_ask_booking_time"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        buttons = offered_buttons(tracker)
        if buttons:
            dispatcher.utter_message(response="utter_pick_offered_time", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_ask_booking_time")
        return []


class ActionAskBookingConfirmed(Action):
    """Shows the summary of the booking and asks to confirm it."""

    def name(self) -> str:
        return "action_ask_booking_confirmed"

    @database_step(fallback=[])
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        name = bookings.therapist_name(tracker.get_slot("therapist"))
        dispatcher.utter_message(response="utter_booking_summary", summary=describe_booking(tracker.slots, name))
        return []


class ActionFinishBooking(Action):
    """After the form: forget the booking answers (contact details stay for next time)."""

    def name(self) -> str:
        return "action_finish_booking"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        kept = {"client_name", "client_phone", "client_email"}
        forgotten = [*BOOKING_SLOTS, *BOOKING_STATE, "booking_reference"]
        return [SlotSet(slot, None) for slot in forgotten if slot not in kept]


# --- checking, moving and cancelling a booking ----------------------------------------------


def describe_existing(booking: bookings.BookingDetails) -> str:
    kind = pricing.SERVICES[booking.service]
    return (
        f"Booking {booking.reference}: {booking.duration_minutes} min {kind} with {booking.therapist_name} "
        f"on {when.describe(booking.starts_at)}, at {booking.address}. "
        f"Price {pricing.format_price(booking.price_cents)}. Status: {booking.status}."
    )


class ValidateManageBookingForm(FormValidation):
    """Finds a booking by reference and phone, then cancels or moves it."""

    def name(self) -> str:
        return "validate_manage_booking_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        extra = {"cancel": ["cancel_confirmed"], "reschedule": ["new_time"]}
        return ["booking_reference", "lookup_phone", *extra.get(tracker.get_slot("manage_action"), [])]

    async def extract_booking_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        # A reference typed inside a sentence ("reschedule WH-4K7Q9C") that NLU did not tag.
        if tracker.get_slot("booking_reference") or _intent(tracker) in NOT_ANSWERS:
            return {}
        reference = bookings.normalise_reference(tracker.latest_message.get("text") or "")
        return {"booking_reference": reference} if reference else {}

    @database_step(fallback={"new_time": None})
    async def extract_new_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") != "new_time" or _intent(tracker) in NOT_ANSWERS:
            return {}
        # A time said without a day ("move it to 4pm") keeps the booking's day, or the offered times' day.
        booking = self._booking(tracker)
        found = _read_time(tracker, _offered_day(tracker) or booking.starts_at.date())
        if found is None:
            dispatcher.utter_message(response="utter_invalid_time")
            return {"new_time": None}
        if "exact" in found:
            return {"new_time": found["exact"].isoformat()}
        start, end = found["window"]
        times = bookings.free_times(
            start, end, booking.duration_minutes, None, booking.zip_code, booking.therapist_slug, booking.reference
        )
        if not times:
            dispatcher.utter_message(response="utter_window_full")
            times = bookings.free_times(
                start, start + bookings.ALTERNATIVES_HORIZON, booking.duration_minutes, None, booking.zip_code,
                booking.therapist_slug, booking.reference,
            )
        return {"offered_times": [t.isoformat() for t in times]}

    async def extract_cancel_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot("requested_slot") != "cancel_confirmed" or _intent(tracker) in NOT_ANSWERS:
            return {}
        answer = _yes_no(tracker)
        if answer is None:
            dispatcher.utter_message(response="utter_answer_yes_or_no")
        return {"cancel_confirmed": answer}

    def validate_booking_reference(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        # NLU tags only "WH-" of an all-letter reference ("WH-DAQVMY"): the message itself then has it.
        said = tracker.latest_message.get("text") or ""
        reference = bookings.normalise_reference(str(value or "")) or bookings.normalise_reference(said)
        if reference is None:
            dispatcher.utter_message(response="utter_invalid_reference")
        return {"booking_reference": reference}

    @database_step(fallback={"lookup_phone": None})  # asked again
    def validate_lookup_phone(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        phone = contact.normalise_phone(str(value or ""))
        if phone is None:
            dispatcher.utter_message(response="utter_invalid_phone")
            return {"lookup_phone": None}
        try:
            booking = bookings.find_booking(tracker.get_slot("booking_reference") or "", phone)
        except bookings.BookingNotFound:
            # The same answer whichever of the two was wrong: nothing leaks about other bookings.
            dispatcher.utter_message(response="utter_booking_not_found")
            return {"lookup_phone": None, "booking_reference": None}
        dispatcher.utter_message(text=describe_existing(booking))
        action = tracker.get_slot("manage_action")
        if booking.status != "confirmed" and action in ("cancel", "reschedule"):
            dispatcher.utter_message(response="utter_booking_not_changeable")
            return {"lookup_phone": phone, "manage_action": "check"}
        return {"lookup_phone": phone}

    @database_step(fallback={"cancel_confirmed": None})
    def validate_cancel_confirmed(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        if value is None:
            return {}
        if not value:
            dispatcher.utter_message(response="utter_booking_kept")
            return {"cancel_confirmed": False}
        try:
            booking, fee = bookings.cancel_booking(
                tracker.get_slot("booking_reference"), tracker.get_slot("lookup_phone")
            )
        except bookings.BookingError as error:
            dispatcher.utter_message(text=str(error))
            return {"cancel_confirmed": False}
        fee_text = "No fee applies." if fee == 0 else f"A late-cancellation fee of {pricing.format_price(fee)} applies."
        dispatcher.utter_message(response="utter_booking_cancelled", reference=booking.reference, fee=fee_text)
        return {"cancel_confirmed": True}

    @database_step(fallback={"new_time": None})
    def validate_new_time(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        if value is None:
            return {}
        new_start = datetime.fromisoformat(value)
        try:
            booking, fee = bookings.reschedule_booking(
                tracker.get_slot("booking_reference"), tracker.get_slot("lookup_phone"), new_start
            )
        except bookings.SlotTaken as taken:
            dispatcher.utter_message(text=f"Sorry, {when.describe(new_start)} isn't available: {taken}")
            return {"new_time": None, "offered_times": [t.isoformat() for t in taken.alternatives]}
        except bookings.BookingError as error:
            dispatcher.utter_message(text=str(error))
            return {"new_time": None}
        fee_text = "No fee applies." if fee == 0 else f"A late-change fee of {pricing.format_price(fee)} applies."
        dispatcher.utter_message(
            response="utter_booking_moved", reference=booking.reference, time=when.describe(booking.starts_at),
            therapist=booking.therapist_name, fee=fee_text,
        )
        return {"new_time": booking.starts_at.isoformat(), "offered_times": None}

    @staticmethod
    def _booking(tracker: Tracker) -> bookings.BookingDetails:
        return bookings.find_booking(tracker.get_slot("booking_reference"), tracker.get_slot("lookup_phone"))


class ActionAskCancelConfirmed(Action):
    """States the fee for cancelling now, then asks to confirm."""

    def name(self) -> str:
        return "action_ask_cancel_confirmed"

    @database_step(fallback=[])
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        booking = ValidateManageBookingForm._booking(tracker)
        dispatcher.utter_message(
            response="utter_ask_cancel_confirmed",
            fee=policy.fee_statement(booking.starts_at, booking.price_cents),
        )
        return []


class ActionAskNewTime(Action):
    """States the fee for moving now, then asks for the new time (with free times as buttons)."""

    def name(self) -> str:
        return "action_ask_new_time"

    @database_step(fallback=[])
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        buttons = offered_buttons(tracker)
        if buttons:
            dispatcher.utter_message(response="utter_pick_offered_time", buttons=buttons)
            return []
        booking = ValidateManageBookingForm._booking(tracker)
        dispatcher.utter_message(
            response="utter_ask_new_time", fee=policy.fee_statement(booking.starts_at, booking.price_cents)
        )
        return []


class ActionFinishManageBooking(Action):
    def name(self) -> str:
        return "action_finish_manage_booking"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return [SlotSet(slot, None) for slot in [*MANAGE_SLOTS, "offered_times"]]
