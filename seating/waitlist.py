"""The waiting list: joining, leaving, and the offers every decision that frees seats makes.

Seats a decision frees (an expiry, a cancelled hold or booking) go to the entries waiting for
their type first, in line order, inside that same decision: each entry that fits, in turn, gets
a hold (best available, the event's hold time); one that does not fit is skipped. Until the
expiry of a lapsed hold is decided, its seats stay out of reach of buyers when someone waits for
their type (`EventSeats.is_free`), so nobody snatches them in between."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from seating import best_available, ids
from seating.commands import JoinWaitlist, LeaveWaitlist
from seating.decision import Decision, reject
from seating.entries import ENDED, WaitEntry, WaitStatus
from seating.errors import ErrorCode
from seating.events import (
    BookingCancelled,
    Event,
    HoldCancelled,
    HoldConfirmed,
    HoldExpired,
    SeatsHeld,
    WaitlistBooked,
    WaitlistJoined,
    WaitlistLapsed,
    WaitlistLeft,
    WaitlistOffered,
)
from seating.state import EventSeats, HoldStatus, Seat


def join(state: EventSeats, cmd: JoinWaitlist, now: float) -> Decision:
    """A new entry at the back of the line, or the user's entry for this type again."""
    waitlist_id = ids.waitlist_id_for(state.event_id, cmd.user_id, cmd.seat_type)
    if waitlist_id in state.waitlist:
        return Decision(waitlist_id=waitlist_id)
    if state.sale_starts_at is not None and now < state.sale_starts_at:
        return reject(
            ErrorCode.SALE_NOT_STARTED,
            "the sale of this event has not opened yet",
            sale_starts_at=state.sale_starts_at,
        )
    rows = state.rows.get(cmd.seat_type)
    if rows is None:
        return reject(
            ErrorCode.UNKNOWN_SEAT_TYPE,
            f"this event has no seat type {cmd.seat_type!r}",
            field="seat_type",
            seat_types=sorted(state.rows),
        )
    if not 1 <= cmd.quantity <= state.max_seats_per_hold:
        return reject(
            ErrorCode.TOO_MANY_SEATS,
            f"a hold takes 1 to {state.max_seats_per_hold} seats",
            field="quantity",
            limit=state.max_seats_per_hold,
        )
    exact = state.free_in_row if state.none_lapsed(now) else None
    if best_available.choose(rows, cmd.quantity, lambda s: state.is_free(s, now), exact):
        return reject(
            ErrorCode.SEATS_AVAILABLE,
            f"{cmd.quantity} {cmd.seat_type} seats are available: hold them",
            seat_type=cmd.seat_type,
            quantity=cmd.quantity,
        )
    joined = WaitlistJoined(
        waitlist_id, cmd.user_id, cmd.seat_type, cmd.quantity, len(state.waitlist) + 1, now
    )
    return Decision(events=(joined,), waitlist_id=waitlist_id)


def leave(state: EventSeats, cmd: LeaveWaitlist, now: float) -> Decision:
    """The holder leaves: a waiting entry at once, an offered one by cancelling its hold."""
    entry = state.waitlist.get(cmd.waitlist_id)
    if entry is None or entry.user_id != cmd.user_id:
        return reject(ErrorCode.WAITLIST_NOT_FOUND, "no such entry", waitlist_id=cmd.waitlist_id)
    if entry.status in ENDED:
        return reject(ErrorCode.WAITLIST_ENDED, f"the entry has ended ({entry.status})")
    if entry.status is WaitStatus.WAITING:
        left = WaitlistLeft(entry.waitlist_id, entry.user_id)
        return Decision(events=(left,), waitlist_id=entry.waitlist_id)
    hold = state.holds[entry.holding_id or ""]
    if hold.lapsed(now):
        expired = HoldExpired(hold.holding_id, hold.user_id, hold.seats)
        return reject(ErrorCode.WAITLIST_ENDED, "the offer has lapsed", expired)
    if hold.status is HoldStatus.CONFIRMING:
        return reject(ErrorCode.PAYMENT_IN_PROGRESS, "the offered hold is being paid for")
    cancelled = HoldCancelled(hold.holding_id, hold.user_id, hold.seats)
    return Decision(events=(cancelled,), waitlist_id=entry.waitlist_id)


