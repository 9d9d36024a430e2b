"""The care team's console: sign-in, the live handoff inbox, and the pages of console.bookings_board
and console.review. A Sanic app of its own, on its own port (`python -m console`)."""

from __future__ import annotations

from sanic import Request, Sanic, response
from sanic.response import HTTPResponse

from console import relay
from console.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    csrf_matches,
    forbidden,
    new_login_csrf,
    require_session,
    set_cookie,
)
from console.bookings_board import board
from console.pages import render
from console.review import review
from massage import audit, handoff, staff, transcripts
from massage.db import session_scope
from massage.models import HandoffRequest, utcnow
from massage.retention import default_tracker_url

STATIC = __file__.rsplit("/", 1)[0] + "/static"
MAX_MESSAGE = 4000
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def create_app(name: str = "console") -> Sanic:
    app = Sanic(name)
    app.config.FALLBACK_ERROR_FORMAT = "text"  # never a stack trace to a user
    app.static("/static", STATIC)
    app.register_middleware(require_session, "request")
    app.register_middleware(_security_headers, "response")
    app.blueprint(board)
    app.blueprint(review)
    _sign_in_routes(app)
    _inbox_routes(app)
    return app


async def _security_headers(_request: Request, reply: HTTPResponse) -> None:
    for header, value in SECURITY_HEADERS.items():
        reply.headers.setdefault(header, value)


def _sign_in_routes(app: Sanic) -> None:
    @app.get("/health")
    async def health(_request: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/favicon.ico")
    async def favicon(_request: Request) -> HTTPResponse:
        return response.empty()

    @app.get("/login")
    async def login_page(request: Request) -> HTTPResponse:
        return _login_form(request)

    @app.post("/login")
    async def login(request: Request) -> HTTPResponse:
        if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE), request):
            return forbidden("This form has expired. Reload the sign-in page and try again.")
        email, password = request.form.get("email", ""), request.form.get("password", "")
        try:
            signed_in = staff.sign_in(email, password)
        except staff.SignInRefused as refused:
            return _login_form(request, error=str(refused), status=401)
        with session_scope() as db:
            audit.record(db, signed_in.staff.email, "sign_in")
        reply = response.redirect("/inbox")
        set_cookie(reply, SESSION_COOKIE, signed_in.token, int(staff.SESSION_LIFETIME.total_seconds()))
        del reply.cookies[LOGIN_CSRF_COOKIE]
        return reply

    @app.post("/logout")
    async def logout(request: Request) -> HTTPResponse:
        with session_scope() as db:
            staff.sign_out(db, request.ctx.signed_in.token)
            audit.record(db, request.ctx.signed_in.staff.email, "sign_out")
        reply = response.redirect("/login")
        del reply.cookies[SESSION_COOKIE]
        return reply

    @app.get("/")
    async def home(_request: Request) -> HTTPResponse:
        return response.redirect("/inbox")


def _login_form(request: Request, error: str | None = None, status: int = 200) -> HTTPResponse:
    # Kept while the cookie lives: another tab's (or the favicon's) visit must not void this form.
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_login_csrf()
    reply = render(request, "login.html", status=status, login_csrf=token, error=error)
    set_cookie(reply, LOGIN_CSRF_COOKIE, token, 3600)
    return reply


def _inbox_routes(app: Sanic) -> None:
    @app.get("/inbox")
    async def inbox(request: Request) -> HTTPResponse:
        with session_scope() as db:
            requests = handoff.waiting_and_taken(db)
        return render(request, "inbox.html", requests=requests, now=utcnow())

    @app.get("/inbox/<request_id:int>")
    async def conversation(request: Request, request_id: int) -> HTTPResponse:
        item = _handoff_request(request_id)
        if item is None:
            return _no_such_request(request)
        with session_scope() as db:
            audit.record(db, request.ctx.signed_in.staff.email, "view_conversation", f"handoff #{request_id}")
        lines = transcripts.conversation(default_tracker_url(), item.conversation_id)
        return render(request, "conversation.html", item=item, lines=lines, now=utcnow())

    @app.get("/inbox/<request_id:int>/lines")
    async def new_lines(request: Request, request_id: int) -> HTTPResponse:
        """What was said after row `after`, for the page to add without a reload."""
        try:
            after = int(request.args.get("after", "0"))
        except ValueError:
            return response.json({"error": "after must be a number"}, status=400)
        item = _handoff_request(request_id)
        if item is None:
            return response.json({"error": "no such request"}, status=404)
        lines = transcripts.conversation(default_tracker_url(), item.conversation_id, after_id=after)
        return response.json(
            {
                "status": item.status,
                "taken_by": item.taken_by,
                "lines": [{"id": line.id, "speaker": line.speaker, "text": line.text} for line in lines],
            }
        )

    @app.post("/inbox/<request_id:int>/take")
    async def take(request: Request, request_id: int) -> HTTPResponse:
        me = request.ctx.signed_in.staff
        item = _handoff_request(request_id)
        if item is None:
            return _no_such_request(request)
        with session_scope() as db:
            won = handoff.take(db, request_id, me.email)
            audit.record(db, me.email, "take_handoff" if won else "take_handoff_lost", f"handoff #{request_id}")
        if not won:
            return _back_to(request_id, "taken_by_other")
        try:
            await relay.join(item.conversation_id, me.email)
        except relay.RelayFailed:
            with session_scope() as db:
                handoff.release(db, request_id)
            return _back_to(request_id, "relay_failed")
        return _back_to(request_id)

    @app.post("/inbox/<request_id:int>/say")
    async def say(request: Request, request_id: int) -> HTTPResponse:
        me = request.ctx.signed_in.staff
        text = (request.form.get("text") or "").strip()[:MAX_MESSAGE]
        item, problem = _taken_by(request_id, me.email)
        if problem:
            return _back_to(request_id, problem)
        if text:
            try:
                await relay.say(item.conversation_id, me.email, text)
            except relay.RelayFailed:
                return _back_to(request_id, "relay_failed")
            with session_scope() as db:
                audit.record(db, me.email, "message_visitor", f"handoff #{request_id}")
        return _back_to(request_id)

    @app.post("/inbox/<request_id:int>/handback")
    async def hand_back(request: Request, request_id: int) -> HTTPResponse:
        me = request.ctx.signed_in.staff
        item, problem = _taken_by(request_id, me.email)
        if problem:
            return _back_to(request_id, problem)
        try:
            await relay.hand_back(item.conversation_id, me.email)
        except relay.RelayFailed:
            return _back_to(request_id, "relay_failed")
        with session_scope() as db:
            handoff.close(db, request_id)
            audit.record(db, me.email, "hand_back", f"handoff #{request_id}")
        return response.redirect("/inbox?notice=handed_back", status=303)


def _handoff_request(request_id: int) -> HandoffRequest | None:
    with session_scope() as db:
        return db.get(HandoffRequest, request_id)


def _no_such_request(request: Request) -> HTTPResponse:
    return render(request, "missing.html", status=404, what="handoff request")


def _taken_by(request_id: int, email: str) -> tuple[HandoffRequest | None, str | None]:
    """The request, if `email` has it; else why not (a NOTICES key)."""
    item = _handoff_request(request_id)
    if item is None or item.status == "closed":
        return item, "closed"
    if item.status != "taken" or item.taken_by != email:
        return item, "not_yours"
    return item, None


def _back_to(request_id: int, notice: str | None = None) -> HTTPResponse:
    return response.redirect(f"/inbox/{request_id}" + (f"?notice={notice}" if notice else ""), status=303)
