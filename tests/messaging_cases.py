"""What a messaging-app user should get, read from the assistant's own domain and directory data."""

from typing import Dict, List

import pytest
import yaml

from conftest import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
THERAPISTS = yaml.safe_load((ROOT / "data" / "directory" / "therapists.yml").read_text())["therapists"]

FAQ_QUESTION = "does insurance cover medical massage?"
SEARCH_REQUEST = "can you find me a therapist who does lymphatic drainage?"
# The contract's intent; the test runs once the assistant has the search flow.
needs_search = pytest.mark.skipif(
    "search_therapists" not in DOMAIN["intents"], reason="the assistant has no therapist search yet"
)


def faq_answer(key: str) -> str:
    return DOMAIN["responses"][f"utter_faq/{key}"][0]["text"]


def greeting_buttons() -> List[Dict[str, str]]:
    return DOMAIN["responses"]["utter_greet"][0]["buttons"]


def found_lymphatic_drainage_therapists(reply: str) -> bool:
    """Whether the reply names therapists who do lymphatic drainage, and no one who doesn't."""
    named = {t["name"] for t in THERAPISTS if t["name"] in reply}
    doing_it = {t["name"] for t in THERAPISTS if "lymphatic_drainage" in t["techniques"]}
    return bool(named) and named <= doing_it
