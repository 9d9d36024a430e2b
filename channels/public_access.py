"""What a caller on the public listener must show, and how often it may knock.

- Production mode (`WEHO_MODE=production`, set by scripts/run-prod.sh and deploy/k8s): the
  REST channel answers only callers with an integration's credential, and the web chat only
  pages of the configured origins (`CORS_ORIGINS`).
- REST credentials (`REST_CREDENTIALS`, "name:secret" pairs separated by spaces): a caller
  sends `Authorization: Bearer <secret>`, or signs the body with
  `X-Signature-256: sha256=<hex HMAC-SHA256 of the body under the secret>`. Once any are set,
  they are required in every mode.
- Rate limits per client address, in every mode: messages (REST and web chat) and web chat
  connections, `<KIND>_RATE_PER_SECOND` and `<KIND>_BURST` with KIND MESSAGE or CONNECT.
  Behind a proxy in `TRUSTED_PROXIES` (addresses or networks; default loopback), the address is
  its `X-Real-IP`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
from collections.abc import Mapping

from massage.rate_limit import RateLimiter

SLOW_DOWN_REPLY = "You're sending messages faster than I can read them. Please wait a few seconds and try again."
NEEDS_CREDENTIAL = (
    "This endpoint needs your integration's credential: Authorization: Bearer <secret>, "
    "or X-Signature-256: sha256=<HMAC-SHA256 of the body>."
)
SIGNATURE_HEADER = "X-Signature-256"
# A person types a message every few seconds; a burst covers button taps and a pasted list.
DEFAULT_LIMITS = {"MESSAGE": (1.0, 15), "CONNECT": (1.0, 10)}
# A refused REST request is answered after this long: a flooder waiting for its answers (as an
# HTTP client does) then sends one request a second per connection instead of hundreds, each
# of which costs the event loop that every other visitor's turn runs on.
REFUSAL_DELAY_SECONDS = 1.0


def production_mode() -> bool:
    return os.environ.get("WEHO_MODE", "").lower() == "production"


def allowed_origins() -> list[str]:
    return os.environ.get("CORS_ORIGINS", "").split()


def limiter(kind: str) -> RateLimiter:
    rate, burst = DEFAULT_LIMITS[kind]
    # Unset or empty: the default.
    return RateLimiter(
        float(os.environ.get(f"{kind}_RATE_PER_SECOND") or rate), int(os.environ.get(f"{kind}_BURST") or burst)
    )


def _trusted(peer: str) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    networks = os.environ.get("TRUSTED_PROXIES", "127.0.0.1 ::1").split()
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


def client_address(peer: str, headers: Mapping[str, str]) -> str:
    """The caller's address: the peer's, or the one a trusted proxy forwarded."""
    forwarded = headers.get("x-real-ip", "").strip()
    return forwarded if forwarded and _trusted(peer) else peer


def rest_credentials() -> dict[str, bytes]:
    """Integration name -> secret, from REST_CREDENTIALS."""
    pairs = (entry.partition(":") for entry in os.environ.get("REST_CREDENTIALS", "").split())
    return {name: secret.encode() for name, sep, secret in pairs if sep and name and secret}


def credential_required() -> bool:
    return production_mode() or bool(rest_credentials())


def integration_of(headers: Mapping[str, str], body: bytes) -> str | None:
    """The integration whose credential the request carries, or None."""
    bearer = headers.get("authorization", "")
    token = bearer[len("Bearer "):].encode() if bearer.startswith("Bearer ") else None
    signature = headers.get(SIGNATURE_HEADER.lower(), "")
    for name, secret in rest_credentials().items():
        if token is not None and hmac.compare_digest(token, secret):
            return name
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        if signature and hmac.compare_digest(signature.encode(), expected.encode()):
            return name
    return None
