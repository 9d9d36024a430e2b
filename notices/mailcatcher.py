"""A local mail catcher for `make run`: a real SMTP server on loopback that keeps every message,
and a small page to read them (`python -m notices.mailcatcher`).

Messages are saved as .eml files in a folder (default .state/mail/); the page lists them
newest first and shows each one's text, HTML and calendar invitation. A message sent again
with the same Message-ID (a notice redelivered, see notices.worker) is listed once.
"""

from __future__ import annotations

import argparse
import html
import re
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller

from massage.db import ROOT

DEFAULT_FOLDER = ROOT / ".state" / "mail"


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts (and saves it, given a folder)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.received: list[EmailMessage] = []  # every accepted DATA, redeliveries included
        self._lock = threading.Lock()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = parse(envelope.content)
        with self._lock:
            self.received.append(message)
            if self.folder is not None:
                (self.folder / f"{time.time_ns()}{len(self.received):06d}.eml").write_bytes(envelope.content)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        """The distinct messages, by Message-ID, in the order they first arrived."""
        with self._lock:
            received = list(self.received)
        seen: set[str] = set()
        distinct = []
        for message in received:
            if message["Message-ID"] not in seen:
                seen.add(message["Message-ID"])
                distinct.append(message)
        return distinct

    def redeliveries(self) -> int:
        """How many accepted messages repeated a Message-ID already received."""
        with self._lock:
            total = len(self.received)
        return total - len(self.messages())

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.messages()
            if len(messages) >= count:
                return messages
            time.sleep(0.02)
        raise TimeoutError(f"expected {count} message(s) within {timeout}s; got {len(self.messages())}")


def invitation(message: EmailMessage) -> bytes | None:
    """The text/calendar part of a message, if it has one."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_payload(decode=True)
    return None


def _body(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    return part.get_content() if part is not None else ""


class MailPages(BaseHTTPRequestHandler):
    """/ lists the saved messages; /<name> shows one; /<name>.ics is its invitation."""

    folder: Path = DEFAULT_FOLDER

    def log_message(self, *_args) -> None:  # the page's requests are not worth a log line
        pass

    def _reply(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _saved(self) -> list[tuple[str, EmailMessage]]:
        seen: set[str] = set()
        found = []
        for path in sorted(self.folder.glob("*.eml"), reverse=True):
            message = parse(path.read_bytes())
            if message["Message-ID"] not in seen:
                seen.add(message["Message-ID"])
                found.append((path.stem, message))
        return found

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        match = re.fullmatch(r"/(\d+)(\.ics)?", self.path)
        if self.path == "/":
            rows = "".join(
                f"<tr><td>{html.escape(str(m['Date']))}</td><td>{html.escape(str(m['To']))}</td>"
                f"<td><a href='/{name}'>{html.escape(str(m['Subject']))}</a></td></tr>"
                for name, m in self._saved()
            )
            page = (f"<!doctype html><title>Mail catcher</title><h1>Mail sent by the assistant</h1>"
                    f"<table><tr><th>Date</th><th>To</th><th>Subject</th></tr>{rows}</table>")
            self._reply(200, page.encode())
            return
        path = self.folder / f"{match.group(1)}.eml" if match else None
        if path is None or not path.exists():
            self._reply(404, b"no such message")
            return
        message = parse(path.read_bytes())
        ics = invitation(message)
        if match.group(2):
            self._reply(200, ics or b"", "text/calendar; charset=utf-8")
            return
        head = "".join(f"<b>{k}:</b> {html.escape(str(message[k]))}<br>" for k in ("From", "To", "Date", "Subject"))
        page = (f"<!doctype html><title>{html.escape(str(message['Subject']))}</title><p><a href='/'>all mail</a></p>"
                f"<p>{head}</p><h2>Text</h2><pre>{html.escape(_body(message, 'plain'))}</pre>"
                f"<h2>HTML</h2><iframe sandbox srcdoc=\"{html.escape(_body(message, 'html'))}\" width=100%></iframe>"
                + (f"<h2>Invitation (<a href='/{match.group(1)}.ics'>.ics</a>)</h2>"
                   f"<pre>{html.escape(ics.decode(errors='replace'))}</pre>" if ics else ""))
        self._reply(200, page.encode())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m notices.mailcatcher", description=__doc__.split("\n")[0])
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--web-port", type=int, default=8025)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    args = parser.parse_args(argv)
    controller = Controller(Inbox(args.folder), hostname="127.0.0.1", port=args.smtp_port)
    controller.start()
    MailPages.folder = args.folder
    web = ThreadingHTTPServer(("127.0.0.1", args.web_port), MailPages)
    print(f"Mail catcher: SMTP on 127.0.0.1:{args.smtp_port}; read the mail at http://localhost:{args.web_port}"
          f" (files in {args.folder})", flush=True)
    try:
        web.serve_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
