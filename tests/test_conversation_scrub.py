import json

from massage.conversation_scrub import scrub, writes_booking


def slot(name, value):
    return {"event": "slot", "name": name, "value": value, "timestamp": 1.0}


def user(text, entities=()):
    return {"event": "user", "text": text, "input_channel": "rest",
            "parse_data": {"text": text, "intent": {"name": "inform"}, "entities": list(entities)}}


def bot(text):
    return {"event": "bot", "text": text, "data": {"buttons": None}}


BOOKING = [
    user("book a massage at 8500 Sunset Blvd 90069", [{"entity": "address", "value": "8500 Sunset Blvd 90069"}]),
    slot("booking_address", "8500 Sunset Blvd 90069"),
    slot("requested_slot", "client_phone"),
    bot("What mobile number can the therapist reach you on?"),
    user("it's 310 555 0123"),
    slot("client_phone", "+13105550123"),
    slot("requested_slot", "client_email"),
    user("jane@example.com"),
    slot("client_email", "jane@example.com"),
    slot("requested_slot", "access_notes"),
    user("gate code 482913, ring twice"),
    slot("access_notes", "gate code 482913, ring twice"),
    slot("requested_slot", "intake_pregnancy"),
    bot("Are you pregnant?"),
    user("yes, 20 weeks"),
    slot("intake_pregnancy", True),
    slot("requested_slot", None),
    bot("- at 8500 Sunset Blvd 90069\n- for Jane Doe, (310) 555-0123, jane@example.com\n"
        "- access notes: gate code 482913, ring twice"),
    user("yes"),
    slot("booking_reference", "WH-4K7Q"),
]


def test_no_phone_email_address_notes_or_health_answer_is_left():
    stored = json.dumps(scrub(BOOKING))
    for personal in ("8500 Sunset", "555", "0123", "jane@example.com", "482913", "20 weeks"):
        assert personal not in stored, personal
    assert "Jane Doe" in stored  # the name is not among what is scrubbed
    assert "WH-4K7Q" in stored


def test_placeholders_say_what_was_there_and_the_conversation_keeps_its_shape():
    scrubbed = scrub(BOOKING)
    assert len(scrubbed) == len(BOOKING)
    assert [e["event"] for e in scrubbed] == [e["event"] for e in BOOKING]
    assert scrubbed[4]["text"] == "[phone]"
    assert scrubbed[14]["parse_data"]["text"] == "[health answer]"
    assert scrubbed[15]["value"] is None and scrubbed[5]["value"] is None
    assert "- at [address]" in scrubbed[17]["text"] and "[phone], [email]" in scrubbed[17]["text"]
    assert scrubbed[0]["parse_data"]["entities"][0]["value"] == "[address]"
    assert scrubbed[18]["text"] == "yes"  # the confirmation is no personal detail


def test_only_a_written_booking_triggers_it():
    assert writes_booking(slot("booking_reference", "WH-4K7Q"))
    assert not writes_booking(slot("booking_reference", None))
    assert not writes_booking(slot("client_phone", "+13105550123"))
