"""Console accounts: Argon2id hashes, sign-in with lockout, sessions, and the `add` command."""

import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from conftest import BIN, ROOT
from massage import staff
from massage.db import session_scope, upgrade
from massage.models import StaffAccount, utcnow

PASSWORD = "a long enough passphrase"


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'console.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade()
    with session_scope() as db:
        staff.add_account(db, "Dana@Example.com", PASSWORD)
    return url


def sign_in(email="dana@example.com", password=PASSWORD, at=None):
    return staff.sign_in(email, password, at=at)


def test_the_password_is_kept_only_as_an_argon2id_hash(database):
    with session_scope() as db:
        account = db.execute(select(StaffAccount)).scalar_one()
    assert account.email == "dana@example.com" and account.role == "care"
    assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash


def test_sign_in_ignores_the_email_case_and_gives_a_session_that_signing_out_ends(database):
    signed_in = sign_in(email="DANA@example.com")
    with session_scope() as db:
        assert staff.session_for(db, signed_in.token).staff.email == "dana@example.com"
        staff.sign_out(db, signed_in.token)
    with session_scope() as db:
        assert staff.session_for(db, signed_in.token) is None


def test_a_session_expires(database):
    signed_in = sign_in()
    with session_scope() as db:
        assert staff.session_for(db, signed_in.token, at=utcnow() + staff.SESSION_LIFETIME) is None


def test_wrong_passwords_lock_the_account_even_to_the_right_one_until_the_lockout_ends(database):
    for _ in range(staff.MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(staff.SignInRefused, match="Wrong email or password"):
            sign_in(password="guess")
    assert sign_in().staff.email == "dana@example.com"  # a success resets the count
    for _ in range(staff.MAX_FAILED_ATTEMPTS):
        with pytest.raises(staff.SignInRefused, match="Wrong email or password"):
            sign_in(password="guess")
    with pytest.raises(staff.SignInRefused, match="locked"):
        sign_in()
    assert sign_in(at=utcnow() + staff.LOCKOUT + timedelta(seconds=1)).staff.email == "dana@example.com"


def test_an_unknown_email_is_refused_as_a_wrong_password_is(database):
    with pytest.raises(staff.SignInRefused, match="Wrong email or password"):
        sign_in(email="nobody@example.com")


@pytest.mark.parametrize(
    ("email", "password", "role", "problem"),
    [
        ("not an email", PASSWORD, "care", "not an email"),
        ("new@example.com", "short", "care", "at least 12"),
        ("new@example.com", PASSWORD, "owner", "role"),
        ("dana@example.com", PASSWORD, "care", "already has an account"),
    ],
)
def test_bad_accounts_are_refused_with_the_reason(database, email, password, role, problem):
    with pytest.raises(staff.StaffError, match=problem), session_scope() as db:
        staff.add_account(db, email, password, role)


def test_the_add_command_asks_for_the_password_twice_and_never_takes_it_from_argv(database, tmp_path):
    env = {"DATABASE_URL": database, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    command = [str(BIN / "python"), "-m", "massage.staff", "add", "lee@example.com", "--role", "admin"]
    # getpass reads the terminal; without one it falls back to stdin (with a warning).
    created = subprocess.run(command, input=f"{PASSWORD}\n{PASSWORD}\n", env=env, capture_output=True, text=True)
    assert created.returncode == 0, created.stderr
    assert "Created admin account lee@example.com" in created.stdout
    retyped_differently = f"{PASSWORD}\nsomething else\n"
    differing = subprocess.run(
        [*command[:-3], "kim@example.com"], input=retyped_differently, env=env, capture_output=True, text=True
    )
    assert differing.returncode != 0 and "differ" in differing.stderr
    with pytest.raises(SystemExit):  # no --password option exists
        staff.main(["add", "x@example.com", "--password", PASSWORD])
    with session_scope() as db:
        assert {a.email: a.role for a in staff.accounts(db)} == {"dana@example.com": "care", "lee@example.com": "admin"}
