"""Queue passes: proof, signed by the server, that a user was let in to an event's sale until a
time. Checked without any I/O: an HMAC-SHA256 over the user, the event and the expiry with a
secret every ingress process shares (settings.queue_pass_secret)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

PASS_SECONDS = 600
_VERSION = "v1"


class Verdict(StrEnum):
    """What a pass says for a hold: good, or why not."""

    VALID = "valid"
    MALFORMED = "malformed"
    FORGED = "forged"
    EXPIRED = "expired"
    NOT_YOURS = "not_yours"
    OTHER_EVENT = "other_event"


@dataclass(frozen=True)
class Claims:
    """What a pass states."""

    user_id: str
    event_id: str
    expires_at: int


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: str) -> str:
    return _encode(hmac.new(secret, payload.encode(), hashlib.sha256).digest())


def sign(secret: bytes, claims: Claims) -> str:
    """The pass for `claims`: version, payload and signature, dot-separated."""
    body = _encode(f"{claims.user_id}\n{claims.event_id}\n{claims.expires_at}".encode())
    payload = f"{_VERSION}.{body}"
    return f"{payload}.{_mac(secret, payload)}"


def read(secret: bytes, token: str) -> Claims | Verdict:
    """The claims of a genuine pass, or MALFORMED / FORGED."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _VERSION or len(token) > 1024:
        return Verdict.MALFORMED
    payload = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_mac(secret, payload), parts[2]):
        return Verdict.FORGED
    try:
        user_id, event_id, expires = _decode(parts[1]).decode().split("\n")
        return Claims(user_id, event_id, int(expires))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return Verdict.MALFORMED


def check(secret: bytes, token: str, user_id: str, event_id: str, now: float) -> Verdict:
    """Whether `token` lets `user_id` hold seats of `event_id` at `now`."""
    claims = read(secret, token)
    if isinstance(claims, Verdict):
        return claims
    if claims.user_id != user_id:
        return Verdict.NOT_YOURS
    if claims.event_id != event_id:
        return Verdict.OTHER_EVENT
    if now >= claims.expires_at:
        return Verdict.EXPIRED
    return Verdict.VALID
