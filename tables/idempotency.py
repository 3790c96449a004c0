"""The idempotency_keys table: responses to POSTs with an Idempotency-Key, by scope (who asked,
where, with which key). A row is first a reservation (status PENDING, no body), then the stored
response; the table's default TTL is a day."""

from __future__ import annotations

from infra.cassandra import Row, Statements, applied

PENDING = 0  # the status of a reserved key whose first request has not answered yet


async def reserve(q: Statements, scope: str, request_hash: str, ttl_seconds: int) -> Row | None:
    """Reserve the scope for a request (a conditional insert of a pending row lasting
    `ttl_seconds`); None when it is ours now, else the row that holds it."""
    rows = await q.run(
        "INSERT INTO idempotency_keys (scope, request_hash, status) VALUES (?, ?, ?) "
        "IF NOT EXISTS USING TTL ?",
        scope,
        request_hash,
        PENDING,
        ttl_seconds,
    )
    return None if applied(rows) else rows[0]


async def read(q: Statements, scope: str) -> Row | None:
    """request_hash, status and body of the scope's row."""
    rows = await q.run(
        "SELECT request_hash, status, body FROM idempotency_keys WHERE scope = ?", scope
    )
    return rows[0] if rows else None


async def release(q: Statements, scope: str) -> None:
    """Delete the scope's reservation, if it is still pending."""
    await q.run("DELETE FROM idempotency_keys WHERE scope = ? IF status = ?", scope, PENDING)


async def store(
    q: Statements, scope: str, request_hash: str, status: int, body: str, ttl_seconds: int
) -> None:
    """Replace the scope's reservation by the response, kept `ttl_seconds`."""
    await q.run(
        "UPDATE idempotency_keys USING TTL ? SET request_hash = ?, status = ?, body = ? "
        "WHERE scope = ? IF status = ?",
        ttl_seconds,
        request_hash,
        status,
        body,
        scope,
        PENDING,
    )
