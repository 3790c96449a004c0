"""The payment simulator's ledger: charges (one per idempotency key, the holding id, voided
when its hold lapsed unbooked) and refunds (one per refund id)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import NamedTuple

from cassandra.query import BatchStatement, BatchType

from infra.cassandra import Statements, execute

_CHARGES = uuid.UUID("6f1d1c2e-5b0a-4f4e-9a57-3c1b2e7d9a10")  # namespace of charge ids


async def charge_of(q: Statements, idempotency_key: str) -> str | None:
    """The charge id already made for `idempotency_key` (a row voided before any charge of
    its key landed has none)."""
    rows = await q.run("SELECT charge_id FROM charges WHERE idempotency_key = ?", idempotency_key)
    return rows[0]["charge_id"] if rows else None


def charge_id_for(idempotency_key: str) -> str:
    """The id of the charge made for `idempotency_key`: one key, one id, so a charge written
    twice (a retry, two owners of a hold during a move) is one row and one payment."""
    return f"ch_{uuid.uuid5(_CHARGES, idempotency_key).hex}"


class Charge(NamedTuple):
    """A charge's row: `charge_id` is `charge_id_for` its key."""

    idempotency_key: str
    charge_id: str
    amount: float
    card_token: str
    created_at: datetime


PER_BATCH = 25  # charges per unlogged batch: well under Cassandra's batch size limits
_CHARGE = (
    "INSERT INTO charges (idempotency_key, charge_id, amount, card_token, created_at) "
    "VALUES (?, ?, ?, ?, ?)"
)


async def write_charges(q: Statements, charges: list[Charge]) -> None:
    """Record charges (writing one again changes nothing): a few per unlogged batch, one
    request instead of one per charge."""
    batches = []
    for start in range(0, len(charges), PER_BATCH):
        batch = BatchStatement(batch_type=BatchType.UNLOGGED)
        for charge in charges[start : start + PER_BATCH]:
            batch.add(q(_CHARGE), charge)
        batches.append(execute(q.session, batch))
    await asyncio.gather(*batches)


async def void_charge(q: Statements, idempotency_key: str, voided_at: datetime) -> None:
    """Void whatever is or will be charged for `idempotency_key`: no read, and in a column no
    charge writes, so a charge of the key that lands after the void stays voided."""
    await q.run(
        "UPDATE charges SET voided_at = ? WHERE idempotency_key = ?", voided_at, idempotency_key
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
