"""The payment simulator's ledger: charges (one per idempotency key, the holding id) and
refunds (one per refund id)."""

from __future__ import annotations

from datetime import datetime

from infra.cassandra import Statements, applied


async def charge_of(q: Statements, idempotency_key: str) -> str | None:
    """The charge id already made for `idempotency_key`."""
    rows = await q.run("SELECT charge_id FROM charges WHERE idempotency_key = ?", idempotency_key)
    return rows[0]["charge_id"] if rows else None


async def insert_charge(
    q: Statements,
    idempotency_key: str,
    charge_id: str,
    amount: float,
    card_token: str,
    created_at: datetime,
) -> str:
    """Record a charge unless the key has one; the key's charge id either way."""
    rows = await q.run(
        "INSERT INTO charges (idempotency_key, charge_id, amount, card_token, created_at) "
        "VALUES (?, ?, ?, ?, ?) IF NOT EXISTS",
        idempotency_key,
        charge_id,
        amount,
        card_token,
        created_at,
    )
    return charge_id if applied(rows) else str(rows[0]["charge_id"])


async def insert_refund(
    q: Statements,
    refund_id: str,
    charge_id: str,
    booking_id: str,
    amount: float,
    created_at: datetime,
) -> None:
    """Record a refund unless one with this id exists."""
    await q.run(
        "INSERT INTO refunds (refund_id, charge_id, booking_id, amount, created_at) "
        "VALUES (?, ?, ?, ?, ?) IF NOT EXISTS",
        refund_id,
        charge_id,
        booking_id,
        amount,
        created_at,
    )
