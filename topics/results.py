"""What `result` holds in an outcome: a hold, or a booking (schema version 1)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

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


def as_result(result: HoldResultV1 | BookingResultV1) -> dict[str, Any]:
    """As an outcome's `result` carries it: every field, `customer_ref` only when set."""
    return result.model_dump(exclude=None if result.customer_ref else _NO_REF)
