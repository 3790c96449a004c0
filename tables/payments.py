"""The payment simulator's ledger: charges (one per idempotency key, the holding id) and
refunds (one per refund id)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import NamedTuple

from infra.cassandra import Statements

_CHARGES = uuid.UUID("6f1d1c2e-5b0a-4f4e-9a57-3c1b2e7d9a10")  # namespace of charge ids


class Charge(NamedTuple):
    charge_id: str
    amount: float


async def charge_of(q: Statements, idempotency_key: str) -> Charge | None:
    """The charge already made for `idempotency_key`."""
    rows = await q.run(
        "SELECT charge_id, amount FROM charges WHERE idempotency_key = ?", idempotency_key
    )
    return Charge(rows[0]["charge_id"], rows[0]["amount"]) if rows else None


def charge_id_for(idempotency_key: str) -> str:
    """The id of the charge made for `idempotency_key`: one key, one id, so a charge written
    twice (a retry, two owners of a hold during a move) is one row and one payment."""
    return f"ch_{uuid.uuid5(_CHARGES, idempotency_key).hex}"


def void_id_for(idempotency_key: str) -> str:
    """The id of the refund that voids the charge of a key whose hold was never booked."""
    return f"rf_void_{uuid.uuid5(_CHARGES, idempotency_key).hex}"


async def write_charge(
    q: Statements,
    idempotency_key: str,
    charge_id: str,
    amount: float,
    card_token: str,
    created_at: datetime,
) -> None:
    """Record the charge of a key (`charge_id_for` it): writing it again changes nothing."""
    await q.run(
        "INSERT INTO charges (idempotency_key, charge_id, amount, card_token, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        idempotency_key,
        charge_id,
        amount,
        card_token,
        created_at,
    )


async def insert_refund(
    q: Statements,
    refund_id: str,
    charge_id: str,
    booking_id: str,
    amount: float,
    created_at: datetime,
) -> None:
    """Record a refund (its id follows from the booking: writing it again changes nothing)."""
    await q.run(
        "INSERT INTO refunds (refund_id, charge_id, booking_id, amount, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        refund_id,
        charge_id,
        booking_id,
        amount,
        created_at,
    )
