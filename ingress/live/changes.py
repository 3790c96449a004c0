"""What a booking event, a command outcome or a stored hold says about seats, applied to a
`SeatView` (pure)."""

from __future__ import annotations

from datetime import datetime

import seating
from ingress.live.view import SeatView
from seating import Hold, HoldStatus
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1

ENDING = (seating.HoldCancelled, seating.HoldExpired, seating.BookingCancelled)


def apply_event(view: SeatView, message: BookingEventV1) -> set[str]:
    """A booking event from the topic; the seats that changed."""
    event = message.domain()
    if isinstance(event, seating.SeatsHeld):
        seats = tuple(s.seat_id for s in event.seats)
        return view.held(event.holding_id, seats, event.expires_at, confirming=False)
    if isinstance(event, seating.HoldConfirmed):
        seats = tuple(s.seat_id for s in event.seats)
        return view.confirmed(event.holding_id, seats, event.confirmed_at)
    if isinstance(event, ENDING):
        return view.ended(event.holding_id, tuple(s.seat_id for s in event.seats))
    if isinstance(event, seating.PaymentRequested):
        return view.paying(event.holding_id, True)
    if isinstance(event, seating.PaymentDeclined | seating.PaymentFailed):
        return view.paying(event.holding_id, False)
    return set()  # the waiting list's own events: an offer's seats come as its SeatsHeld


def apply_outcome(view: SeatView, outcome: CommandOutcomeV1) -> set[str]:
    """The outcome of a command (a hold or a booking as topics/results.py shapes them); others,
    and refusals, change nothing."""
    result = outcome.result or {}
    holding_id, seats = result.get("holding_id"), tuple(result.get("seat_ids") or ())
    status = result.get("status")
    if not isinstance(holding_id, str) or not seats or not isinstance(status, str):
        return set()
    if "expires_at" in result:  # a hold
        expires_at = _seconds(result["expires_at"])
        if status in ("held", "confirming"):
            return view.held(holding_id, seats, expires_at, confirming=status == "confirming")
        if status == "confirmed":
            return view.confirmed(holding_id, seats, expires_at)
        return view.ended(holding_id, seats)
    if "booking_id" in result and status == "confirmed":
        return view.confirmed(holding_id, seats, _seconds(result.get("created_at")))
    if "booking_id" in result and status == "cancelled":
        return view.ended(holding_id, seats)
    return set()


def apply_stored(view: SeatView, hold: Hold) -> None:
    """A hold as the owner stored it (a cold start)."""
    seats = hold.seat_ids
    if hold.status in (HoldStatus.HELD, HoldStatus.CONFIRMING):
        view.held(
            hold.holding_id, seats, hold.expires_at, confirming=hold.status is HoldStatus.CONFIRMING
        )
    elif hold.status is HoldStatus.CONFIRMED and not hold.booking_cancelled:
        view.confirmed(hold.holding_id, seats, hold.expires_at)
    else:
        view.ended(hold.holding_id, seats)


def _seconds(value: object) -> float:
    """An ISO-8601 time from a result as seconds since the epoch (0 when absent)."""
    if not isinstance(value, str):
        return 0.0
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
