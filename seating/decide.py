"""decide(state, command, now): what happens, as events, without changing anything."""

from __future__ import annotations

from seating import best_available, ids, waitlist
from seating.commands import (
    CancelBooking,
    CancelHold,
    Command,
    ConfirmHold,
    ExpireHold,
    HoldSeats,
    JoinWaitlist,
    LeaveWaitlist,
    RecordPayment,
)
from seating.decision import Decision
from seating.decision import reject as _reject
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
    SeatsHeld,
)
from seating.state import EventSeats, Hold, HoldStatus

__all__ = ["Decision", "decide"]


def decide(state: EventSeats, command: Command, now: float) -> Decision:
    """Decide `command` against `state` at time `now` (seconds since the epoch). Seats the
    decision frees go to the waiting list first, in the same decision."""
    return waitlist.follow_up(state, _decide(state, command, now), now)


def _decide(state: EventSeats, command: Command, now: float) -> Decision:
    match command:
        case HoldSeats():
            return _hold_seats(state, command, now)
        case ConfirmHold():
            return _confirm_hold(state, command, now)
        case RecordPayment():
            return _record_payment(state, command, now)
        case CancelHold():
            return _cancel_hold(state, command, now)
        case CancelBooking():
            return _cancel_booking(state, command)
        case ExpireHold():
            return _expire_hold(state, command, now)
        case JoinWaitlist():
            return waitlist.join(state, command, now)
        case LeaveWaitlist():
            return waitlist.leave(state, command, now)
    raise TypeError(f"not a command: {command!r}")  # pragma: no cover


def _expired(hold: Hold) -> HoldExpired:
    return HoldExpired(hold.holding_id, hold.user_id, hold.seats)


def _hold_seats(state: EventSeats, cmd: HoldSeats, now: float) -> Decision:
    holding_id = ids.holding_id_for(state.event_id, cmd.command_id)
    existing = state.holds.get(holding_id)
    if existing is not None:  # the same command again: the same hold
        if existing.user_id != cmd.user_id:
            return _reject(ErrorCode.COMMAND_ID_REUSED, "this command id belongs to another hold")
        return Decision(holding_id=holding_id)
    if state.sale_starts_at is not None and now < state.sale_starts_at:
        return _reject(
            ErrorCode.SALE_NOT_STARTED,
            "the sale of this event has not opened yet",
            sale_starts_at=state.sale_starts_at,
        )
    wanted = len(cmd.seat_ids) if cmd.seat_ids else cmd.quantity
    if wanted < 1 or wanted > state.max_seats_per_hold:
        return _reject(
            ErrorCode.TOO_MANY_SEATS,
            f"a hold takes 1 to {state.max_seats_per_hold} seats",
            field="seat_ids" if cmd.seat_ids else "quantity",
            limit=state.max_seats_per_hold,
        )
    if cmd.seat_cap is not None:
        holding = state.live_seats_of(cmd.user_id, now)
        if holding + wanted > cmd.seat_cap:
            return _reject(
                ErrorCode.SEAT_LIMIT,
                f"at most {cmd.seat_cap} seats held at once in this event",
                limit=cmd.seat_cap,
                held=holding,
            )
    elif state.live_holds_of(cmd.user_id, now) >= state.max_active_holds_per_user:
        return _reject(
            ErrorCode.TOO_MANY_HOLDS,
            f"at most {state.max_active_holds_per_user} active holds per user and event",
            limit=state.max_active_holds_per_user,
        )
    if cmd.seat_ids:
        chosen = _chosen_seats(state, cmd.seat_ids, now)
        if isinstance(chosen, Decision):
            return chosen
    else:
        rows = state.rows.get(cmd.seat_type or "")
        if rows is None:
            return _reject(
                ErrorCode.UNKNOWN_SEAT_TYPE,
                f"this event has no seat type {cmd.seat_type!r}",
                field="seat_type",
                seat_types=sorted(state.rows),
            )
        exact = state.free_in_row if state.none_lapsed(now) else None
        picked = best_available.choose(rows, cmd.quantity, lambda s: state.is_free(s, now), exact)
        if picked is None:
            return _reject(
                ErrorCode.NOT_ENOUGH_SEATS,
                f"fewer than {cmd.quantity} {cmd.seat_type} seats are available",
                seat_type=cmd.seat_type,
                quantity=cmd.quantity,
            )
        chosen = [seat.seat_id for seat in picked]
    lapsed = {state.occupant[s] for s in chosen if s in state.occupant}
    lines = tuple(state.seats[s].line() for s in chosen)
    held = SeatsHeld(
        holding_id=holding_id,
        user_id=cmd.user_id,
        seats=lines,
        total_price=round(sum(line.price for line in lines), 2),
        created_at=now,
        expires_at=now + state.hold_ttl_seconds,
        customer_ref=cmd.customer_ref,
    )
    expiries = tuple(_expired(state.holds[h]) for h in sorted(lapsed))
    return Decision(events=(*expiries, held), holding_id=holding_id)


def _chosen_seats(state: EventSeats, seat_ids: tuple[str, ...], now: float) -> list[str] | Decision:
    if len(set(seat_ids)) != len(seat_ids):
        return _reject(ErrorCode.DUPLICATE_SEATS, "a seat is named twice", field="seat_ids")
    unknown = [s for s in seat_ids if s not in state.seats]
    if unknown:
        return _reject(
            ErrorCode.UNKNOWN_SEATS,
            "no such seats at this event",
            field="seat_ids",
            unknown_seat_ids=unknown,
        )
    taken = [s for s in seat_ids if not state.is_free(s, now)]
    if taken:
        return _reject(
            ErrorCode.SEATS_UNAVAILABLE,
            "some seats are not available",
            unavailable_seat_ids=taken,
        )
    return list(seat_ids)


