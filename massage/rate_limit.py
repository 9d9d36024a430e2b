"""How often one client may knock: a token bucket per client address.

Each client has a bucket of `burst` tokens that refills at `per_second`; a request takes one
token or is refused. Buckets of clients not seen for a while are forgotten first once
`max_clients` are held, so a flood from many addresses cannot grow memory without bound.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self, per_second: float, burst: int, max_clients: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("a rate limit needs a positive rate and a burst of at least 1")
        self.per_second = per_second
        self.burst = burst
        self.max_clients = max_clients
        self._clock = clock
        # client -> (tokens left, when they were counted)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, client: str) -> bool:
        """Whether `client` may make one more request now (and it is counted)."""
        now = self._clock()
        tokens, counted_at = self._buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - counted_at) * self.per_second)
        allowed = tokens >= 1.0
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return allowed
