"""evolve(state, event): apply a decided event to the state, in place."""

from __future__ import annotations

from seating.events import (
    BookingCancelled,
    Event,
    HoldCancelled,
    HoldConfirmed,
    HoldExpired,
    PaymentDeclined,
    PaymentFailed,
    PaymentRequested,
    SeatsHeld,
)
from seating.state import EventSeats, Hold, HoldStatus


def evolve(state: EventSeats, event: Event) -> None:
    """Apply `event` to `state`. Deterministic; the only way state changes."""
    _apply(state, event)
    state.prune_expiries()


def _apply(state: EventSeats, event: Event) -> None:
    match event:
        case SeatsHeld():
            hold = Hold(
                holding_id=event.holding_id,
                user_id=event.user_id,
                seats=event.seats,
                total_price=event.total_price,
                created_at=event.created_at,
                expires_at=event.expires_at,
                customer_ref=event.customer_ref,
            )
            state.holds[hold.holding_id] = hold
            for line in event.seats:
                state.occupy(line.seat_id, hold.holding_id)
            state.live_by_user.setdefault(hold.user_id, set()).add(hold.holding_id)
            state.track_expiry(hold)
        case PaymentRequested():
            hold = state.holds[event.holding_id]
            hold.status = HoldStatus.CONFIRMING
            hold.payment_attempt = event.attempt
            hold.payment_token = event.payment_token
        case HoldConfirmed():
            hold = state.holds[event.holding_id]
            hold.status = HoldStatus.CONFIRMED
            hold.booking_id = event.booking_id
            hold.charge_id = event.charge_id
            hold.confirmed_at = event.confirmed_at
            _not_live(state, hold)
        case PaymentDeclined() | PaymentFailed():
            hold = state.holds[event.holding_id]
            hold.status = HoldStatus.HELD
            state.track_expiry(hold)
        case HoldCancelled():
            _end(state, state.holds[event.holding_id], HoldStatus.CANCELLED)
        case HoldExpired():
            _end(state, state.holds[event.holding_id], HoldStatus.EXPIRED)
        case BookingCancelled():
            hold = state.holds[event.holding_id]
            hold.booking_cancelled = True
            hold.refund_id = event.refund_id
            _release(state, hold)


def _not_live(state: EventSeats, hold: Hold) -> None:
    live = state.live_by_user.get(hold.user_id)
    if live is not None:
        live.discard(hold.holding_id)
        if not live:
            del state.live_by_user[hold.user_id]


def _release(state: EventSeats, hold: Hold) -> None:
    for seat_id in hold.seat_ids:
        state.vacate(seat_id, hold.holding_id)


def _end(state: EventSeats, hold: Hold, status: HoldStatus) -> None:
    hold.status = status
    _not_live(state, hold)
    _release(state, hold)
