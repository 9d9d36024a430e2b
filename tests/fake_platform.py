"""A messaging platform's HTTP API faked on 127.0.0.1: it answers like the platform and records
every call, so tests can read exactly what a user of Telegram, Messenger or WhatsApp would get."""

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Tuple

import yaml
from aiohttp import web

from conftest import ROOT, free_port


@dataclass
class Call:
    method: str
    path: str
    query: Dict[str, str]
    form: Dict[str, str] = field(default_factory=dict)
    json: Any = None


# Given a call, the platform's HTTP status and JSON answer.
Answer = Callable[[Call], Tuple[int, Any]]


class FakePlatform:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.calls: List[Call] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _handle(self, request: web.Request) -> web.Response:
        call = Call(request.method, request.path, dict(request.query))
        if request.content_type == "application/json":
            call.json = await request.json()
        elif request.can_read_body:
            call.form = {key: str(value) for key, value in (await request.post()).items()}
        with self._lock:
            self.calls.append(call)
        status, body = self.answer(call)
        return web.json_response(body, status=status)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def start(self) -> "FakePlatform":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def recorded(self, match: Callable[[Call], bool]) -> List[Call]:
        with self._lock:
            calls = list(self.calls)
        return [call for call in calls if match(call)]

    def wait_for(self, match: Callable[[Call], bool], count: int = 1, timeout: float = 30.0) -> List[Call]:
        """The matching calls, once at least `count` have arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.recorded(match)
            if len(calls) >= count:
                return calls
            time.sleep(0.05)
        raise TimeoutError(f"expected {count} matching call(s) within {timeout}s; got {self.recorded(match)}")


def messaging_credentials(entry: str, api_base: str) -> str:
    """One channel's entry of the shipped credentials.messaging.yml, pointed at a fake API.

    The ${VARIABLES} stay in, so Rasa reads them from the environment as it does when deployed.
    """
    credentials = yaml.safe_load((ROOT / "credentials.messaging.yml").read_text())
    return yaml.safe_dump({entry: {**credentials[entry], "api_base": api_base}})
