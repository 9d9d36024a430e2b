"""Care-team accounts for the console: Argon2id passwords, sign-in with lockout, sessions.

`python -m massage.staff add <email> [--role admin]` creates an account; the password is asked
for (never on the command line) and only its Argon2id hash is kept.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import secrets
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from massage.contact import normalise_email
from massage.models import StaffAccount, StaffSession, utcnow

ROLES = ("care", "admin")
MIN_PASSWORD_LENGTH = 12
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)

_hasher = PasswordHasher()
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash(secrets.token_urlsafe(16))


class StaffError(Exception):
    """Something a person can fix: the message says what."""


class SignInRefused(StaffError):
    pass


@dataclass(frozen=True)
class Staff:
    id: int
    email: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class SignedIn:
    staff: Staff
    token: str  # for the cookie; only its hash is stored
    csrf_token: str


def _staff(account: StaffAccount) -> Staff:
    return Staff(account.id, account.email, account.role)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _address(email: str) -> str | None:
    """The account name of an email as typed: normalised and lower-cased, so sign-in ignores case."""
    address = normalise_email(email.strip()) if email and " " not in email.strip() else None
    return address.lower() if address else None


def add_account(session: Session, email: str, password: str, role: str = "care") -> Staff:
    address = _address(email)
    if address is None:
        raise StaffError(f"{email!r} is not an email address.")
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if session.execute(select(StaffAccount).where(StaffAccount.email == address)).scalar_one_or_none():
        raise StaffError(f"{address} already has an account.")
    account = StaffAccount(email=address, password_hash=_hasher.hash(password), role=role, failed_attempts=0)
    session.add(account)
    session.flush()
    return _staff(account)


def sign_in(email: str, password: str, at: datetime | None = None) -> SignedIn:
    """A new session for the right email and password; SignInRefused otherwise.

    After MAX_FAILED_ATTEMPTS wrong passwords in a row the account is locked for LOCKOUT, even
    to the right password. Its own transaction: a refusal's count is kept though it raises.
    """
    from massage.db import session_scope

    at = at or utcnow()
    with session_scope() as session:
        refusal, signed_in = _check(session, _address(email or "") or "", password, at)
    if refusal:
        raise SignInRefused(refusal)
    return signed_in


def _check(session: Session, address: str, password: str, at: datetime) -> tuple[str | None, SignedIn | None]:
    account = session.execute(select(StaffAccount).where(StaffAccount.email == address)).scalar_one_or_none()
    if account is None:
        _password_matches(_UNKNOWN_ACCOUNT_HASH, password)
        return "Wrong email or password.", None
    if account.locked_until is not None and account.locked_until > at:
        return "Too many failed attempts: this account is locked for a while. Try again later.", None
    if not _password_matches(account.password_hash, password):
        account.failed_attempts += 1
        if account.failed_attempts >= MAX_FAILED_ATTEMPTS:
            account.locked_until, account.failed_attempts = at + LOCKOUT, 0
        return "Wrong email or password.", None
    account.failed_attempts, account.locked_until = 0, None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    session.execute(delete(StaffSession).where(StaffSession.expires_at <= at))  # sessions that ran out
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_token_hash(token), staff_id=account.id, csrf_token=csrf,
            created_at=at, expires_at=at + SESSION_LIFETIME,
        )
    )
    return None, SignedIn(_staff(account), token, csrf)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def session_for(session: Session, token: str | None, at: datetime | None = None) -> SignedIn | None:
    """The signed-in staff member behind a session cookie, if the session is current."""
    if not token:
        return None
    row = session.execute(
        select(StaffSession, StaffAccount)
        .join(StaffAccount, StaffAccount.id == StaffSession.staff_id)
        .where(StaffSession.token_hash == _token_hash(token))
    ).first()
    if row is None or row[0].expires_at <= (at or utcnow()):
        return None
    staff_session, account = row
    return SignedIn(_staff(account), token, staff_session.csrf_token)


def sign_out(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def accounts(session: Session) -> list[StaffAccount]:
    return list(session.execute(select(StaffAccount).order_by(StaffAccount.email)).scalars())


def main(argv: list[str] | None = None) -> None:
    from massage.db import session_scope, upgrade

    parser = argparse.ArgumentParser(prog="python -m massage.staff", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create a console account (the password is asked for)")
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, default="care")
    args = parser.parse_args(argv)
    password = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("The same password again: ") != password:
        sys.exit("The passwords differ; nothing was created.")
    upgrade()  # a fresh checkout has no tables yet; migrating is idempotent
    try:
        with session_scope() as db:
            staff = add_account(db, args.email, password, args.role)
    except StaffError as error:
        sys.exit(f"Not created: {error}")
    print(f"Created {staff.role} account {staff.email}.")


if __name__ == "__main__":
    main()
