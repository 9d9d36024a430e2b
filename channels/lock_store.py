"""A Redis lock store whose every step is one atomic Redis script, for several Rasa replicas.

Rasa's own `RedisLockStore` reads a conversation's lock, changes it in Python and writes it
back. Two replicas doing that at once overwrite each other's tickets, and then both process
the same conversation together: duplicated session starts and lost messages. Here a lock is
a sorted set of tickets (member: ticket number, score: expiry time on Redis's clock), a ticket
counter and the holder's ticket, and issuing, checking and returning a ticket each run inside
Redis.

A ticket lives `lock_lifetime` seconds past its last renewal (run-prod.sh sets Rasa's
TICKET_LOCK_LIFETIME to 3): the holder renews it every third of that while it works, a waiter
on every poll. So a replica that is paused or wedged loses its conversations' locks within the
lifetime to the messages waiting for them, while a slow but live turn keeps its lock however
long it runs. Before saving a turn, `lock_still_held` checks that the lock is still this turn's
(channels.exactly_once): a replica that wakes up after another took the conversation drops its
turn; one whose conversation nobody took meanwhile carries on.

endpoints.yml:
    lock_store:
      type: channels.lock_store.AtomicRedisLockStore
      url: localhost
      port: 6379
      db: 1
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import AsyncGenerator

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

MAX_POLL_SECONDS = 0.4  # between a waiting ticket's tries

# KEYS[1] tickets (sorted set), KEYS[2] counter; ARGV[1] lifetime in seconds.
_ISSUE = """
local now = redis.call('TIME')
local expires = tonumber(now[1]) + tonumber(now[2]) / 1e6 + tonumber(ARGV[1])
local ticket = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], expires, ticket)
local keep_ms = math.ceil(tonumber(ARGV[1]) * 1000) + 60000
redis.call('PEXPIRE', KEYS[1], keep_ms)
redis.call('PEXPIRE', KEYS[2], keep_ms)
return ticket
"""

# KEYS[3] holder: the ticket that last took the lock. Drops expired tickets; returns 1 if
# ARGV[1] holds the lock (it is the holder, or the lowest live ticket and becomes the holder),
# renewing it for ARGV[2] seconds; 0 if it must wait; -1 if it expired and another ticket
# took the lock or may take it (its process paused longer than the lifetime).
_TRY_ACQUIRE = """
local now = redis.call('TIME')
local seconds = tonumber(now[1]) + tonumber(now[2]) / 1e6
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', seconds)
local keep_ms = math.ceil(tonumber(ARGV[2]) * 1000) + 60000
local function hold()
  redis.call('ZADD', KEYS[1], seconds + tonumber(ARGV[2]), ARGV[1])
  redis.call('SET', KEYS[3], ARGV[1], 'PX', keep_ms)
  redis.call('PEXPIRE', KEYS[1], keep_ms)
  redis.call('PEXPIRE', KEYS[2], keep_ms)
  return 1
