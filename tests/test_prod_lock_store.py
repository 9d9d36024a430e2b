"""The atomic Redis lock store: two stores (two replicas) never hold one conversation's lock at once."""

import asyncio
import threading
import time
import uuid

import pytest
import redis
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from channels.lock_store import AtomicRedisLockStore, lock_still_held


@pytest.fixture
def prefix():
    try:
        redis.StrictRedis(host="127.0.0.1", port=6379, socket_timeout=3).ping()
    except redis.RedisError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    prefix = f"test{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.StrictRedis(host="127.0.0.1", port=6379, db=1)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def replica(prefix: str) -> AtomicRedisLockStore:
    """A lock store as Rasa builds it from endpoints.prod.yml."""
    return AtomicRedisLockStore(
        EndpointConfig(url="127.0.0.1", type="channels.lock_store.AtomicRedisLockStore", port=6379, db=1,
                       key_prefix=prefix)
    )


def test_two_replicas_serve_each_conversation_one_message_at_a_time(prefix: str) -> None:
    """Each replica runs its own event loop in its own thread, as two Rasa servers would."""
    conversations = [f"visitor-{n}" for n in range(8)]
    counters = {name: 0 for name in conversations}
    holders = {name: 0 for name in conversations}
    overlaps = []
    guard = threading.Lock()

    async def handle(store: AtomicRedisLockStore, conversation: str) -> None:
        async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.01):
            with guard:
                holders[conversation] += 1
                if holders[conversation] > 1:
                    overlaps.append(conversation)
            seen = counters[conversation]  # read ...
            await asyncio.sleep(0.003)  # ... let the other replica run ...
            counters[conversation] = seen + 1  # ... write: an update is lost if two held the lock
            with guard:
                holders[conversation] -= 1

    def replica_burst() -> None:
        store = replica(prefix)

        async def burst() -> None:
            await asyncio.gather(*(handle(store, name) for name in conversations for _ in range(15)))

        asyncio.run(burst())

    threads = [threading.Thread(target=replica_burst) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert overlaps == []
    assert counters == {name: 30 for name in conversations}
    # Every lock is gone once its conversation is idle.
    assert list(redis.StrictRedis(host="127.0.0.1", db=1).scan_iter(f"{prefix}:*")) == []


def test_messages_of_one_conversation_are_served_in_arrival_order(prefix: str) -> None:
    store = replica(prefix)
    served = []

    async def handle(message: int) -> None:
        async with store.lock("visitor", lock_lifetime=30, wait_time_in_seconds=0.01):
            served.append(message)
            await asyncio.sleep(0.001)

    async def arrive_in_order() -> None:
        tasks = []
        for message in range(20):
            tasks.append(asyncio.create_task(handle(message)))
            await asyncio.sleep(0)  # each task takes its ticket before the next arrives
        await asyncio.gather(*tasks)

    asyncio.run(arrive_in_order())
    assert served == list(range(20))


def test_a_waiter_that_was_paused_past_its_tickets_lifetime_is_refused(prefix: str) -> None:
    store = replica(prefix)

    async def stuck_then_late() -> None:
        async with store.lock("visitor", lock_lifetime=30):
            late = store.issue_ticket("visitor", lock_lifetime=0.2)
            await asyncio.sleep(0.4)  # its process paused: nobody renewed the waiting ticket
            with pytest.raises(LockError):
                await store._acquire("visitor", late, 0.2, 0.05)

    asyncio.run(stuck_then_late())


def test_a_slow_turn_keeps_its_lock_past_the_lifetime_and_a_waiter_waits(prefix: str) -> None:
    """Tickets are renewed while their process runs: a turn may take longer than the lifetime."""
    store, other = replica(prefix), replica(prefix)
    served = []

    async def slow_then_next() -> None:
        async def slow() -> None:
            async with store.lock("visitor", lock_lifetime=0.3, wait_time_in_seconds=0.01):
                served.append("slow starts")
                await asyncio.sleep(1.0)
                assert lock_still_held()
                served.append("slow ends")

        async def next_message() -> None:
            await asyncio.sleep(0.05)
            async with other.lock("visitor", lock_lifetime=0.3, wait_time_in_seconds=0.01):
                served.append("next")

        await asyncio.gather(slow(), next_message())

    asyncio.run(slow_then_next())
    assert served == ["slow starts", "slow ends", "next"]


def test_a_paused_holder_loses_its_lock_to_the_next_message_and_knows_it(prefix: str) -> None:
    """A replica paused mid-turn (SIGSTOP, a blocking call) renews nothing: after the lifetime the
    next message's replica takes the conversation, and the paused one, awake, finds out before saving."""
    store, other = replica(prefix), replica(prefix)

    async def paused_then_awake() -> bool:
        async with store.lock("visitor", lock_lifetime=0.3, wait_time_in_seconds=0.01):
            time.sleep(0.6)  # the whole event loop stands still, as in a paused process

            async def next_message() -> str:
                async with other.lock("visitor", lock_lifetime=0.3, wait_time_in_seconds=0.01):
                    return "served"

            assert await asyncio.wait_for(next_message(), timeout=2) == "served"
            return lock_still_held()

    assert asyncio.run(paused_then_awake()) is False


def test_a_crashed_holder_does_not_block_the_conversation_forever(prefix: str) -> None:
    store = replica(prefix)
    store.issue_ticket("visitor", lock_lifetime=0.3)  # a replica took a ticket and died

    async def next_message() -> str:
        async with store.lock("visitor", lock_lifetime=30, wait_time_in_seconds=0.05):
            return "served"

    assert asyncio.run(asyncio.wait_for(next_message(), timeout=5)) == "served"


def test_a_paused_holder_whose_conversation_nobody_wanted_keeps_its_lock(prefix: str) -> None:
    store = replica(prefix)

    async def paused_then_awake() -> bool:
        async with store.lock("visitor", lock_lifetime=0.3, wait_time_in_seconds=0.01):
            time.sleep(0.6)  # past the lifetime, but no other message came for the conversation
            return lock_still_held()

    assert asyncio.run(paused_then_awake()) is True
    assert list(redis.StrictRedis(host="127.0.0.1", db=1).scan_iter(f"{prefix}:*")) == []
