"""Events: facts the partition owner decided, in the past tense."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeatLine:
    """One seat of a hold or booking, with its type and price."""

    seat_id: str
    seat_type: str
    price: float


@dataclass(frozen=True)
class SeatsHeld:
    holding_id: str
    user_id: str
    seats: tuple[SeatLine, ...]
    total_price: float
    created_at: float
    expires_at: float
    customer_ref: str | None = None


@dataclass(frozen=True)
class PaymentRequested:
    holding_id: str
    user_id: str
    amount: float
    payment_token: str
    attempt: int


@dataclass(frozen=True)
class HoldConfirmed:
    holding_id: str
    booking_id: str
    user_id: str
    seats: tuple[SeatLine, ...]
    amount: float
    charge_id: str
    confirmed_at: float


@dataclass(frozen=True)
class PaymentDeclined:
    holding_id: str
    user_id: str
    amount: float
    reason: str


@dataclass(frozen=True)
class PaymentFailed:
    holding_id: str
    user_id: str
    amount: float
    reason: str


@dataclass(frozen=True)
class HoldCancelled:
    holding_id: str
    user_id: str
    seats: tuple[SeatLine, ...]


@dataclass(frozen=True)
class HoldExpired:
    holding_id: str
    user_id: str
    seats: tuple[SeatLine, ...]


@dataclass(frozen=True)
class BookingCancelled:
    booking_id: str
    holding_id: str
    user_id: str
    seats: tuple[SeatLine, ...]
    amount: float
    refund_id: str
    by_admin: bool


Event = (
    SeatsHeld
    | PaymentRequested
    | HoldConfirmed
    | PaymentDeclined
    | PaymentFailed
    | HoldCancelled
    | HoldExpired
    | BookingCancelled
)
