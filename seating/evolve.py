"""evolve(state, event): apply a decided event to the state, in place."""

from __future__ import annotations

from seating.entries import WaitEntry, WaitStatus
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
    WaitlistBooked,
    WaitlistJoined,
    WaitlistLapsed,
    WaitlistLeft,
    WaitlistOffered,
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
        case WaitlistJoined():
            entry = WaitEntry(
                event.waitlist_id,
                event.user_id,
                event.seat_type,
                event.quantity,
                event.seq,
                event.joined_at,
            )
            state.waitlist[entry.waitlist_id] = entry
            state.queue.setdefault(entry.seat_type, []).append(entry.waitlist_id)
        case WaitlistOffered():
            entry = _unqueue(state, event.waitlist_id, WaitStatus.OFFERED)
            entry.holding_id, entry.expires_at = event.holding_id, event.expires_at
            state.offers[event.holding_id] = entry.waitlist_id
        case WaitlistBooked():
            state.waitlist[event.waitlist_id].status = WaitStatus.BOOKED
        case WaitlistLapsed():
            state.waitlist[event.waitlist_id].status = WaitStatus.LAPSED
        case WaitlistLeft():
            _unqueue(state, event.waitlist_id, WaitStatus.LEFT)


def _unqueue(state: EventSeats, waitlist_id: str, status: WaitStatus) -> WaitEntry:
    """Move an entry to `status`, out of its type's line if it waited there."""
    entry = state.waitlist[waitlist_id]
    if entry.status is WaitStatus.WAITING:
        line = state.queue[entry.seat_type]
        line.remove(waitlist_id)
        if not line:
            del state.queue[entry.seat_type]
    entry.status = status
    return entry


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
