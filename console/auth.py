"""Who may see what: session cookies, CSRF tokens on every form, care-team and admin pages."""

from __future__ import annotations

import os
import secrets
from functools import wraps

from sanic import Request, response
from sanic.response import HTTPResponse

from massage import staff
from massage.db import session_scope

SESSION_COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# Reached without signing in: the sign-in page, its stylesheet and script, the health check, the icon.
PUBLIC_PATHS = ("/login", "/static/", "/health", "/favicon.ico")


def secure_cookies() -> bool:
    """Cookies only over HTTPS in production (CONSOLE_SECURE_COOKIES=1); `make run` is plain HTTP."""
    return os.environ.get("CONSOLE_SECURE_COOKIES", "") == "1"


def set_cookie(reply: HTTPResponse, name: str, value: str, max_age: int) -> None:
    reply.cookies[name] = value
    cookie = reply.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = max_age
    if secure_cookies():
        cookie["secure"] = True


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, request: Request) -> bool:
    given = request.headers.get(CSRF_HEADER) or (request.form.get(CSRF_FIELD) if request.form else None)
    return bool(expected) and bool(given) and secrets.compare_digest(str(expected), str(given))


def forbidden(text: str) -> HTTPResponse:
    return response.text(text, status=403)


async def require_session(request: Request) -> HTTPResponse | None:
    """Middleware: a page without a current session redirects to sign-in; a POST without the
    session's CSRF token is refused."""
    request.ctx.signed_in = None
    if request.path.startswith(PUBLIC_PATHS):
        return None
    with session_scope() as db:
        signed_in = staff.session_for(db, request.cookies.get(SESSION_COOKIE))
    if signed_in is None:
        return response.redirect("/login")
    if request.method not in ("GET", "HEAD") and not csrf_matches(signed_in.csrf_token, request):
        return forbidden("This form has expired or did not come from the console. Reload the page and try again.")
    request.ctx.signed_in = signed_in
    return None


def admin_only(handler):
    @wraps(handler)
    async def checked(request: Request, *args, **kwargs):
        if not request.ctx.signed_in.staff.is_admin:
            return forbidden("This page is for admins only.")
        return await handler(request, *args, **kwargs)

    return checked
