"""The bookings tables: each booking (bookings) and each buyer's history newest first
(bookings_by_user). Only the owning worker writes them, projected from a confirmed hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from infra.cassandra import Row, Statements


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


async def write(q: Statements, b: Booking, timestamp: int) -> None:
    """Write (or overwrite) the booking and the buyer's history row, at `timestamp`
    (`fenced_timestamp`; only the seat owners write these rows)."""
    await q.run(
        "INSERT INTO bookings (booking_id, holding_id, event_id, user_id, seat_ids, amount, "
        "status, created_at, charge_id, refund_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "USING TIMESTAMP ?",
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
    )
    await q.run(
        "INSERT INTO bookings_by_user (user_id, created_at, booking_id, event_id, event_name, "
        "seat_ids, amount, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?",
        b.user_id,
        b.created_at,
        b.booking_id,
        b.event_id,
        b.event_name,
        b.seat_ids,
        b.amount,
        b.status,
        timestamp,
    )


async def amount_and_status(q: Statements, booking_id: str) -> Row | None:
    """amount and status of a booking."""
    rows = await q.run("SELECT amount, status FROM bookings WHERE booking_id = ?", booking_id)
    return rows[0] if rows else None


async def of_user(q: Statements, user_id: str) -> list[Row]:
    """A user's bookings, newest first."""
    return await q.run(
        "SELECT booking_id, event_id, event_name, seat_ids, amount, status, created_at "
        "FROM bookings_by_user WHERE user_id = ?",
        user_id,
    )
