"""The seat state of one event, as its partition owner holds it in memory."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from seating.entries import WaitEntry, WaitStatus
from seating.events import SeatLine


class HoldStatus(StrEnum):
    """Where a hold is: live (held, confirming) or ended exactly one way."""

    HELD = "held"
    CONFIRMING = "confirming"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


LIVE = frozenset({HoldStatus.HELD, HoldStatus.CONFIRMING})


@dataclass(frozen=True)
class Seat:
    """A numbered seat of the venue, priced for this event."""

    seat_id: str
    row: str
    number: int
    seat_type: str
    price: float

    def line(self) -> SeatLine:
        return SeatLine(self.seat_id, self.seat_type, self.price)


@dataclass
class Hold:
    """A hold and, once confirmed, the booking it became."""

    holding_id: str
    user_id: str
    seats: tuple[SeatLine, ...]
    total_price: float
    created_at: float
    expires_at: float
    status: HoldStatus = HoldStatus.HELD
    payment_attempt: int = 0
    payment_token: str | None = None
    booking_id: str | None = None
    booking_cancelled: bool = False
    confirmed_at: float | None = None
    charge_id: str | None = None
    refund_id: str | None = None
    customer_ref: str | None = None

    @property
    def seat_ids(self) -> tuple[str, ...]:
        return tuple(line.seat_id for line in self.seats)

    def lapsed(self, now: float) -> bool:
        """A held hold whose time is up (a confirming hold cannot lapse)."""
        return self.status is HoldStatus.HELD and now >= self.expires_at

    def occupies_seats(self) -> bool:
        """Whether its seats are taken: a live hold or an uncancelled booking."""
        return self.status in LIVE or (
            self.status is HoldStatus.CONFIRMED and not self.booking_cancelled
        )


def row_order(row: str) -> tuple[int, int, str]:
    """Front rows first: numeric rows by number, lettered rows A..Z, then AA.."""
    if row.isdigit():
        return (0, int(row), "")
    return (1, len(row), row)


@dataclass
class EventSeats:
    """Seats, holds and who occupies which seat, for one event; its waiting list."""

    event_id: str
    seats: dict[str, Seat]
    hold_ttl_seconds: int
    max_seats_per_hold: int = 10
    max_active_holds_per_user: int = 5
    sale_starts_at: float | None = None  # seconds since the epoch; holds before it are refused
    holds: dict[str, Hold] = field(default_factory=dict)
    occupant: dict[str, str] = field(default_factory=dict)
    live_by_user: dict[str, set[str]] = field(default_factory=dict)
    waitlist: dict[str, WaitEntry] = field(default_factory=dict)
    # Kept with the waiting list: ids of the entries still waiting per seat type, in line
    # order, and the entry each offered hold was made for.
    queue: dict[str, list[str]] = field(default_factory=dict)
    offers: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[list[Seat]]] = field(default_factory=dict, init=False)
    # Kept by occupy/vacate and evolve so best-available can skip full rows and refuse a sold
    # out type without looking at its seats: occupied seats per (seat type, row), and a heap of
    # (expires_at, holding id) whose top is always a held hold (stale entries are pruned).
    occupied_in_row: dict[tuple[str, str], int] = field(
        default_factory=dict, init=False, compare=False
    )
    expiries: list[tuple[float, str]] = field(default_factory=list, init=False, compare=False)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Group seats by type into rows (front first), each row sorted by number; recount
        occupied seats per row."""
        self.occupied_in_row = {}
        for seat_id in self.occupant:
            self._count(seat_id, 1)
        by_type: dict[str, dict[str, list[Seat]]] = {}
        for seat in self.seats.values():
            by_type.setdefault(seat.seat_type, {}).setdefault(seat.row, []).append(seat)
        self.rows = {
            seat_type: [
                sorted(row_seats, key=lambda s: s.number)
                for _, row_seats in sorted(rows.items(), key=lambda kv: row_order(kv[0]))
            ]
            for seat_type, rows in by_type.items()
        }

    def restore(self, hold: Hold) -> None:
        """Put back a hold read from storage, with the indexes `evolve` keeps."""
        self.holds[hold.holding_id] = hold
        if hold.occupies_seats():
            for seat_id in hold.seat_ids:
                self.occupy(seat_id, hold.holding_id)
        if hold.status in LIVE:
            self.live_by_user.setdefault(hold.user_id, set()).add(hold.holding_id)
        self.track_expiry(hold)
        self.prune_expiries()

    def restore_entry(self, entry: WaitEntry) -> None:
        """Put back a waiting-list entry read from storage, with the indexes `evolve` keeps."""
        self.waitlist[entry.waitlist_id] = entry
        if entry.status is WaitStatus.WAITING:
            line = self.queue.setdefault(entry.seat_type, [])
            line.append(entry.waitlist_id)
            line.sort(key=lambda w: self.waitlist[w].seq)
        if entry.holding_id is not None:
            self.offers[entry.holding_id] = entry.waitlist_id

    def occupy(self, seat_id: str, holding_id: str) -> None:
        if seat_id not in self.occupant:
            self._count(seat_id, 1)
        self.occupant[seat_id] = holding_id

    def vacate(self, seat_id: str, holding_id: str) -> None:
        """Free `seat_id` if `holding_id` occupies it."""
        if self.occupant.get(seat_id) == holding_id:
            del self.occupant[seat_id]
            self._count(seat_id, -1)

    def _count(self, seat_id: str, delta: int) -> None:
        seat = self.seats.get(seat_id)
        if seat is not None:
            key = (seat.seat_type, seat.row)
            self.occupied_in_row[key] = self.occupied_in_row.get(key, 0) + delta

    def track_expiry(self, hold: Hold) -> None:
        """Note a hold that is (again) held, so `none_lapsed` sees when its time is up."""
        if hold.status is HoldStatus.HELD:
            heapq.heappush(self.expiries, (hold.expires_at, hold.holding_id))

    def prune_expiries(self) -> None:
        """Drop entries of holds no longer held from the top of the expiry heap."""
        heap = self.expiries
        while heap:
            expires_at, holding_id = heap[0]
            hold = self.holds.get(holding_id)
            if (
                hold is not None
                and hold.status is HoldStatus.HELD
                and hold.expires_at == expires_at
            ):
                return
            heapq.heappop(heap)

    def none_lapsed(self, now: float) -> bool:
        """No held hold's time is up: a seat is free exactly when nobody occupies it."""
        return not self.expiries or self.expiries[0][0] > now

    def free_in_row(self, row: Sequence[Seat]) -> int:
        """Unoccupied seats in one row of `rows` (all free ones when `none_lapsed`)."""
        if not row:
            return 0
        return len(row) - self.occupied_in_row.get((row[0].seat_type, row[0].row), 0)

    def holder_of(self, seat_id: str) -> Hold | None:
        """The hold or booking occupying `seat_id`, if any."""
        holding_id = self.occupant.get(seat_id)
        return self.holds[holding_id] if holding_id else None

    def is_free(self, seat_id: str, now: float) -> bool:
        """Free now: nobody occupies it, or only a hold whose time is up, unless someone waits
        for its type: those seats go to the waiting list when the hold's expiry is decided."""
        hold = self.holder_of(seat_id)
        return hold is None or (hold.lapsed(now) and not self.waited_for(seat_id))

    def waited_for(self, seat_id: str) -> bool:
        """Whether an entry of the waiting list waits for seats of this seat's type."""
        seat = self.seats.get(seat_id)
        return seat is not None and bool(self.queue.get(seat.seat_type))

    def seat_status(self, seat_id: str, now: float) -> str:
        """available, held or booked, as a buyer sees it now."""
        hold = self.holder_of(seat_id)
        if hold is None or hold.lapsed(now):
            return "available"
        return "booked" if hold.status is HoldStatus.CONFIRMED else "held"

    def live_holds_of(self, user_id: str, now: float) -> int:
        """How many holds `user_id` has that still count (held in time, or confirming)."""
        live = self.live_by_user.get(user_id, ())
        return sum(1 for holding_id in live if not self.holds[holding_id].lapsed(now))

    def live_seats_of(self, user_id: str, now: float) -> int:
        """How many seats `user_id` holds that still count (held in time, or confirming)."""
        holds = (self.holds[h] for h in self.live_by_user.get(user_id, ()))
        return sum(len(hold.seats) for hold in holds if not hold.lapsed(now))

    def live_holds(self) -> list[Hold]:
        """Holds that are held or confirming."""
        return [self.holds[h] for ids in self.live_by_user.values() for h in ids]

    def due_expiries(self, now: float) -> list[str]:
        """Holds whose time is up and that nobody has expired yet, soonest first; visits only
        the heap entries due by `now` (and their children)."""
        heap, due, stack = self.expiries, {}, [0] if self.expiries else []
        while stack:
            index = stack.pop()
            expires_at, holding_id = heap[index]
            if expires_at > now:
                continue
            hold = self.holds.get(holding_id)
            if hold is not None and hold.lapsed(now):
                due[holding_id] = expires_at
            stack.extend(c for c in (2 * index + 1, 2 * index + 2) if c < len(heap))
        return sorted(due, key=lambda h: (due[h], h))
