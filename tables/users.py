"""The users table (accounts; tokens live in users_by_token, as hashes)."""

from __future__ import annotations

from datetime import datetime

from infra.cassandra import Statements


async def insert(
    q: Statements, user_id: str, name: str, email: str, role: str, created_at: datetime
) -> None:
    await q.run(
        "INSERT INTO users (user_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?)",
        user_id,
        name,
        email,
        role,
        created_at,
    )
