"""Pure arithmetic: what analytics knows of each hold, and the figures summed over holds.

Every figure is a sum over per-hold facts, so applying a message twice, or rebuilding the sums
from the hold table after a restart, cannot count anything twice."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from seating import (
    BookingCancelled,
    HoldCancelled,
    HoldConfirmed,
    HoldExpired,
    PaymentDeclined,
    PaymentFailed,
    PaymentRequested,
    SeatsHeld,
    WaitlistBooked,
    WaitlistEvent,
    WaitlistJoined,
    WaitlistLapsed,
    WaitlistLeft,
    WaitlistOffered,
)
from topics.events import BookingEventV1

LIVE = ("held", "confirming")
SeatFacts = tuple[str, str, int]  # seat id, seat type, price in cents


def cents(amount: float) -> int:
    return round(amount * 100)


@dataclass
class HoldFacts:
    """One hold as the booking events told it; prices in cents. A waiting-list entry is kept
    the same way (`kind` "wait", keyed by its waitlist id, no seats)."""

    event_id: str
    holding_id: str
    user_id: str
    seats: list[SeatFacts]
    status: str = "held"
    booking_cancelled: bool = False
    failures: int = 0
    confirmed_at: float | None = None
    seen: list[str] = field(default_factory=list)
    kind: str = "hold"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HoldFacts:
        return cls(**data | {"seats": [tuple(s) for s in data["seats"]]})


def step(facts: HoldFacts | None, message: BookingEventV1) -> HoldFacts | None:
    """The hold after `message`, or None when the message changes nothing (a duplicate)."""
    if facts is not None and message.message_id in facts.seen:
        return None
    event = message.domain()
    if isinstance(event, WaitlistEvent):
        return _wait_step(facts, message.message_id, message.event_id, event)
    if facts is None:
        if not isinstance(event, SeatsHeld | HoldConfirmed | HoldCancelled | HoldExpired):
            return None
        seats = [(s.seat_id, s.seat_type, cents(s.price)) for s in event.seats]
        facts = HoldFacts(message.event_id, event.holding_id, event.user_id, seats)
    new = HoldFacts.from_json(facts.to_json())
    new.seen.append(message.message_id)
    match event:
        case PaymentRequested():
            # Late when its owner was paused mid-publish and the next owner confirmed the hold.
            new.status = "confirming" if new.status in LIVE else new.status
        case HoldConfirmed():
            new.status, new.confirmed_at = "confirmed", event.confirmed_at
        case PaymentDeclined() | PaymentFailed():
            new.failures += 1
            new.status = "held" if new.status in LIVE else new.status
        case HoldCancelled():
            new.status = "cancelled"
        case HoldExpired():
            new.status = "expired"
        case BookingCancelled():
            new.booking_cancelled = True
    return new


_WAIT_STATUS = {
    WaitlistOffered: "offered",
    WaitlistBooked: "booked",
    WaitlistLapsed: "lapsed",
    WaitlistLeft: "left",
}


def _wait_step(
    facts: HoldFacts | None, message_id: str, event_id: str, event: WaitlistEvent
) -> HoldFacts | None:
    """A waiting-list entry after `event`."""
    if facts is None:
        if not isinstance(event, WaitlistJoined):
            return None
        facts = HoldFacts(event_id, event.waitlist_id, event.user_id, [], "waiting", kind="wait")
    new = HoldFacts.from_json(facts.to_json())
    new.seen.append(message_id)
    new.status = _WAIT_STATUS.get(type(event), new.status)
    return new


def key_of(message: BookingEventV1) -> str:
    """The hold table's key of the hold (or waiting-list entry) `message` is about."""
    item = message.data.get("waitlist_id") or message.data.get("holding_id", "")
    return f"{message.event_id}/{item}"


def minute_of(at: float) -> int:
    """The start of the minute `at` falls in, in epoch seconds."""
    return int(at // 60 * 60)


@dataclass
class Tally:
    """Sums over holds: counters, revenue by seat type, per seat, per user, per minute."""

    counts: Counter[str] = field(default_factory=Counter)
    revenue_by_type: Counter[str] = field(default_factory=Counter)
    seats: dict[str, Counter[str]] = field(default_factory=dict)
    users: dict[str, Counter[str]] = field(default_factory=dict)
    minutes: dict[int, Counter[str]] = field(default_factory=dict)

    def add(self, hold: HoldFacts, sign: int = 1) -> None:
        """Add (or with sign=-1 take away) one hold's share of every figure."""
        if hold.kind == "wait":
            waiting, taken = hold.status == "waiting", hold.status == "booked"
            self.counts.update(waitlist_size=sign * waiting, waitlist_offers_taken=sign * taken)
            return
        confirmed = hold.status == "confirmed"
        kept = confirmed and not hold.booking_cancelled
        paid = sum(price for _, _, price in hold.seats)
        share = {
            "holds_created": 1,
            "holds_confirmed": confirmed,
            "holds_expired": hold.status == "expired",
            "holds_cancelled": hold.status == "cancelled",
            "bookings_cancelled": hold.booking_cancelled,
            "payment_failures": hold.failures,
            "held": len(hold.seats) if hold.status in LIVE else 0,
            "booked": len(hold.seats) if kept else 0,
            "revenue": paid if kept else 0,
            "gross_revenue": paid if confirmed else 0,
            "refunded": paid if hold.booking_cancelled else 0,
        }
        self.counts.update({k: sign * int(v) for k, v in share.items()})
        for seat_id, seat_type, price in hold.seats:
            if kept:
                self.revenue_by_type[seat_type] += sign * price
            seat = self.seats.setdefault(seat_id, Counter())
            seat.update(times_held=sign, times_booked=sign * confirmed)
        user = self.users.setdefault(hold.user_id, Counter())
        user.update(
            bookings=sign * confirmed,
            seats=sign * len(hold.seats) * kept,
            spend=sign * paid * kept,
            cancellations=sign * hold.booking_cancelled,
        )
        if confirmed and hold.confirmed_at is not None:
            minute = self.minutes.setdefault(minute_of(hold.confirmed_at), Counter())
            minute.update(bookings=sign, revenue=sign * paid)


def tally(holds: list[HoldFacts]) -> Tally:
    """The sums over `holds`."""
    result = Tally()
    for hold in holds:
        result.add(hold)
    return result
