"""The business clock: every "now" comes from here so tests can freeze it."""

from datetime import datetime
from zoneinfo import ZoneInfo

LA = ZoneInfo("America/Los_Angeles")


def now() -> datetime:
    """The current time as an aware datetime in Los Angeles."""
    return datetime.now(tz=LA)
