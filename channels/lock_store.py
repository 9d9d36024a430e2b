"""A Redis lock store whose every step is one atomic Redis script, for several Rasa replicas.

Rasa's own `RedisLockStore` reads a conversation's lock, changes it in Python and writes it
back. Two replicas doing that at once overwrite each other's tickets, and then both process
the same conversation together: duplicated session starts and lost messages. Here a lock is
a sorted set of tickets (member: ticket number, score: expiry time on Redis's clock) plus a
ticket counter, and issuing, checking and returning a ticket each run inside Redis.

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
from typing import AsyncGenerator

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

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

# Drops expired tickets; returns 1 if ARGV[1] is the lowest live ticket (its turn), 0 if it
# must wait, -1 if it expired while waiting.
_TRY_ACQUIRE = """
local now = redis.call('TIME')
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(now[1]) + tonumber(now[2]) / 1e6)
local ticket = tonumber(ARGV[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if tonumber(member) < ticket then return 0 end
end
return 1
"""

# Returns the ticket; deletes the lock when nobody else holds or waits for it.
_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
end
return 1
"""


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
        return [tickets, tickets + ":next"]

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
        try:
            yield await self._acquire(conversation_id, ticket, wait_time_in_seconds)
        finally:
            self.finish_serving(conversation_id, ticket)

    async def _acquire(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        # Rasa waits a whole second between tries; a short poll keeps queued messages snappy.
        poll = min(wait_time_in_seconds, 0.05)
        while True:
            state = int(self._try_acquire(keys=self._keys(conversation_id), args=[ticket]))
            if state == 1:
                return self.get_lock(conversation_id) or TicketLock(conversation_id)
            if state < 0:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            await asyncio.sleep(poll)

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