end
if redis.call('GET', KEYS[3]) == ARGV[1] then return hold() end
local ticket = tonumber(ARGV[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
redis.call('ZADD', KEYS[1], 'XX', seconds + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], keep_ms)
redis.call('PEXPIRE', KEYS[2], keep_ms)
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if tonumber(member) < ticket then return 0 end
end
return hold()
"""

# Returns the ticket; deletes the lock when nobody else holds or waits for it.
_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('GET', KEYS[3]) == ARGV[1] then
  redis.call('DEL', KEYS[3])
end
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
end
return 1
"""


# The lock the current task holds: (store, conversation id, ticket, lifetime).
_held: ContextVar[tuple | None] = ContextVar("held_conversation_lock", default=None)


def lock_still_held() -> bool:
    """Whether the conversation lock this task took is still its own (renewing it if so).

    True where no shared lock store runs (`make run`'s in-memory one serves one server)."""
    held = _held.get()
    if held is None:
        return True
    store, conversation_id, ticket, lifetime = held
    return store.renew(conversation_id, ticket, lifetime)


class AtomicRedisLockStore(LockStore):
    """Ticket locks in Redis, safe when several Rasa servers share one Redis."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **overrides) -> None:
        import redis

        settings = {**(endpoint_config.kwargs if endpoint_config else {}), **overrides}
        self.red = redis.StrictRedis(
            host=(endpoint_config.url if endpoint_config and endpoint_config.url else None)
            or settings.get("host", "localhost"),
            port=int(settings.get("port", 6379)),
            db=int(settings.get("db", 1)),
            username=settings.get("username"),
            password=settings.get("password"),
            ssl=bool(settings.get("use_ssl", False)),
            socket_timeout=float(settings.get("socket_timeout", 10)),
        )
        self.key_prefix = f"{settings.get('key_prefix', 'weho')}:lock:"
        self._issue = self.red.register_script(_ISSUE)
        self._try_acquire = self.red.register_script(_TRY_ACQUIRE)
        self._release = self.red.register_script(_RELEASE)
        super().__init__()

    def _keys(self, conversation_id: str) -> list[str]:
        tickets = self.key_prefix + conversation_id
        return [tickets, tickets + ":next", tickets + ":holder"]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return int(self._issue(keys=self._keys(conversation_id), args=[lock_lifetime]))
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        renewing, held = None, None
        try:
            lock = await self._acquire(conversation_id, ticket, lock_lifetime, wait_time_in_seconds)
            held = _held.set((self, conversation_id, ticket, lock_lifetime))
            renewing = asyncio.create_task(self._keep_renewed(conversation_id, ticket, lock_lifetime))
            yield lock
        finally:
            if renewing is not None:
                renewing.cancel()
            if held is not None:
                _held.reset(held)
            self.finish_serving(conversation_id, ticket)

    async def _acquire(
        self, conversation_id: str, ticket: int, lock_lifetime: float, wait_time_in_seconds: float
    ) -> TicketLock:
        # Rasa waits a whole second between tries; a short first poll keeps queued messages
        # snappy, and backing off keeps the copies of a message that nginx retried on another
        # replica (waiting for the first one's turn) from flooding Redis under load.
        poll = min(wait_time_in_seconds, 0.05)
        while True:
            state = int(self._try_acquire(keys=self._keys(conversation_id), args=[ticket, lock_lifetime]))
            if state == 1:
                return self.get_lock(conversation_id) or TicketLock(conversation_id)
            if state < 0:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            await asyncio.sleep(poll)
            poll = min(poll * 1.5, MAX_POLL_SECONDS, lock_lifetime / 3)

    async def _keep_renewed(self, conversation_id: str, ticket: int, lock_lifetime: float) -> None:
        while True:
            await asyncio.sleep(lock_lifetime / 3)
            if not self.renew(conversation_id, ticket, lock_lifetime):
                return

    def renew(self, conversation_id: str, ticket: int, lock_lifetime: float) -> bool:
        """Extends the ticket's life if it still holds the conversation's lock; False if it lost it."""
        try:
            return int(self._try_acquire(keys=self._keys(conversation_id), args=[ticket, lock_lifetime])) == 1
        except Exception:  # noqa: BLE001 - Redis unreachable: the lock cannot be vouched for
            logger.warning("Could not renew a conversation lock (Redis unreachable).")
            return False

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._release(keys=self._keys(conversation_id), args=[ticket_number])

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self.finish_serving(conversation_id, ticket_number)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """A read-only snapshot of the lock, for callers of Rasa's `LockStore` interface."""
        tickets = self.red.zrange(self.key_prefix + conversation_id, 0, -1, withscores=True)
        if not tickets:
            return None
        return TicketLock(conversation_id, [Ticket(int(number), expires) for number, expires in tickets])

    def delete_lock(self, conversation_id: str) -> None:
        self.red.delete(*self._keys(conversation_id))

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("locks change only through atomic scripts; use lock()")
