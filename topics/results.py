"""What `result` holds in an outcome: a hold, a booking, or a waiting-list entry (schema
version 1)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

import seating

_NO_REF: set[str] = {"customer_ref"}


class SeatLineV1(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    seat_id: str
    seat_type: str
    price: float


class HoldResultV1(BaseModel):
    """A hold: `created` for a new hold, `ok` for a cancelled or expired one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    holding_id: str
    event_id: str
    user_id: str
    seat_ids: list[str]
    seats: list[SeatLineV1]
    total_price: float
    expires_at: str
    status: Literal["held", "confirming", "confirmed", "cancelled", "expired"]
    booking_id: str | None
    customer_ref: str | None = None  # a partner's own reference, when it gave one


class BookingResultV1(BaseModel):
    """A booking: `created` when a confirm made it, `ok` when it was cancelled."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    booking_id: str
    holding_id: str
    event_id: str
    user_id: str
    seat_ids: list[str]
    amount: float
    status: Literal["confirmed", "cancelled"]
    charge_id: str | None
    refund_id: str | None
    created_at: str
    customer_ref: str | None = None


def iso(ts: float) -> str:
    """Seconds since the epoch as ISO-8601 UTC."""
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


class WaitlistResultV1(BaseModel):
    """A waiting-list entry (HTTP only): `position` counts from 1 the entries of its seat type
    still waiting up to it, 0 once it no longer waits; an offered entry names its hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    waitlist_id: str
    position: int
    status: Literal["waiting", "offered", "booked", "lapsed", "left"]
    holding_id: str | None = None
    expires_at: str | None = None

    @classmethod
    def of(cls, entry: seating.WaitEntry, line: list[seating.WaitEntry]) -> WaitlistResultV1:
        """`entry` as its holder sees it, placed among the event's entries `line`."""
        return cls.model_validate(
            {
                "waitlist_id": entry.waitlist_id,
                "position": seating.position(entry, line),
                "status": entry.status.value,
                "holding_id": entry.holding_id,
                "expires_at": iso(entry.expires_at) if entry.expires_at is not None else None,
            }
        )


def as_result(result: HoldResultV1 | BookingResultV1) -> dict[str, Any]:
    """As an outcome's `result` carries it: every field, `customer_ref` only when set."""
    return result.model_dump(exclude=None if result.customer_ref else _NO_REF)
