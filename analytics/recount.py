"""Pure: the analytics figures recomputed from the holds the workers stored, for reconciling.

Written apart from figures.py on purpose: it reads seating.Hold (the workers' own record),
not the stream, so the two can only agree if both are right."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from analytics.figures import Tally, cents, minute_of
from seating import Hold, HoldStatus, WaitEntry, WaitStatus

LIVE = (HoldStatus.HELD, HoldStatus.CONFIRMING)


def recount(holds: list[Hold], entries: Sequence[WaitEntry] = ()) -> Tally:
    """The tally of an event from its stored holds and waiting-list entries."""
    confirmed = [h for h in holds if h.status is HoldStatus.CONFIRMED]
    kept = [h for h in confirmed if not h.booking_cancelled]
    cancelled = [h for h in confirmed if h.booking_cancelled]

    def paid(hs: list[Hold]) -> int:
        return sum(cents(line.price) for h in hs for line in h.seats)

    def attempts_failed(h: Hold) -> int:
        settled_or_waiting = h.status in (HoldStatus.CONFIRMED, HoldStatus.CONFIRMING)
        return h.payment_attempt - int(settled_or_waiting)

    result = Tally()
    result.counts = Counter(
        holds_created=len(holds),
        holds_confirmed=len(confirmed),
        holds_expired=sum(h.status is HoldStatus.EXPIRED for h in holds),
        holds_cancelled=sum(h.status is HoldStatus.CANCELLED for h in holds),
        bookings_cancelled=len(cancelled),
        payment_failures=sum(attempts_failed(h) for h in holds),
        held=sum(len(h.seats) for h in holds if h.status in LIVE),
        booked=sum(len(h.seats) for h in kept),
        revenue=paid(kept),
        gross_revenue=paid(confirmed),
        refunded=paid(cancelled),
        waitlist_size=sum(e.status is WaitStatus.WAITING for e in entries),
        waitlist_offers_taken=sum(e.status is WaitStatus.BOOKED for e in entries),
    )
    for h in kept:
        for line in h.seats:
            result.revenue_by_type[line.seat_type] += cents(line.price)
    for h in holds:
        for line in h.seats:
            seat = result.seats.setdefault(line.seat_id, Counter())
            seat.update(times_held=1, times_booked=int(h.status is HoldStatus.CONFIRMED))
        user = result.users.setdefault(h.user_id, Counter())
        is_confirmed = h.status is HoldStatus.CONFIRMED
        user.update(bookings=int(is_confirmed), cancellations=int(h.booking_cancelled))
        if is_confirmed and not h.booking_cancelled:
            user.update(seats=len(h.seats), spend=paid([h]))
    for h in confirmed:
        minute = result.minutes.setdefault(minute_of(h.confirmed_at or 0.0), Counter())
        minute.update(bookings=1, revenue=paid([h]))
    return result
