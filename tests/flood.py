"""One client floods the REST channel while a second one chats: what each got, and how long the
second one waited. Loopback addresses stand for the clients (127.0.0.2 floods, 127.0.0.3 chats),
so rate limits per address tell them apart; the flood is bounded in time."""

import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import List

import requests
from requests.adapters import HTTPAdapter

from channels.public_access import DEFAULT_LIMITS

FLOOD_SECONDS = 15
FLOOD_THREADS = 4
QUESTIONS = ["do I need to tip?", "what is effleurage?", "what is skin rolling?", "what is kneading?"]
# (client, sender, text) -> the response
Say = Callable[[requests.Session, str, str], requests.Response]


class FromAddress(HTTPAdapter):
    """Connections from one loopback address."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


def client_at(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", FromAddress(address))
    return session


@dataclass
class Flood:
    statuses: Counter  # HTTP status -> how many the flooder got
    quiet: float  # the second client's median turn, alone
    busy: float  # and during the flood
    refusal: requests.Response | None  # one of the flooder's 429s

    def assert_held(self) -> None:
        """The flooder got answers only within its address's limit (a burst, then so many a second;
        the rest 429), and the second client waited at most 1.5 times as long."""
        rate, burst = DEFAULT_LIMITS["MESSAGE"]
        assert self.statuses[429] and self.statuses[200] <= burst + rate * (FLOOD_SECONDS + 2), self.statuses
        assert self.busy <= 1.5 * self.quiet, f"p50 {self.busy:.3f}s during the flood, {self.quiet:.3f}s alone"

    def report(self, where: str) -> str:
        return (f"\nflood of one address ({where}): {sum(self.statuses.values())} requests in {FLOOD_SECONDS}s, "
                f"{dict(self.statuses)}; second client's turn p50 {self.quiet * 1000:.0f} ms alone, "
                f"{self.busy * 1000:.0f} ms during the flood ({self.busy / self.quiet:.2f}x)")


def _timed_turns(say: Say, client: requests.Session, sender: str, count: int) -> List[float]:
    latencies = []
    for number in range(count):
        started = time.monotonic()
        reply = say(client, sender, QUESTIONS[number % len(QUESTIONS)])
        latencies.append(time.monotonic() - started)
        assert reply.status_code == 200, reply.text
        time.sleep(0.5)  # a person reads the answer
    return latencies


def flood_while_chatting(say: Say) -> Flood:
    second = client_at("127.0.0.3")
    _timed_turns(say, second, "second-warmup", 2)
    unloaded = _timed_turns(say, second, "second-quiet", 8)
    statuses: Counter = Counter()
    refusals: List[requests.Response] = []
    stop = threading.Event()

    def flood() -> None:
        flooder = client_at("127.0.0.2")
        deadline = time.monotonic() + FLOOD_SECONDS
        while not stop.is_set() and time.monotonic() < deadline:
            reply = say(flooder, "flooder", "hi")
            statuses[reply.status_code] += 1
            if reply.status_code == 429:
                refusals[:] = [reply]

    threads = [threading.Thread(target=flood) for _ in range(FLOOD_THREADS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        loaded = _timed_turns(say, second, "second-flooded", 8)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=FLOOD_SECONDS + 60)
    return Flood(statuses, statistics.median(unloaded), statistics.median(loaded), next(iter(refusals), None))


def assert_flood_held(say: Say, where: str, capsys) -> requests.Response:
    """Floods while chatting, prints what each client got and asserts the flood was held; one of
    the flooder's refusals."""
    flood = flood_while_chatting(say)
    with capsys.disabled():
        print(flood.report(where))
    flood.assert_held()
    return flood.refusal
