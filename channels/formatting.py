"""Platform-neutral handling of messages: reading untrusted webhook bodies, and shaping bot
replies (length limits, short titles, numbered options).

Every messaging channel answers bad input the same way. A body that is not the platform's
request at all (not a JSON object for Telegram and Messenger, no sender in Twilio's form)
gets a 400. Anything else gets the platform's success status, since platforms re-deliver
on errors and that would not help: each message in it is answered when there is someone to
answer (blank or non-text messages with a short note), and skipped otherwise.
"""

import json
import logging
import re
import threading
from collections import OrderedDict
from typing import Any, Dict, List, Tuple

from rasa.core.channels.channel import OutputChannel

from massage.text import clean_user_text

logger = logging.getLogger(__name__)

# Break points, best first: paragraph, line, sentence end, word.
_BREAKS = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?…])\s+"),
    re.compile(r"\s+"),
)
# The answer to a photo, sticker, voice note or location: the assistant reads text only.
NOT_TEXT_REPLY = "Sorry, I can only read text messages. What would you like to know?"
# The answer when the assistant failed on its side and said nothing else.
FAILURE_REPLY = "Sorry, something went wrong on my side. Please try again in a moment."
# The answer to a message that is empty once cleaned (spaces, invisible characters).
EMPTY_TEXT_REPLY = "I didn't catch any text there. What would you like to know?"
# Chat, user and phone ids as Telegram (numbers), Messenger (digits) and Twilio
# ("whatsapp:+1...") send them; anything else cannot be replied to.
_PLATFORM_ID = re.compile(r"[\w:+.@-]{1,128}", re.ASCII)

_OPTION_NUMBER = re.compile(r"^\s*#?(\d{1,3})\s*[.)]?\s*$")


async def send_failure_reply(output: OutputChannel, recipient_id: str) -> None:
    """Tells a messaging-app user that their message failed on our side (Rasa raised mid-turn,
    e.g. its lock store was unreachable), as REST and web chat do, rather than leave them
    waiting; unless the platform can't be reached either."""
    try:
        await output.send_text_message(recipient_id, FAILURE_REPLY)
    except Exception:
        logger.exception("Could not tell a user that their message failed.")


def json_object(body: bytes) -> Dict[str, Any] | None:
    """The body as a JSON object, or None if it is not one (invalid, not UTF-8, nested too deep...)."""
    try:
        payload = json.loads(body or b"")
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return payload if isinstance(payload, dict) else None


def dig(data: Any, *keys: str) -> Any:
    """data[key][key]..., or None where a level is missing or not an object."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def platform_id(value: Any) -> str | None:
    """A chat or user id as text (Telegram's are numbers), or None if it is no usable id."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and _PLATFORM_ID.fullmatch(value) else None


def read_text(raw: Any) -> Tuple[str, str]:
    """(text, note): the user's cleaned text, or "" and the note to answer instead.

    `raw` that is not a string (missing for a photo, or a number or object in a forged
    request) gets NOT_TEXT_REPLY; text that is empty once cleaned gets EMPTY_TEXT_REPLY.
    """
    if not isinstance(raw, str):
        return "", NOT_TEXT_REPLY
    text = clean_user_text(raw)
    return text, "" if text else EMPTY_TEXT_REPLY


def split_text(text: str, limit: int) -> List[str]:
    """Splits `text` into chunks of at most `limit` characters.

    Each chunk ends at the latest paragraph, line, sentence or word break that fits, so
    a long answer reads naturally across several messages; only a single word longer
    than `limit` is cut mid-word.
    """
    chunks = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _last_break(rest, limit)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def _last_break(text: str, limit: int) -> int:
    window = text[: limit + 1]
    for pattern in _BREAKS:
        ends = [match.start() for match in pattern.finditer(window) if 0 < match.start() <= limit]
        if ends:
            return ends[-1]
    return limit


def shorten(title: str, limit: int) -> str:
    """Fits a button title into `limit` characters, cutting at a word where possible."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    head = title[: limit - 1]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:-") + "…"


def numbered_options(buttons: List[Dict[str, Any]]) -> str:
    """The buttons as a numbered list, one per line, for platforms without buttons."""
    lines = [f"{number}. {button['title']}" for number, button in enumerate(buttons, start=1)]
    return "Reply with a number:\n" + "\n".join(lines)


class OfferedOptions:
    """The options last offered to each user, so "2" can be read as the second button.

    Kept in this process's memory, bounded to the most recent `capacity` users. An offer
    is valid for the user's next message only: whatever they answer, it is used up.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._offers: OrderedDict[str, List[Dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def offer(self, user: str, buttons: List[Dict[str, Any]]) -> None:
        with self._lock:
            self._offers[user] = buttons
            self._offers.move_to_end(user)
            while len(self._offers) > self._capacity:
                self._offers.popitem(last=False)

    def resolve(self, user: str, text: str) -> str:
        """The payload the user chose by number or by exact title, else the text itself."""
        with self._lock:
            buttons = self._offers.pop(user, None)
        choice = _chosen(buttons or [], text)
        return choice["payload"] if choice else text


def _chosen(buttons: List[Dict[str, Any]], text: str) -> Dict[str, Any] | None:
    match = _OPTION_NUMBER.match(text)
    if match:
        number = int(match.group(1))
        return buttons[number - 1] if 1 <= number <= len(buttons) else None
    wanted = text.strip().casefold()
    return next((b for b in buttons if b["title"].strip().casefold() == wanted), None)
