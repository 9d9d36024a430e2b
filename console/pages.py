"""Rendering the console's pages: Jinja2 templates, every value escaped."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Request, response
from sanic.response import HTTPResponse

from massage.clock import LA

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Notices a redirect may ask a page to show (?notice=<key>): fixed texts, never echoed input.
NOTICES = {
    "taken_by_other": "Someone else took this request first.",
    "not_yours": "Only the person who took this request can write or hand it back.",
    "closed": "This request is closed.",
    "relay_failed": "The assistant could not be reached, so the visitor was not told. Try again in a moment.",
    "handed_back": "Handed back to the assistant.",
    "cancelled": "The booking is cancelled; the client is told.",
    "moved": "The booking is moved; the client is told.",
    "labelled": "Labelled.",
}


def _local_time(moment: datetime | None, form: str = "%a %b %-d, %-I:%M %p") -> str:
    return moment.astimezone(LA).strftime(form) if moment else ""


environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
environment.filters["la"] = _local_time


def render(request: Request, template: str, status: int = 200, **values) -> HTTPResponse:
    signed_in = getattr(request.ctx, "signed_in", None)
    html = environment.get_template(template).render(
        me=signed_in.staff if signed_in else None,
        csrf_token=signed_in.csrf_token if signed_in else "",
        notice=NOTICES.get(request.args.get("notice", "")),
        **values,
    )
    return response.html(html, status=status)
