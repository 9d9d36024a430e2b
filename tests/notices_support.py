"""What the notices tests share: a real SMTP server on loopback, worker settings pointing at it
and at the fake platforms, the worker as its own process, and reading a received invitation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator

import icalendar
from aiosmtpd.controller import Controller

from bench.ports import free_port
from conftest import ROOT
from notices.delivery import Courier
from notices.mailcatcher import Inbox, invitation
from notices.settings import Settings
from notices.worker import run_once


class RefusingInbox(Inbox):
    """An inbox whose server refuses some recipients, as a mail server does for an unknown mailbox."""

    def __init__(self, refused: set[str]) -> None:
        super().__init__()
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        if address in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 with an Inbox; can be stopped and started again on the same port."""

    def __init__(self, inbox: Inbox | None = None) -> None:
        self.inbox = inbox or Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@contextmanager
def smtp_server(inbox: Inbox | None = None) -> Iterator[SmtpServer]:
    server = SmtpServer(inbox).start()
    try:
        yield server
    finally:
        server.stop()


def settings_for(smtp_port: int, platforms: Dict | None = None, **overrides) -> Settings:
    """Worker settings: mail to the test SMTP server, chats to the fake platforms."""
    from fake_platform import FACEBOOK_PAGE_TOKEN, TELEGRAM_TOKEN, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_NUMBER

    fields = dict(smtp_port=smtp_port, sender="Bookings <bookings@example.com>", max_attempts=3)
    if platforms:
        fields.update(
            telegram_token=TELEGRAM_TOKEN, telegram_api_base=platforms["telegram"].url,
            facebook_token=FACEBOOK_PAGE_TOKEN, facebook_api_base=platforms["facebook"].url,
            twilio_account_sid=TWILIO_ACCOUNT_SID, twilio_auth_token=TWILIO_AUTH_TOKEN,
            twilio_api_base=platforms["twilio"].url, twilio_whatsapp_number=TWILIO_NUMBER,
            twilio_sms_number="+14155550100",
        )  # fmt: skip
    fields.update(overrides)
    return Settings(**fields)


def deliver_due(settings: Settings, at=None, rounds: int = 10) -> None:
    """Run the worker's rounds in this process at one moment until nothing is left to try."""
    courier = Courier(settings)
    try:
        for _ in range(rounds):
            if not run_once(courier, at):
                return
    finally:
        courier.close()


def invite(message) -> icalendar.Calendar:
    raw = invitation(message)
    assert raw is not None, "the email has no calendar invitation"
    return icalendar.Calendar.from_ical(raw)


def the_event(message) -> icalendar.Event:
    (event,) = invite(message).walk("VEVENT")
    return event


class WorkerProcess:
    """`python -m notices.worker` as its own process, logging to a file."""

    def __init__(self, env: Dict[str, str], log: Path) -> None:
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "notices.worker", "--log-level", "DEBUG"], cwd=ROOT, env=self.env,
            stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        return self

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@contextmanager
def worker_process(env: Dict[str, str], log: Path) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(env, log).start()
    try:
        yield worker
    finally:
        worker.stop()


def worker_env(database_url: str, smtp_port: int, **more: str) -> Dict[str, str]:
    """The worker's environment: `make run`'s settings, but this database and SMTP server."""
    return {"DATABASE_URL": database_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), **more}


def wait_until_started(worker: WorkerProcess, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while "notices worker started" not in worker.log.read_text(errors="replace"):
        if time.monotonic() > deadline or worker.process.poll() is not None:
            raise RuntimeError("the notices worker did not start:\n" + worker.log.read_text(errors="replace"))
        time.sleep(0.1)


def book_by_rest(stack, sender: str, slot, name: str, phone: str, email: str, address: str, access: str):
    """A booking made through the REST channel, as a visitor types it; returns the bot's last reply
    and the monotonic time just before the confirming "yes" was sent."""
    from rest_cases import conversation, spoken

    conversation(
        stack, sender, f"book a 90 minute deep tissue massage {spoken(slot)}",
        f"{address}, West Hollywood 90069", name, phone, email, access, "no", "no", "no", "no", "no",
    )  # fmt: skip
    confirmed_at = time.monotonic()
    (reply,) = conversation(stack, sender, "yes")
    return reply, confirmed_at
