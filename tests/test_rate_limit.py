import pytest

from massage.rate_limit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_the_rate_holds_per_client():
    clock = Clock()
    limiter = RateLimiter(per_second=2, burst=5, clock=clock)
    assert [limiter.allow("203.0.113.9") for _ in range(7)] == [True] * 5 + [False] * 2
    # Another address is not slowed by the first one's flood.
    assert limiter.allow("198.51.100.4")
    clock.now += 1.0  # two tokens back
    assert [limiter.allow("203.0.113.9") for _ in range(3)] == [True, True, False]


def test_refused_requests_do_not_earn_time_and_buckets_refill_to_the_burst_only():
    clock = Clock()
    limiter = RateLimiter(per_second=1, burst=3, clock=clock)
    for _ in range(3):
        limiter.allow("a")
    clock.now += 0.5
    assert not limiter.allow("a")
    clock.now += 0.5
    assert limiter.allow("a")
    clock.now += 3600
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]


def test_memory_is_bounded_by_forgetting_the_longest_unseen_clients():
    clock = Clock()
    limiter = RateLimiter(per_second=1, burst=1, max_clients=2, clock=clock)
    assert limiter.allow("a") and limiter.allow("b")
    assert not limiter.allow("a")
    limiter.allow("c")  # "b" was seen longest ago and is forgotten; "a" is still held
    assert not limiter.allow("a")
    assert len(limiter._buckets) == 2


@pytest.mark.parametrize("rate, burst", [(0, 5), (1, 0)])
def test_a_limit_that_would_refuse_everything_is_not_accepted(rate, burst):
    with pytest.raises(ValueError):
        RateLimiter(per_second=rate, burst=burst)


def test_only_a_trusted_proxy_may_say_who_the_client_is(monkeypatch):
    from channels.public_access import client_address

    forwarded = {"x-real-ip": "203.0.113.9"}
    assert client_address("127.0.0.1", forwarded) == "203.0.113.9"  # nginx on loopback (the default)
    assert client_address("198.51.100.4", forwarded) == "198.51.100.4"  # anyone else: its own address
    assert client_address("127.0.0.1", {}) == "127.0.0.1"
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    assert client_address("10.42.0.7", forwarded) == "203.0.113.9"
    assert client_address("127.0.0.1", forwarded) == "127.0.0.1"
