"""Bearer tokens: stored as sha256 hashes; the admin token comes from the settings."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Literal, cast

from infra.cassandra import Statements
from ingress.errors import ApiError
from tables import users

Role = Literal["admin", "organizer", "customer"]
ADMIN_USER_ID = "admin"
CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class Principal:
    """Who is calling."""

    user_id: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def new_token() -> str:
    """A fresh random API token (shown once)."""
    return f"evt_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer(header: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header, or 401."""
    if not header:
        raise ApiError(401, "unauthorized", "missing Authorization header", headers=_challenge())
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token or len(token) > 256:
        raise ApiError(401, "unauthorized", "malformed bearer token", headers=_challenge())
    return token


def _challenge() -> dict[str, str]:
    return {"WWW-Authenticate": "Bearer"}


class Authenticator:
    """Resolves tokens to principals, caching recent answers briefly."""

    def __init__(self, statements: Statements, admin_token: str | None) -> None:
        self.q = statements
        self.admin_hash = hash_token(admin_token) if admin_token else None
        self._cache: dict[str, tuple[float, Principal]] = {}

    async def principal(self, header: str | None) -> Principal:
        token_hash = hash_token(bearer(header))
        if self.admin_hash and hmac.compare_digest(token_hash, self.admin_hash):
            return Principal(ADMIN_USER_ID, "admin")
        cached = self._cache.get(token_hash)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        owner = await users.token_owner(self.q, token_hash)
        if owner is None:
            raise ApiError(401, "unauthorized", "unknown token", headers=_challenge())
        principal = Principal(owner[0], cast(Role, owner[1]))
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[token_hash] = (time.monotonic() + CACHE_SECONDS, principal)
        return principal