def _own_hold(state: EventSeats, holding_id: str, user_id: str) -> Hold | Decision:
    hold = state.holds.get(holding_id)
    if hold is None or hold.user_id != user_id:
        return _reject(ErrorCode.HOLD_NOT_FOUND, "no such hold", holding_id=holding_id)
    return hold


def _ended(hold: Hold, now: float) -> Decision | None:
    """The refusal for acting on a hold that has ended (expiring it if its time is up)."""
    if hold.lapsed(now):
        return _reject(ErrorCode.HOLD_EXPIRED, "the hold has expired", _expired(hold))
    if hold.status is HoldStatus.EXPIRED:
        return _reject(ErrorCode.HOLD_EXPIRED, "the hold has expired")
    if hold.status is HoldStatus.CANCELLED:
        return _reject(ErrorCode.HOLD_ENDED, "the hold was cancelled")
    return None


def _confirm_hold(state: EventSeats, cmd: ConfirmHold, now: float) -> Decision:
    hold = _own_hold(state, cmd.holding_id, cmd.user_id)
    if isinstance(hold, Decision):
        return hold
    if hold.status is HoldStatus.CONFIRMED:
        return Decision(holding_id=hold.holding_id)
    if hold.status is HoldStatus.CONFIRMING:
        return Decision(holding_id=hold.holding_id, pending=True)
    ended = _ended(hold, now)
    if ended is not None:
        return ended
    requested = PaymentRequested(
        holding_id=hold.holding_id,
        user_id=hold.user_id,
        amount=hold.total_price,
        payment_token=cmd.payment_token,
        attempt=hold.payment_attempt + 1,
    )
    return Decision(events=(requested,), holding_id=hold.holding_id, pending=True)


def _record_payment(state: EventSeats, cmd: RecordPayment, now: float) -> Decision:
    hold = state.holds.get(cmd.holding_id)
    if (
        hold is None
        or hold.status is not HoldStatus.CONFIRMING
        or hold.payment_attempt != cmd.attempt
    ):
        return _reject(ErrorCode.STALE_PAYMENT, "no payment is awaited for this hold")
    if cmd.outcome == "succeeded":
        confirmed = HoldConfirmed(
            holding_id=hold.holding_id,
            booking_id=ids.booking_id_for(hold.holding_id),
            user_id=hold.user_id,
            seats=hold.seats,
            amount=hold.total_price,
            charge_id=cmd.charge_id or "",
            confirmed_at=now,
        )
        return Decision(events=(confirmed,), holding_id=hold.holding_id)
    failure: Event
    if cmd.outcome == "declined":
        failure = PaymentDeclined(hold.holding_id, hold.user_id, hold.total_price, cmd.message)
        code, message = ErrorCode.PAYMENT_DECLINED, "the payment was declined"
    else:
        failure = PaymentFailed(hold.holding_id, hold.user_id, hold.total_price, cmd.message)
        code, message = ErrorCode.PAYMENT_UNAVAILABLE, "the payment provider is unavailable"
    events: tuple[Event, ...] = (failure,)
    if now >= hold.expires_at:
        events = (failure, _expired(hold))
    rejection = Rejection(code, message, {"holding_id": hold.holding_id})
    return Decision(events=events, holding_id=hold.holding_id, rejection=rejection)


def _cancel_hold(state: EventSeats, cmd: CancelHold, now: float) -> Decision:
    hold = _own_hold(state, cmd.holding_id, cmd.user_id)
    if isinstance(hold, Decision):
        return hold
    ended = _ended(hold, now)
    if ended is not None:
        return ended
    if hold.status is HoldStatus.CONFIRMING:
        return _reject(ErrorCode.PAYMENT_IN_PROGRESS, "the hold is being paid for")
    if hold.status is HoldStatus.CONFIRMED:
        return _reject(
            ErrorCode.HOLD_ENDED,
            "the hold is booked; cancel the booking instead",
            booking_id=hold.booking_id,
        )
    cancelled = HoldCancelled(hold.holding_id, hold.user_id, hold.seats)
    return Decision(events=(cancelled,), holding_id=hold.holding_id)


def _cancel_booking(state: EventSeats, cmd: CancelBooking) -> Decision:
    try:
        holding_id = ids.holding_id_of_booking(cmd.booking_id)
    except ValueError:
        holding_id = ""
    hold = state.holds.get(holding_id)
    if (
        hold is None
        or hold.status is not HoldStatus.CONFIRMED
        or (hold.user_id != cmd.user_id and not cmd.as_admin)
    ):
        return _reject(ErrorCode.BOOKING_NOT_FOUND, "no such booking", booking_id=cmd.booking_id)
    if hold.booking_cancelled:
        return _reject(ErrorCode.BOOKING_ALREADY_CANCELLED, "the booking is already cancelled")
    cancelled = BookingCancelled(
        booking_id=cmd.booking_id,
        holding_id=hold.holding_id,
        user_id=hold.user_id,
        seats=hold.seats,
        amount=hold.total_price,
        refund_id=f"rf_{hold.holding_id.rsplit('-', 1)[1][1:]}",
        by_admin=hold.user_id != cmd.user_id,
    )
    return Decision(events=(cancelled,), holding_id=hold.holding_id)


def _expire_hold(state: EventSeats, cmd: ExpireHold, now: float) -> Decision:
    hold = state.holds.get(cmd.holding_id)
    if hold is None or not hold.lapsed(now):
        return Decision(holding_id=cmd.holding_id)
    return Decision(events=(_expired(hold),), holding_id=hold.holding_id)
