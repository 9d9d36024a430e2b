"""One turn per message, however often it arrives, and a turn's answers sent only once it is saved.

Messages arrive more than once. Telegram, Messenger and Twilio deliver again when they did not
get a timely 200, and in production nginx gives a webhook POST that a replica did not answer in
time to another replica, while the first one may still finish it. Each message carries an id
(the platform's own, one the REST caller sends, or nginx's request id: see the channels), which
Rasa records on the turn's `UserUttered` event. Under the conversation's lock:

- a message whose id the conversation already has is not a second turn: a REST caller gets the
  answers that turn gave (the first reply may never have reached it); other channels get nothing
  more (the first delivery already sent the answers to the platform);
- a turn's answers are held back until its events are saved (a failed save is an apology, not
  an answer), and they are saved only if this replica still holds the conversation's lock
  (`channels.lock_store.lock_still_held`): a replica that was paused past the lock's
  lifetime, while another replica took the message again, drops its turn instead of
  answering twice.

The REST channel installs this when the server starts (every credentials file has it).
"""

import copy
import logging
from typing import Any, Dict, List, Optional, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.data import TrainingType

from channels.lock_store import lock_still_held

logger = logging.getLogger(__name__)

RASA_HANDLE_MESSAGE = MessageProcessor.handle_message


class HeldOutput(OutputChannel):
    """Keeps a turn's answers until the turn is saved, then sends them through the real channel."""

    def __init__(self, channel: OutputChannel) -> None:
        self.channel = channel
        self.held: List[Tuple[str, Dict[str, Any]]] = []

    def name(self) -> str:
        # Responses may differ per channel: they are chosen by the real channel's name.
        return self.channel.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self.held.append((recipient_id, message))

    async def release(self) -> None:
        for recipient_id, message in self.held:
            await self.channel.send_response(recipient_id, message)


def answers_to(tracker: Optional[DialogueStateTracker], message_id: str) -> Optional[List[BotUttered]]:
    """What the bot said after the message with this id; None if the conversation has no such message."""
    if tracker is None:
        return None
    answers: List[BotUttered] = []
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            answers.append(event)
        elif isinstance(event, UserUttered):
            if event.message_id == message_id:
                return answers[::-1]
            answers = []
    return None


async def handle_message_once(self: MessageProcessor, message: UserMessage) -> Optional[List[Dict[str, Any]]]:
    """Rasa's `MessageProcessor.handle_message`, skipping messages already handled and holding
    the answers until the turn is saved by the replica that still holds the lock."""
    earlier = answers_to(await self.tracker_store.retrieve(message.sender_id), message.message_id)
    if earlier is not None:
        logger.info("A message arrived again; it was answered already and is not a second turn.")
        if not isinstance(message.output_channel, CollectingOutputChannel):
            return None
        for answer in earlier:
            await message.output_channel.send_response(message.sender_id, answer.message())
        return message.output_channel.messages
    if self.model_metadata.training_type == TrainingType.NLU:
        return await RASA_HANDLE_MESSAGE(self, message)

    held = HeldOutput(message.output_channel)
    turn = copy.copy(message)
    turn.output_channel = held
    tracker = await self.log_message(turn, should_save_tracker=False)
    tracker = await self.run_action_extract_slots(held, tracker)
    await self._run_prediction_loop(held, tracker)
    await self.run_anonymization_pipeline(tracker)
    if not lock_still_held():
        logger.warning("The conversation's lock expired during this turn (the process was paused?); "
                       "another replica takes the message, this turn is dropped.")
        return None
    # Not self.save_tracker: Rasa's FailSafeTrackerStore swallows a failed save (the database
    # restarting) and keeps the turn in memory only, so the visitor was answered and the turn
    # lost (the fault soak's one lost turn). Saved through the configured store, the failure
    # reaches the channel, which apologises, and the visitor sends the message again.
    await getattr(self.tracker_store, "_tracker_store", self.tracker_store).save(tracker)
    await held.release()
    if isinstance(message.output_channel, CollectingOutputChannel):
        return message.output_channel.messages
    return None


def install() -> None:
    MessageProcessor.handle_message = handle_message_once
