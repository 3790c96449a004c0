"""The bookings tables: each booking (bookings) and each buyer's history newest first
(bookings_by_user). Only the owning worker writes them, projected from a confirmed hold."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from cassandra.query import BatchStatement, BatchType

from infra.cassandra import Row, Statements, execute


@dataclass(frozen=True)
class Booking:
    """A booking as both tables store it."""

    booking_id: str
    holding_id: str
    event_id: str
    event_name: str
    user_id: str
    seat_ids: list[str]
    amount: float
    status: str  # confirmed or cancelled
    created_at: datetime
    charge_id: str | None
    refund_id: str | None


def fenced_timestamp(version: int, epoch: int) -> int:
    """The write timestamp of a projection made from the seat state at shard `version` by the
    owner of `epoch`: a later state (or, at one version, a newer owner) always wins, whatever
    the clocks, so a stale owner that projects late never overwrites a newer projection. Above
    every clock timestamp (microseconds since 1970), so it also wins over rows written before."""
    return 2**62 + version * 2**20 + epoch


_BOOKING = (
    "INSERT INTO bookings (booking_id, holding_id, event_id, user_id, seats, amount, "
    "status, created_at, charge_id, refund_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "USING TIMESTAMP ?"
)
_HISTORY = (
    "INSERT INTO bookings_by_user (user_id, created_at, booking_id, event_id, event_name, "
    "seats, amount, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?"
)
PER_BATCH = 10  # bookings per batch: two rows each, well under Cassandra's batch size limits


async def write(q: Statements, written: list[Booking], timestamp: int) -> None:
    """Write (or overwrite) bookings and their buyers' history rows, at `timestamp`
    (`fenced_timestamp`; only the seat owners write these rows): a few bookings per unlogged
    batch, one request instead of two per booking."""
    batches = []
    for start in range(0, len(written), PER_BATCH):
        batch = BatchStatement(batch_type=BatchType.UNLOGGED)
        for b in written[start : start + PER_BATCH]:
            batch.add(
                q(_BOOKING),
                (
                    b.booking_id,
                    b.holding_id,
                    b.event_id,
                    b.user_id,
                    b.seat_ids,
                    b.amount,
                    b.status,
                    b.created_at,
                    b.charge_id,
                    b.refund_id,
                    timestamp,
                ),
            )
            batch.add(
                q(_HISTORY),
                (
                    b.user_id,
                    b.created_at,
                    b.booking_id,
                    b.event_id,
                    b.event_name,
                    b.seat_ids,
                    b.amount,
                    b.status,
                    timestamp,
                ),
            )
        batches.append(execute(q.session, batch))
    await asyncio.gather(*batches)


async def amount_and_status(q: Statements, booking_id: str) -> Row | None:
    """amount and status of a booking."""
    rows = await q.run("SELECT amount, status FROM bookings WHERE booking_id = ?", booking_id)
    return rows[0] if rows else None


async def of_user(q: Statements, user_id: str) -> list[Row]:
    """A user's bookings, newest first."""
    rows = await q.run(
        "SELECT booking_id, event_id, event_name, seats, seat_ids, amount, status, created_at "
        "FROM bookings_by_user WHERE user_id = ?",
        user_id,
    )
    return [_with_seat_ids(row) for row in rows]


def _with_seat_ids(row: Row) -> Row:
    """`seat_ids` from the frozen `seats`, or from the list of a row older than migration 015."""
    seats = row.pop("seats")
    if seats is not None:
        row["seat_ids"] = seats
    return row
