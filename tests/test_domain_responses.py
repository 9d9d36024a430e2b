"""Every response in the domain renders through Rasa's NLG as users get it: no interpolation
errors (each one logs a traceback, tens of milliseconds on the turn) and button payloads that
Rasa parses back into a known intent and entities."""

import json
import re
from pathlib import Path

import pytest
import yaml
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from structlog.testing import capture_logs

DOMAIN = yaml.safe_load((Path(__file__).resolve().parent.parent / "domain.yml").read_text())
# A fresh conversation: every slot there, none filled.
EMPTY_SLOTS = {slot: None for slot in DOMAIN["slots"]}
# Placeholders that are no slot are filled by the action that utters the response.
PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_]+)\}")
PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]+)(?P<entities>\{.*\})?$")
VARIATIONS = [(name, n) for name, variations in DOMAIN["responses"].items() for n in range(len(variations))]


@pytest.mark.parametrize("name, variation", VARIATIONS, ids=[f"{name}-{n}" for name, n in VARIATIONS])
def test_response_renders_without_errors_and_its_buttons_send_known_intents(name, variation):
    response = DOMAIN["responses"][name][variation]
    action_values = {key: "x" for key in PLACEHOLDER.findall(json.dumps(response)) if key not in EMPTY_SLOTS}
    nlg = TemplatedNaturalLanguageGenerator({name: [response]})
    with capture_logs() as logs:
        rendered = nlg.generate_from_slots(name, EMPTY_SLOTS, "rest", **action_values)
    assert [log for log in logs if log["log_level"] in ("error", "exception")] == []
    for button in rendered.get("buttons", []):
        payload = PAYLOAD.match(button["payload"])
        assert payload, button
        assert payload["intent"] in DOMAIN["intents"]
        assert set(json.loads(payload["entities"] or "{}")) <= set(DOMAIN["entities"])
