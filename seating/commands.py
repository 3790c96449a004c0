"""Commands: orders to the partition owner of one event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class HoldSeats:
    """Hold `seat_ids`, or `quantity` best available seats of `seat_type`, all or nothing.

    `seat_cap` (a partner's) bounds the seats the user may hold at once in the event, instead
    of the limit of active holds per user; `customer_ref` is the partner's own reference."""

    command_id: str
    user_id: str
    seat_ids: tuple[str, ...] = ()
    seat_type: str | None = None
    quantity: int = 0
    seat_cap: int | None = None
    customer_ref: str | None = None


@dataclass(frozen=True)
class ConfirmHold:
    """Pay for a hold and turn it into a booking."""

    command_id: str
    user_id: str
    holding_id: str
    payment_token: str


@dataclass(frozen=True)
class RecordPayment:
    """The payment provider's answer for a confirming hold."""

    command_id: str
    holding_id: str
    outcome: Literal["succeeded", "declined", "error"]
    attempt: int
    charge_id: str | None = None
    message: str = ""


@dataclass(frozen=True)
class CancelHold:
    """The holder lets go of a hold."""

    command_id: str
    user_id: str
    holding_id: str


@dataclass(frozen=True)
class CancelBooking:
    """Cancel a confirmed booking (its holder, or an admin) and refund it."""

    command_id: str
    user_id: str
    booking_id: str
    as_admin: bool = False


@dataclass(frozen=True)
class ExpireHold:
    """End a hold whose time is up (a no-op when it is not, or when it already ended)."""

    command_id: str
    holding_id: str


@dataclass(frozen=True)
class JoinWaitlist:
    """Wait for `quantity` seats of `seat_type` while fewer are available (one entry per user
    and seat type: joining again names the same entry)."""

    command_id: str
    user_id: str
    seat_type: str
    quantity: int


@dataclass(frozen=True)
class LeaveWaitlist:
    """The entry's holder leaves the waiting list (letting go of an offered hold)."""

    command_id: str
    user_id: str
    waitlist_id: str


Command = (
    HoldSeats
    | ConfirmHold
    | RecordPayment
    | CancelHold
    | CancelBooking
    | ExpireHold
    | JoinWaitlist
    | LeaveWaitlist
)
