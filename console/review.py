"""Admin pages: what the assistant could not answer (label, export as NLU YAML), a few figures,
the staff accounts and the audit log."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

import yaml
from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from console.auth import admin_only
from console.pages import render
from massage import audit, figures, staff, unanswered
from massage.db import ROOT, session_scope
from massage.models import utcnow
from massage.retention import default_tracker_url
from massage.training_export import labelled_examples, nlu_yaml

review = Blueprint("review", url_prefix="/admin")
FIGURES_PERIOD = timedelta(days=14)


@cache
def topics() -> tuple[str, ...]:
    """What a question may be labelled with: the domain's intents and its FAQ answers (faq/<key>)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    intents = [i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", [])]
    faq = sorted(name.removeprefix("utter_") for name in domain.get("responses", {}) if name.startswith("utter_faq/"))
    return tuple(sorted(i for i in intents if i not in ("faq", "nlu_fallback"))) + tuple(faq)


@review.get("/unanswered")
@admin_only
async def unanswered_questions(request: Request) -> HTTPResponse:
    with session_scope() as db:
        groups = unanswered.grouped(db)
    return render(request, "unanswered.html", groups=groups, topics=topics())


@review.post("/unanswered/label")
@admin_only
async def label(request: Request) -> HTTPResponse:
    me = request.ctx.signed_in.staff
    topic, normalized = request.form.get("topic", ""), request.form.get("normalized", "")
    if topic not in topics():
        return response.text("Pick one of the listed topics.", status=400)
    with session_scope() as db:
        if unanswered.label(db, normalized, topic, by=me.email) == 0:
            return response.text("That question is no longer in the list.", status=404)
        audit.record(db, me.email, "label_question", topic)
    return response.redirect("/admin/unanswered?notice=labelled", status=303)


@review.get("/unanswered/export.yml")
@admin_only
async def export(request: Request) -> HTTPResponse:
    with session_scope() as db:
        body = nlu_yaml(labelled_examples(db))
        audit.record(db, request.ctx.signed_in.staff.email, "export_training_examples")
    return response.text(
        body, content_type="application/x-yaml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="unanswered_nlu.yml"'},
    )


@review.get("/figures")
@admin_only
async def figures_page(request: Request) -> HTTPResponse:
    since = utcnow() - FIGURES_PERIOD
    talk = figures.conversations(default_tracker_url(), since)
    with session_scope() as db:
        confirmed = figures.bookings_confirmed(db, since)
        handoffs = figures.handoffs(db, since)
    return render(
        request, "figures.html", talk=talk, confirmed=confirmed, handoffs=handoffs, days=FIGURES_PERIOD.days
    )


@review.get("/audit")
@admin_only
async def audit_log(request: Request) -> HTTPResponse:
    with session_scope() as db:
        entries = audit.latest(db)
    return render(request, "audit.html", entries=entries)


@review.get("/accounts")
@admin_only
async def accounts(request: Request) -> HTTPResponse:
    with session_scope() as db:
        rows = staff.accounts(db)
    return render(request, "accounts.html", accounts=rows, now=utcnow())
