"""Conversation ids are namespaced by channel: `<channel>:<the id the channel gives>`.

A caller of one channel can then never name another channel's conversation (the conversation
contract, ../shared/spec/conversation-contract.md).
"""

from __future__ import annotations

CHANNELS = ("rest", "web", "telegram", "facebook", "whatsapp")


def namespaced(channel: str, native_id: str) -> str:
    """The conversation id of `native_id` on `channel`."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    return f"{channel}:{native_id}"


def split(conversation_id: str) -> tuple[str, str]:
    """(channel, the channel's own id) of a namespaced conversation id."""
    channel, sep, native_id = conversation_id.partition(":")
    if not sep or channel not in CHANNELS or not native_id:
        raise ValueError(f"not a namespaced conversation id: {conversation_id!r}")
    return channel, native_id
