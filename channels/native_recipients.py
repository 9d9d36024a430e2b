"""Replies go to the id the platform knows, not to the conversation id.

Rasa names a conversation by the sender id of its messages, and this project makes that id
`<channel>:<native id>` (massage.conversation_ids) so that no caller of one channel can name
another channel's conversation. Rasa then addresses every reply to that conversation id;
output channels mixing this in strip the channel before the platform sees it.
"""

from typing import Any, Dict

from massage.conversation_ids import split


class NativeRecipient:
    """Mix in before a Rasa `OutputChannel` class."""

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        _, native_id = split(recipient_id)
        await super().send_response(native_id, message)  # type: ignore[misc]
