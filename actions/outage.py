"""When the database can't be reached: the one reply, and the decorator that gives it.

Every action step that reads or writes the database is decorated with `database_step`. If
the database fails (down, restarting, connection reset), the user is told that nothing was
booked or changed, the step returns its `fallback` instead (e.g. "ask for the time again"),
and the conversation goes on; the database engine reconnects by itself once it is back. If it
failed while a change was being committed, the change may have been kept: the user is told
so, and saying it again is safe (a repeated booking returns the first, see massage.bookings).
"""

from __future__ import annotations

import copy
import functools
import inspect
import logging
from typing import Any, Callable, Dict, List, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from massage.db import CommitOutcomeUnknown

logger = logging.getLogger(__name__)

DATABASE_DOWN = (
    "Sorry, I can't reach our booking system right now, so nothing was booked or changed. "
    'Please try again in a minute, or say "talk to a person".'
)
# The rare case where the database went away while it was saving: it may have kept the change.
DATABASE_LOST_MID_SAVE = (
    "Sorry, our booking system stopped answering just as I was saving that, so I can't tell yet "
    "whether it went through. Please say it again in a minute: nothing will be booked twice."
)

Step = TypeVar("Step", bound=Callable[..., Any])


def database_step(fallback: Any) -> Callable[[Step], Step]:
    """Decorate an action step (`run`, `validate_*`, a helper) that uses the database.

    The step's arguments must include the dispatcher; `fallback` (copied) is what it returns
    when the database fails: [] for an action's run, slot updates for a form step.
    """

    def decorate(step: Step) -> Step:
        def on_failure(error: SQLAlchemyError, args: tuple) -> Any:
            # The kind of error only: database errors carry the client's details in their parameters.
            logger.error("database unavailable in %s: %s", step.__qualname__, type(error).__name__)
            dispatcher = next(arg for arg in args if isinstance(arg, CollectingDispatcher))
            tracker = next((arg for arg in args if isinstance(arg, Tracker)), None)
            if not _apologised(dispatcher, tracker):
                unsure = isinstance(error, CommitOutcomeUnknown)
                dispatcher.utter_message(text=DATABASE_LOST_MID_SAVE if unsure else DATABASE_DOWN)
            return copy.deepcopy(fallback)

        if inspect.iscoroutinefunction(step):

            @functools.wraps(step)
            async def guarded_async(*args: Any, **kwargs: Any) -> Any:
                try:
                    return await step(*args, **kwargs)
                except SQLAlchemyError as error:
                    return on_failure(error, args)

            return guarded_async  # type: ignore[return-value]

        @functools.wraps(step)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return step(*args, **kwargs)
            except SQLAlchemyError as error:
                return on_failure(error, args)

        return guarded  # type: ignore[return-value]

    return decorate


def _apologised(dispatcher: CollectingDispatcher, tracker: Tracker | None) -> bool:
    """Whether the user was already told in this turn (e.g. by the form before it asks again)."""
    apologies = (DATABASE_DOWN, DATABASE_LOST_MID_SAVE)
    if any(message.get("text") in apologies for message in dispatcher.messages):
        return True
    for event in reversed(_events(tracker)):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and event.get("text") in apologies:
            return True
    return False


def _events(tracker: Tracker | None) -> List[Dict[str, Any]]:
    return list(tracker.events) if tracker is not None else []