def follow_up(state: EventSeats, decision: Decision, now: float) -> Decision:
    """`decision` with what it means for the waiting list: offered holds that ended end their
    entries, and the seats it frees are offered to the line."""
    if not state.waitlist:
        return decision
    freed: set[str] = set()
    taken: set[str] = set()
    more: list[Event] = []
    for event in decision.events:
        if isinstance(event, SeatsHeld):
            taken.update(line.seat_id for line in event.seats)
        elif isinstance(event, HoldExpired | HoldCancelled | BookingCancelled):
            freed.update(
                line.seat_id
                for line in event.seats
                if state.occupant.get(line.seat_id) == event.holding_id
            )
        more.extend(_entry_ends(state, event))
    more.extend(_offers(state, Vacancies(state, freed, taken), now))
    if not more:
        return decision
    return replace(decision, events=(*decision.events, *more))


def _entry_ends(state: EventSeats, event: Event) -> list[Event]:
    """The end of the entry whose offered hold `event` ends, if it is one."""
    if not isinstance(event, HoldExpired | HoldCancelled | HoldConfirmed):
        return []
    waitlist_id = state.offers.get(event.holding_id)
    entry = state.waitlist.get(waitlist_id or "")
    if entry is None or entry.status is not WaitStatus.OFFERED:
        return []
    if isinstance(event, HoldConfirmed):
        return [WaitlistBooked(entry.waitlist_id, entry.user_id, event.holding_id)]
    if isinstance(event, HoldExpired):
        return [WaitlistLapsed(entry.waitlist_id, entry.user_id, event.holding_id)]
    return [WaitlistLeft(entry.waitlist_id, entry.user_id, event.holding_id)]


class Vacancies:
    """Which seats are free once a decision's events apply: unoccupied ones and those it frees,
    less those it takes. Counts per row, as best-available uses them."""

    def __init__(self, state: EventSeats, freed: set[str], taken: set[str]) -> None:
        self.state = state
        self.freed = freed
        self.taken = set(taken)
        self.delta: dict[tuple[str, str], int] = {}
        for seat_id in freed:
            self._count(seat_id, 1)
        for seat_id in taken:
            self._count(seat_id, -1)

    def _count(self, seat_id: str, delta: int) -> None:
        seat = self.state.seats.get(seat_id)
        if seat is not None:
            key = (seat.seat_type, seat.row)
            self.delta[key] = self.delta.get(key, 0) + delta

    def seat_types(self) -> list[str]:
        """Types of which the decision freed seats: only those can fit someone new."""
        return sorted({self.state.seats[s].seat_type for s in self.freed if s in self.state.seats})

    def is_free(self, seat_id: str) -> bool:
        free = seat_id not in self.state.occupant or seat_id in self.freed
        return free and seat_id not in self.taken

    def free_in_row(self, row: Sequence[Seat]) -> int:
        if not row:
            return 0
        key = (row[0].seat_type, row[0].row)
        return self.state.free_in_row(row) + self.delta.get(key, 0)

    def free_of(self, seat_type: str) -> int:
        return sum(self.free_in_row(row) for row in self.state.rows.get(seat_type, ()))

    def take(self, seats: Iterable[Seat]) -> None:
        for seat in seats:
            self.taken.add(seat.seat_id)
            self._count(seat.seat_id, -1)


def _offers(state: EventSeats, vacancies: Vacancies, now: float) -> list[Event]:
    """A hold for each waiting entry that fits, in line order, type by type."""
    events: list[Event] = []
    for seat_type in vacancies.seat_types():
        free = vacancies.free_of(seat_type)
        for waitlist_id in state.queue.get(seat_type, ()):
            if free == 0:
                break
            entry = state.waitlist[waitlist_id]
            if entry.quantity > free:
                continue
            rows = state.rows[seat_type]
            picked = best_available.choose(
                rows, entry.quantity, vacancies.is_free, vacancies.free_in_row
            )
            if picked is None:  # pragma: no cover - enough seats are free, so some are picked
                continue
            vacancies.take(picked)
            free -= entry.quantity
            events.extend(_offer(state, entry, picked, now))
    return events


def _offer(state: EventSeats, entry: WaitEntry, seats: list[Seat], now: float) -> list[Event]:
    holding_id = ids.offer_holding_id(entry.waitlist_id)
    lines = tuple(seat.line() for seat in seats)
    expires_at = now + state.hold_ttl_seconds
    held = SeatsHeld(
        holding_id=holding_id,
        user_id=entry.user_id,
        seats=lines,
        total_price=round(sum(line.price for line in lines), 2),
        created_at=now,
        expires_at=expires_at,
    )
    return [held, WaitlistOffered(entry.waitlist_id, entry.user_id, holding_id, expires_at)]
