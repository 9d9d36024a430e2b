"""Health answers at rest: the bookings' intake is stored encrypted (Fernet: AES-128-CBC with an
HMAC-SHA256, from the maintained `cryptography` package).

INTAKE_ENCRYPTION_KEYS holds one or more Fernet keys separated by spaces or commas: the first
encrypts, every one decrypts (MultiFernet). Rotating a key:

    1. put a new key first:   INTAKE_ENCRYPTION_KEYS="<new> <old>"   (restart the servers)
    2. re-encrypt every row:  python -m massage.intake_encryption rotate
    3. drop the old key:      INTAKE_ENCRYPTION_KEYS="<new>"         (restart again)

A new key: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'
"""

from __future__ import annotations

import argparse
import json
import os
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import JSON, select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.types import TypeDecorator

KEYS_VARIABLE = "INTAKE_ENCRYPTION_KEYS"


class IntakeKeyMissing(RuntimeError):
    """No key to read or write health answers with."""


@cache
def _cipher(keys: str) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in re.split(r"[\s,]+", keys.strip())])
    except ValueError as error:  # a key that is not 32 url-safe base64-encoded bytes
        raise IntakeKeyMissing(f"{KEYS_VARIABLE} holds a key that is not a Fernet key") from error


def cipher() -> MultiFernet:
    keys = os.environ.get(KEYS_VARIABLE, "")
    if not keys.strip():
        raise IntakeKeyMissing(f"{KEYS_VARIABLE} is not set: health answers cannot be stored or read")
    return _cipher(keys)


def encrypt(intake: dict) -> str:
    return cipher().encrypt(json.dumps(intake).encode()).decode()


def decrypt(token: str) -> dict:
    try:
        return json.loads(cipher().decrypt(token.encode()))
    except InvalidToken as error:
        raise IntakeKeyMissing(f"no key in {KEYS_VARIABLE} opens this intake (a key removed too soon?)") from error


class EncryptedJSON(TypeDecorator):
    """A JSON value stored as a Fernet token (a JSON string, so the column stays JSON)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


def rotate() -> int:
    """Re-encrypts every booking's intake and every notice's payload with the first key; the
    number of rows."""
    # Here, not at the top: massage.models imports this module for its column type.
    from massage.db import session_scope
    from massage.models import Booking, Notice

    with session_scope() as session:
        rows = 0
        for model, column in ((Booking, "intake"), (Notice, "payload")):
            for row in session.execute(select(model)).scalars().all():
                flag_modified(row, column)  # read with any key, written again with the first
                rows += 1
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="Re-encrypt the stored health answers with the first key.")
    parser.add_argument("command", choices=["rotate"])
    parser.parse_args()
    print(f"re-encrypted {rotate()} rows (bookings' intake, notices' payload)")


if __name__ == "__main__":
    main()
