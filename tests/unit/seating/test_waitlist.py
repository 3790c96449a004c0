"""Example-based tests of the waiting list: join, leave, offers of freed seats, lapses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from seating import ids
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
from seating.decide import Decision, decide
from seating.entries import WaitStatus, position
from seating.errors import ErrorCode
from seating.events import (
    HoldCancelled,
    HoldExpired,
    SeatsHeld,
    WaitlistBooked,
    WaitlistJoined,
    WaitlistLapsed,
    WaitlistLeft,
    WaitlistOffered,
)
from seating.state import EventSeats

T0 = 10_000.0
TTL = 60

Apply = Callable[[EventSeats, Command, float], Decision]


class Line:
    """One event of one row of 4 standard seats (and a row of 2 vip), sold out to `buyer`."""

    def __init__(self, make_event: Callable[..., EventSeats], apply: Apply) -> None:
        self.state = make_event(
            rows=["A", "B"], seats_per_row=[4, 2], seat_types=["standard", "vip"], ttl=TTL
        )
        self._apply = apply
        self.n = 0
        self.sold = self.hold("buyer", 4)

    def send(self, command: Command, now: float = T0) -> Decision:
        return self._apply(self.state, command, now)

    def cid(self) -> str:
        self.n += 1
        return f"c{self.n}"

    def hold(self, user: str, quantity: int, seat_type: str = "standard", now: float = T0) -> str:
        decision = self.send(HoldSeats(self.cid(), user, (), seat_type, quantity), now)
        assert decision.rejection is None, decision
        assert decision.holding_id is not None
        return decision.holding_id

    def join(self, user: str, quantity: int, seat_type: str = "standard", now: float = T0) -> str:
        decision = self.send(JoinWaitlist(self.cid(), user, seat_type, quantity), now)
        assert decision.rejection is None, decision
        assert decision.waitlist_id is not None
        return decision.waitlist_id

    def cancel(self, holding_id: str, now: float = T0) -> Decision:
        user = self.state.holds[holding_id].user_id
        return self.send(CancelHold(self.cid(), user, holding_id), now)

    def status(self, waitlist_id: str) -> WaitStatus:
        return self.state.waitlist[waitlist_id].status


@pytest.fixture
def line(make_event: Callable[..., EventSeats], apply: Apply) -> Line:
    return Line(make_event, apply)


def test_join_is_refused_while_enough_seats_are_available(line: Line) -> None:
    decision = line.send(JoinWaitlist("j", "ann", "vip", 2))
    assert decision.rejection is not None
    assert decision.rejection.code is ErrorCode.SEATS_AVAILABLE
    assert decision.events == ()
    # vip has 2 seats: 3 are not available, so waiting for 3 is allowed
    assert line.send(JoinWaitlist("j2", "ann", "vip", 3)).rejection is None


def test_join_makes_one_entry_per_user_and_seat_type(line: Line) -> None:
    first = line.send(JoinWaitlist("j1", "ann", "standard", 2), T0)
    assert first.rejection is None
    assert first.waitlist_id == ids.waitlist_id_for(line.state.event_id, "ann", "standard")
    (joined,) = first.events
    assert joined == WaitlistJoined(first.waitlist_id, "ann", "standard", 2, 1, T0)
    again = line.send(JoinWaitlist("j2", "ann", "standard", 3), T0 + 1)
    assert again == Decision(waitlist_id=first.waitlist_id)
    assert line.state.waitlist[first.waitlist_id].quantity == 2
    second = line.join("bob", 1)
    assert line.state.waitlist[second].seq == 2
    assert ids.event_of(second) == line.state.event_id


@pytest.mark.parametrize(
    ("seat_type", "quantity", "code", "field"),
    [
        ("balcony", 1, ErrorCode.UNKNOWN_SEAT_TYPE, "seat_type"),
        ("standard", 0, ErrorCode.TOO_MANY_SEATS, "quantity"),
        ("standard", 11, ErrorCode.TOO_MANY_SEATS, "quantity"),
    ],
)
def test_join_refuses_bad_input_naming_the_field(
    line: Line, seat_type: str, quantity: int, code: ErrorCode, field: str
) -> None:
    decision = line.send(JoinWaitlist("j", "ann", seat_type, quantity))
    assert decision.rejection is not None
    assert decision.rejection.code is code
    assert decision.rejection.details["field"] == field
    assert line.state.waitlist == {}


def test_join_before_the_sale_is_refused(line: Line) -> None:
    line.state.sale_starts_at = T0 + 100
    decision = line.send(JoinWaitlist("j", "ann", "standard", 1))
    assert decision.rejection is not None
    assert decision.rejection.code is ErrorCode.SALE_NOT_STARTED


def test_freed_seats_go_to_the_first_entry_adjacent_with_the_events_hold_time(line: Line) -> None:
    ann = line.join("ann", 2)
    bob = line.join("bob", 2)
    decision = line.cancel(line.sold, T0 + 5)
    assert decision.rejection is None
    kinds = [type(e) for e in decision.events]
    assert kinds == [HoldCancelled, SeatsHeld, WaitlistOffered, SeatsHeld, WaitlistOffered]
    offered_ann = decision.events[1]
    assert isinstance(offered_ann, SeatsHeld)
    assert offered_ann.user_id == "ann"
    assert offered_ann.holding_id == ids.offer_holding_id(ann)
    assert offered_ann.expires_at == T0 + 5 + TTL
    numbers = sorted(int(line.seat_id.split("-")[1]) for line in offered_ann.seats)
    assert numbers in ([1, 2], [2, 3], [3, 4])
    assert line.status(ann) is line.status(bob) is WaitStatus.OFFERED
    entry = line.state.waitlist[ann]
    assert entry.holding_id == offered_ann.holding_id
    assert entry.expires_at == T0 + 5 + TTL
    assert line.state.queue == {}


def test_an_entry_that_does_not_fit_is_skipped_not_blocking(line: Line) -> None:
    line.cancel(line.sold)
    first = line.hold("buyer", 3)
    second = line.hold("buyer2", 1)
    big = line.join("ann", 2)
    small = line.join("bob", 1)
    decision = line.cancel(second)
    assert line.status(big) is WaitStatus.WAITING
    assert line.status(small) is WaitStatus.OFFERED
    assert position(line.state.waitlist[big], line.state.waitlist.values()) == 1
    assert [type(e) for e in decision.events] == [HoldCancelled, SeatsHeld, WaitlistOffered]
    line.cancel(first)
    assert line.status(big) is WaitStatus.OFFERED


def test_seats_that_fit_nobody_go_back_on_sale(line: Line) -> None:
    line.cancel(line.sold)
    three = line.hold("buyer", 3)
    line.hold("buyer2", 1)
    big = line.join("ann", 4)
    line.cancel(three)
    assert line.status(big) is WaitStatus.WAITING
    assert line.hold("carl", 3)  # nobody who fits waits: on sale


def test_a_lapsed_offer_passes_to_the_next_in_line(line: Line) -> None:
    ann = line.join("ann", 4)
    bob = line.join("bob", 4)
    line.cancel(line.sold)
    offered = line.state.waitlist[ann].holding_id
    assert offered is not None
    lapse = T0 + TTL + 1
    decision = line.send(ExpireHold("e", offered), lapse)
    kinds = [type(e) for e in decision.events]
    assert kinds == [HoldExpired, WaitlistLapsed, SeatsHeld, WaitlistOffered]
    assert line.status(ann) is WaitStatus.LAPSED
    assert line.status(bob) is WaitStatus.OFFERED
    assert line.send(ExpireHold("e", offered), lapse) == Decision(holding_id=offered)


def test_lapsed_seats_are_not_snatched_while_someone_waits(line: Line) -> None:
    ann = line.join("ann", 2)
    lapse = T0 + TTL + 1
    snatch = line.send(HoldSeats("s", "carl", (), "standard", 2), lapse)
    assert snatch.rejection is not None
    assert snatch.rejection.code is ErrorCode.NOT_ENOUGH_SEATS
    by_id = line.send(HoldSeats("s2", "carl", ("A-1",)), lapse)
    assert by_id.rejection is not None
    assert by_id.rejection.code is ErrorCode.SEATS_UNAVAILABLE
    line.send(ExpireHold("e", line.sold), lapse)
    assert line.status(ann) is WaitStatus.OFFERED
    # two seats left, nobody waits: on sale again
    assert line.hold("carl", 2, now=lapse)


def test_a_confirmed_offer_is_booked(line: Line) -> None:
    ann = line.join("ann", 1)
    line.cancel(line.sold)
    offered = line.state.waitlist[ann].holding_id
    assert offered is not None
    confirm = line.send(ConfirmHold("p", "ann", offered, "tok"))
    assert confirm.pending
    paid = line.send(RecordPayment("r", offered, "succeeded", 1, "ch"))
    assert [type(e).__name__ for e in paid.events] == ["HoldConfirmed", "WaitlistBooked"]
    assert paid.events[-1] == WaitlistBooked(ann, "ann", offered)
    assert line.status(ann) is WaitStatus.BOOKED
    left = line.send(LeaveWaitlist("l", "ann", ann))
    assert left.rejection is not None
    assert left.rejection.code is ErrorCode.WAITLIST_ENDED


def test_a_cancelled_booking_is_offered_to_the_line(line: Line) -> None:
    line.send(ConfirmHold("p", "buyer", line.sold, "tok"))
    line.send(RecordPayment("r", line.sold, "succeeded", 1, "ch"))
    ann = line.join("ann", 4)
    booking_id = ids.booking_id_for(line.sold)
    decision = line.send(CancelBooking("cb", "buyer", booking_id))
    assert decision.rejection is None
    assert line.status(ann) is WaitStatus.OFFERED


def test_a_declined_payment_after_the_hold_time_passes_the_offer_on(line: Line) -> None:
    ann = line.join("ann", 4)
    bob = line.join("bob", 4)
    line.cancel(line.sold)
    offered = line.state.waitlist[ann].holding_id
    assert offered is not None
    line.send(ConfirmHold("p", "ann", offered, "tok"))
    late = T0 + TTL + 5
    declined = line.send(RecordPayment("r", offered, "declined", 1), late)
    assert declined.rejection is not None
    assert line.status(ann) is WaitStatus.LAPSED
    assert line.status(bob) is WaitStatus.OFFERED


def test_leaving_while_waiting_and_leaving_an_offer(line: Line) -> None:
    ann = line.join("ann", 4)
    bob = line.join("bob", 4)
    carl = line.join("carl", 4)
    refused = line.send(LeaveWaitlist("l0", "bob", ann)).rejection
    assert refused is not None
    assert refused.code is ErrorCode.WAITLIST_NOT_FOUND
    left = line.send(LeaveWaitlist("l1", "bob", bob))
    assert left.events == (WaitlistLeft(bob, "bob"),)
    assert left.waitlist_id == bob
    again = line.send(LeaveWaitlist("l2", "bob", bob)).rejection
    assert again is not None
    assert again.code is ErrorCode.WAITLIST_ENDED
    line.cancel(line.sold)
    offered = line.state.waitlist[ann].holding_id
    leave_offer = line.send(LeaveWaitlist("l3", "ann", ann))
    assert [type(e) for e in leave_offer.events] == [
        HoldCancelled,
        WaitlistLeft,
        SeatsHeld,
        WaitlistOffered,
    ]
    assert leave_offer.events[1] == WaitlistLeft(ann, "ann", offered)
    assert line.status(ann) is WaitStatus.LEFT
    assert line.status(carl) is WaitStatus.OFFERED


def test_cancelling_the_offered_hold_leaves_the_list(line: Line) -> None:
    ann = line.join("ann", 4)
    line.cancel(line.sold)
    offered = line.state.waitlist[ann].holding_id
    assert offered is not None
    decision = line.cancel(offered)
    assert WaitlistLeft(ann, "ann", offered) in decision.events
    assert line.status(ann) is WaitStatus.LEFT


def test_leaving_a_lapsed_offer_is_refused_and_passes_it_on(line: Line) -> None:
    ann = line.join("ann", 4)
    bob = line.join("bob", 4)
    line.cancel(line.sold)
    decision = line.send(LeaveWaitlist("l", "ann", ann), T0 + TTL + 1)
    assert decision.rejection is not None
    assert decision.rejection.code is ErrorCode.WAITLIST_ENDED
    assert line.status(ann) is WaitStatus.LAPSED
    assert line.status(bob) is WaitStatus.OFFERED


def test_leaving_an_offer_being_paid_for_is_refused(line: Line) -> None:
    ann = line.join("ann", 4)
    line.cancel(line.sold)
    offered = line.state.waitlist[ann].holding_id
    assert offered is not None
    line.send(ConfirmHold("p", "ann", offered, "tok"))
    decision = line.send(LeaveWaitlist("l", "ann", ann))
    assert decision.rejection is not None
    assert decision.rejection.code is ErrorCode.PAYMENT_IN_PROGRESS
    assert line.status(ann) is WaitStatus.OFFERED


def test_position_counts_the_entries_still_waiting_ahead_per_seat_type(line: Line) -> None:
    a, b = line.join("a", 4), line.join("b", 4)
    v = line.join("v", 3, "vip")
    c = line.join("c", 4)
    entries = line.state.waitlist.values()
    assert [position(line.state.waitlist[w], entries) for w in (a, b, v, c)] == [1, 2, 1, 3]
    line.send(LeaveWaitlist("l", "b", b))
    assert position(line.state.waitlist[c], entries) == 2
    assert position(line.state.waitlist[b], entries) == 0


def test_decide_alone_changes_nothing(line: Line) -> None:
    ann = line.join("ann", 4)
    before = repr(line.state)
    decide(line.state, CancelHold("c", "buyer", line.sold), T0)
    assert repr(line.state) == before
    assert line.status(ann) is WaitStatus.WAITING
