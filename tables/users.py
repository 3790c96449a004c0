"""The users tables: accounts (users), the email index (users_by_email) and the tokens
(users_by_token, stored only as sha256 hashes)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from cassandra.cluster import Session
from cassandra.concurrent import execute_concurrent_with_args

from infra.cassandra import Row, Statements, applied

_INSERT = "INSERT INTO users (user_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?)"
_INSERT_HASH = "INSERT INTO users_by_token (token_hash, user_id, role) VALUES (?, ?, ?)"


async def claim_email(q: Statements, email: str, user_id: str) -> bool:
    """Reserve `email` for `user_id` (a conditional insert); False when someone has it."""
    rows = await q.run(
        "INSERT INTO users_by_email (email, user_id) VALUES (?, ?) IF NOT EXISTS", email, user_id
    )
    return applied(rows)


async def insert(
    q: Statements, user_id: str, name: str, email: str, role: str, created_at: datetime
) -> None:
    await q.run(_INSERT, user_id, name, email, role, created_at)


async def insert_token(q: Statements, token_hash: str, user_id: str, role: str) -> None:
    await q.run(_INSERT_HASH, token_hash, user_id, role)


async def read(q: Statements, user_id: str) -> Row | None:
    """user_id, name, email, role and created_at of a user."""
    rows = await q.run(
        "SELECT user_id, name, email, role, created_at FROM users WHERE user_id = ?", user_id
    )
    return rows[0] if rows else None


async def token_owner(q: Statements, token_hash: str) -> tuple[str, str] | None:
    """(user_id, role) of a token, by its hash."""
    rows = await q.run("SELECT user_id, role FROM users_by_token WHERE token_hash = ?", token_hash)
    return (rows[0]["user_id"], rows[0]["role"]) if rows else None


def insert_many_now(
    session: Session,
    users: Iterable[tuple[str, str, str, str, datetime]],
    tokens: Iterable[tuple[str, str, str]],
) -> None:
    """Users (user_id, name, email, role, created_at) and their tokens (token_hash, user_id,
    role), many in flight, blocking (for loaders without an event loop)."""
    for cql, rows in ((_INSERT, list(users)), (_INSERT_HASH, list(tokens))):
        execute_concurrent_with_args(session, session.prepare(cql), rows, concurrency=64)
