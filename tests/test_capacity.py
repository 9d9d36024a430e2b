"""The capacity benchmark's arithmetic, against a stand-in server of known speed: visitors with
think time are counted, a slow or failed turn breaks the p95 goal, and the capacity is the last
level kept under it."""

import asyncio
import threading

import pytest
from aiohttp import web

from bench import capacity
from bench.capacity import Level
from bench.ports import free_port


@pytest.fixture
def slow_after_third_turn():
    """A chat endpoint answering in 20 ms, except a sender's fourth and later turns (2 s)."""
    turns = {}

    async def webhook(request):
        sender = (await request.json())["sender"]
        turns[sender] = turns.get(sender, 0) + 1
        await asyncio.sleep(0.02 if turns[sender] <= 3 else 2.0)
        return web.json_response([{"text": "ok"}])

    port = free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(web.Application(client_max_size=1024))
    runner.app.router.add_post("/webhook", webhook)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/webhook"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)


def test_visitors_who_think_between_messages_are_measured_and_slow_turns_break_the_goal(
        slow_after_third_turn, monkeypatch):
    monkeypatch.setattr(capacity, "THINK_SECONDS", (0.2, 0.4))
    level = asyncio.run(capacity.run_level(slow_after_third_turn, ["hi"], visitors=5, seconds=2.5, seed=1))
    # Measured from 0.4 s, when all five had arrived: their first turns were fast, their later ones slow.
    assert level.visitors == 5 and level.failures == 0
    assert min(level.latencies) < 0.5 and max(level.latencies) >= 2.0
    assert level.p95 >= capacity.GOAL_SECONDS


def test_capacity_is_the_last_level_under_the_goal():
    def level(visitors, latency, failures=0):
        return Level(visitors, [latency] * 19, failures, seconds=1.0)

    assert capacity.capacity([level(10, 0.1), level(20, 0.4), level(40, 1.3)]) == "20"
    assert capacity.capacity([level(10, 0.1), level(20, 0.4)]) == ">=20"
    # Turns that never came back are the slowest: two in 21 are more than 5%.
    assert capacity.capacity([level(10, 0.1), level(20, 0.1, failures=2)]) == "10"
    assert capacity.capacity([level(10, 2.0)]) == "<10"
