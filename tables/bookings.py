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


async def write(q: Statements, b: Booking) -> None:
    """Write (or overwrite) the booking and the buyer's history row."""
    await q.run(
        "INSERT INTO bookings (booking_id, holding_id, event_id, user_id, seat_ids, amount, "
        "status, created_at, charge_id, refund_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    )
    await q.run(
        "INSERT INTO bookings_by_user (user_id, created_at, booking_id, event_id, event_name, "
        "seat_ids, amount, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        b.user_id,
        b.created_at,
        b.booking_id,
        b.event_id,
        b.event_name,
        b.seat_ids,
        b.amount,
        b.status,
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
