"""Messaging-app users are told when their message fails on our side, and the chat goes on after.

The stack here takes its Redis lock store (production mode's) through a proxy the test cuts.
With Redis gone, Rasa raises before the turn starts; REST and web chat answer with an apology,
and Telegram, Messenger and WhatsApp users must get one too instead of silence.
"""

import uuid
from typing import Callable, Dict, List

import pytest
import redis
import test_channels_facebook as messenger
import test_channels_telegram as telegram
import test_channels_twilio as whatsapp
from db_proxy import CuttableProxy
from fake_platform import MESSAGING_ENV, FakePlatform, messaging_credentials, running_platforms
from messaging_cases import FAQ_QUESTION, faq_answer

from channels.formatting import FAILURE_REPLY
from conftest import Stack, running_stack


def telegram_texts(stack: Stack, fake: FakePlatform, chat: int, text: str) -> List[str]:
    return [call.form["text"] for call in telegram.say(stack, fake, chat, telegram.text_update(chat, text))]


def messenger_texts(stack: Stack, fake: FakePlatform, psid: str, text: str) -> List[str]:
    return [message.get("text", "") for message in messenger.say(stack, fake, psid, messenger.text_event(psid, text))]


def whatsapp_texts(stack: Stack, fake: FakePlatform, user: str, text: str) -> List[str]:
    return whatsapp.say(stack, fake, user, text).split("\n")


# Per channel: a new user, and "send this text, return the texts of the replies".
CHANNELS: Dict[str, tuple[Callable[[], object], Callable[..., List[str]]]] = {
    "telegram": (telegram.new_chat, telegram_texts),
    "facebook": (messenger.new_user, messenger_texts),
    "twilio": (whatsapp.new_user, whatsapp_texts),
}


@pytest.fixture(scope="module")
def platforms():
    """Fakes of this stack's own: it registers the Telegram webhook too, which the shared fake counts."""
    with running_platforms() as fakes:
        yield fakes


@pytest.fixture(scope="module")
def redis_proxy():
    try:
        redis.StrictRedis(host="127.0.0.1", port=6379, socket_timeout=3).ping()
    except redis.RedisError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    proxy = CuttableProxy("127.0.0.1", 6379)
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def stack_with_redis_locks(model_path, platforms, redis_proxy, tmp_path_factory):
    lock_store = (
        "lock_store:\n  type: channels.lock_store.AtomicRedisLockStore\n"
        f"  url: 127.0.0.1\n  port: {redis_proxy.port}\n  db: 1\n  key_prefix: test{uuid.uuid4().hex[:8]}\n"
    )
    with running_stack(tmp_path_factory.mktemp("redis-locks"), model_path,
                       credentials=messaging_credentials(platforms), env=MESSAGING_ENV,
                       endpoints=lock_store) as stack:
        yield stack


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_message_that_fails_on_our_side_gets_an_apology_and_the_chat_goes_on(
    channel, stack_with_redis_locks, platforms, redis_proxy
):
    new_user, say = CHANNELS[channel]
    stack, fake, user = stack_with_redis_locks, platforms[channel], new_user()
    insurance = faq_answer("insurance")
    assert insurance in say(stack, fake, user, FAQ_QUESTION)

    connections = redis_proxy.connections
    redis_proxy.cut()
    try:
        assert say(stack, fake, user, FAQ_QUESTION) == [FAILURE_REPLY]
    finally:
        redis_proxy.restore()

    assert insurance in say(stack, fake, user, FAQ_QUESTION)
    assert redis_proxy.connections > connections  # the locks really are Redis's, through the proxy
