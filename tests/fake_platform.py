"""A messaging platform's HTTP API faked on 127.0.0.1: it answers like the platform and records
every call, so tests can read exactly what a user of Telegram, Messenger or WhatsApp would get."""

import asyncio
import itertools
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Tuple

import yaml
from aiohttp import web

from bench.ports import free_port
from conftest import ROOT


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


# Each platform's test credentials, in the environment variables credentials.messaging.yml reads.
TELEGRAM_TOKEN = "123456789:TEST-telegram-bot-token"
TELEGRAM_SECRET = "test_secret-token-42"
TELEGRAM_PUBLIC_URL = "https://bot.example.com/webhooks/telegram/webhook"
FACEBOOK_APP_SECRET = "test-app-secret-0123456789abcdef"
FACEBOOK_VERIFY_TOKEN = "test-verify-token"
FACEBOOK_PAGE_TOKEN = "EAAtestpagetoken"
TWILIO_ACCOUNT_SID = "AC" + "0" * 31 + "1"
TWILIO_AUTH_TOKEN = "test-twilio-auth-token"
TWILIO_NUMBER = "whatsapp:+14155238886"
# Twilio posts to the public URL; a proxy forwards to Rasa on loopback.
TWILIO_PUBLIC_URL = "https://bot.example.com/webhooks/twilio/webhook"
TWILIO_MESSAGES_PATH = f"/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages.json"
MESSAGING_ENV = {
    "TELEGRAM_ACCESS_TOKEN": TELEGRAM_TOKEN,
    "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
    "TELEGRAM_WEBHOOK_URL": TELEGRAM_PUBLIC_URL,
    "FACEBOOK_VERIFY_TOKEN": FACEBOOK_VERIFY_TOKEN,
    "FACEBOOK_APP_SECRET": FACEBOOK_APP_SECRET,
    "FACEBOOK_PAGE_ACCESS_TOKEN": FACEBOOK_PAGE_TOKEN,
    "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT_SID,
    "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
    "TWILIO_WHATSAPP_NUMBER": TWILIO_NUMBER,
    "TWILIO_WEBHOOK_URL": TWILIO_PUBLIC_URL,
}
ids = itertools.count(1000)  # message, update and event ids, unique across the test session


def telegram_api(call: Call) -> Tuple[int, Any]:
    """Answers as api.telegram.org does: a sent Message for sendMessage, True for the rest."""
    if call.path.endswith("/sendMessage"):
        chat = {"id": int(call.form["chat_id"]), "type": "private"}
        return 200, {"ok": True, "result": {"message_id": next(ids), "date": 0, "chat": chat}}
    return 200, {"ok": True, "result": True}


def graph_api(call: Call) -> Tuple[int, Any]:
    """Answers as graph.facebook.com's Send API does."""
    recipient = (call.json or {}).get("recipient", {}).get("id")
    return 200, {"recipient_id": recipient, "message_id": f"m_{next(ids)}"}


def twilio_api(call: Call) -> Tuple[int, Any]:
    """Answers as api.twilio.com does when a message is queued."""
    sid = f"SM{next(ids):032d}"
    return 201, {"sid": sid, "account_sid": TWILIO_ACCOUNT_SID, "to": call.form.get("To"),
                 "body": call.form.get("Body"), "status": "queued", "api_version": "2010-04-01",
                 "uri": f"{TWILIO_MESSAGES_PATH[:-5]}/{sid}.json"}


# Credentials entry of each messaging channel, and how its fake platform answers.
PLATFORMS: Dict[str, Tuple[str, Answer]] = {
    "telegram": ("channels.telegram.TelegramInput", telegram_api),
    "facebook": ("channels.facebook.FacebookInput", graph_api),
    "twilio": ("channels.twilio.TwilioInput", twilio_api),
}


@contextmanager
def running_platforms() -> Iterator[Dict[str, FakePlatform]]:
    """A fake of each messaging platform's API, by credentials name, running until the end."""
    fakes = {name: FakePlatform(answer).start() for name, (_, answer) in PLATFORMS.items()}
    try:
        yield fakes
    finally:
        for fake in fakes.values():
            fake.stop()


def messaging_credentials(fakes: Dict[str, FakePlatform]) -> str:
    """The shipped credentials.messaging.yml (REST, web chat and the apps), each app pointed at its fake API.

    The ${VARIABLES} stay in, so Rasa reads them from the environment as it does when deployed.
    """
    credentials = yaml.safe_load((ROOT / "credentials.messaging.yml").read_text())
    for name, fake in fakes.items():
        entry = PLATFORMS[name][0]
        credentials[entry] = {**credentials[entry], "api_base": fake.url}
    return yaml.safe_dump(credentials)
