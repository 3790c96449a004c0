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


@dataclass(frozen=True)
class WaitlistJoined:
    waitlist_id: str
    user_id: str
    seat_type: str
    quantity: int
    seq: int
    joined_at: float


@dataclass(frozen=True)
class WaitlistOffered:
    """Seats freed up and the entry was made a hold (its SeatsHeld comes just before)."""

    waitlist_id: str
    user_id: str
    holding_id: str
    expires_at: float


@dataclass(frozen=True)
class WaitlistBooked:
    """The offered hold was confirmed: an offer taken."""

    waitlist_id: str
    user_id: str
    holding_id: str


@dataclass(frozen=True)
class WaitlistLapsed:
    """The offered hold expired: the entry's turn passed to the next in line."""

    waitlist_id: str
    user_id: str
    holding_id: str


@dataclass(frozen=True)
class WaitlistLeft:
    """The holder left, or cancelled the offered hold (`holding_id`, then)."""

    waitlist_id: str
    user_id: str
    holding_id: str | None = None


WaitlistEvent = WaitlistJoined | WaitlistOffered | WaitlistBooked | WaitlistLapsed | WaitlistLeft
HoldEvent = (
    SeatsHeld
    | PaymentRequested
    | HoldConfirmed
    | PaymentDeclined
    | PaymentFailed
    | HoldCancelled
    | HoldExpired
    | BookingCancelled
)
Event = HoldEvent | WaitlistEvent
