"""Pure seat decisions: state, commands, events and `decide`/`evolve`. Standard library only."""

from seating.commands import (
    CancelBooking,
    CancelHold,
    Command,
    ConfirmHold,
    ExpireHold,
    HoldSeats,
    RecordPayment,
)
from seating.decide import Decision, decide
from seating.errors import ErrorCode, Rejection
from seating.events import (
    BookingCancelled,
    Event,
    HoldCancelled,
    HoldConfirmed,
    HoldExpired,
    PaymentDeclined,
    PaymentFailed,
    PaymentRequested,
    SeatLine,
    SeatsHeld,
)
from seating.evolve import evolve
from seating.state import EventSeats, Hold, HoldStatus, Seat

__all__ = [
    "BookingCancelled",
    "CancelBooking",
    "CancelHold",
    "Command",
    "ConfirmHold",
    "Decision",
    "ErrorCode",
    "Event",
    "EventSeats",
    "ExpireHold",
    "Hold",
    "HoldCancelled",
    "HoldConfirmed",
    "HoldExpired",
    "HoldSeats",
    "HoldStatus",
    "PaymentDeclined",
    "PaymentFailed",
    "PaymentRequested",
    "RecordPayment",
    "Rejection",
    "Seat",
    "SeatLine",
    "SeatsHeld",
    "decide",
    "evolve",
]
