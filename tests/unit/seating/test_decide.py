"""Example-based tests of decide/evolve: every command, every refusal, the state queries, ids."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from typing import Any, Literal

import pytest

from seating import ids
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
    HoldCancelled,
    HoldConfirmed,
    HoldExpired,
    PaymentDeclined,
    PaymentFailed,
    PaymentRequested,
    SeatLine,
    SeatsHeld,
)
from seating.state import EventSeats, Hold, HoldStatus

T0 = 10_000.0
TTL = 600
EVENT_ID = "0123456789abcdef0123456789abcdef"
PREMIUM = 95.5
STANDARD = 40.0


class Desk:
    """Sends commands to one event's state (deciding and evolving), with fresh command ids."""

    def __init__(
        self,
        state: EventSeats,
        apply: Callable[[EventSeats, Command, float], Decision],
        cid: Callable[[], str],
    ) -> None:
        self.state = state
        self._apply = apply
        self.cid = cid

    def send(self, command: Command, now: float = T0) -> Decision:
        return self._apply(self.state, command, now)

    def hold(
        self, user: str, *seat_ids: str, now: float = T0, command_id: str | None = None
    ) -> Decision:
        return self.send(HoldSeats(command_id or self.cid(), user, seat_ids), now)

    def hold_type(
        self,
        user: str,
        seat_type: str | None,
        quantity: int,
        now: float = T0,
        command_id: str | None = None,
    ) -> Decision:
        command = HoldSeats(command_id or self.cid(), user, (), seat_type, quantity)
        return self.send(command, now)

    def held(self, user: str, *seat_ids: str, now: float = T0) -> str:
        """Hold and return the holding id, asserting it worked."""
        decision = self.hold(user, *seat_ids, now=now)
        assert decision.rejection is None, decision.rejection
        assert decision.holding_id is not None
        return decision.holding_id

    def confirm(self, user: str, holding_id: str, now: float = T0, token: str = "tok") -> Decision:
        return self.send(ConfirmHold(self.cid(), user, holding_id, token), now)

    def pay(
        self,
        holding_id: str,
        outcome: Literal["succeeded", "declined", "error"] = "succeeded",
        now: float = T0,
        charge_id: str | None = "ch_1",
        message: str = "",
    ) -> Decision:
        hold = self.state.holds.get(holding_id)
        attempt = hold.payment_attempt if hold is not None else 1
        command = RecordPayment(self.cid(), holding_id, outcome, attempt, charge_id, message)
        return self.send(command, now)

    def booked(self, user: str, *seat_ids: str, now: float = T0) -> str:
        """Hold, confirm and pay; return the booking id."""
        holding_id = self.held(user, *seat_ids, now=now)
        assert self.confirm(user, holding_id, now).pending
        decision = self.pay(holding_id, now=now)
        assert decision.rejection is None, decision.rejection
        booking_id = self.state.holds[holding_id].booking_id
        assert booking_id is not None
        return booking_id

    def cancel_hold(self, user: str, holding_id: str, now: float = T0) -> Decision:
        return self.send(CancelHold(self.cid(), user, holding_id), now)

    def cancel_booking(
        self, user: str, booking_id: str, now: float = T0, as_admin: bool = False
    ) -> Decision:
        return self.send(CancelBooking(self.cid(), user, booking_id, as_admin), now)

    def expire(self, holding_id: str, now: float) -> Decision:
        return self.send(ExpireHold(self.cid(), holding_id), now)

    def hold_of(self, holding_id: str) -> Hold:
        return self.state.holds[holding_id]


@pytest.fixture
def venue(make_event: Callable[..., EventSeats]) -> EventSeats:
    """Row A premium, rows B and C standard, six seats each; 4 seats and 3 holds at most."""
    return make_event(
        rows=("A", "B", "C"),
        seats_per_row=6,
        seat_types=("premium", "standard", "standard"),
        ttl=TTL,
        max_seats=4,
        max_holds=3,
    )


@pytest.fixture
def desk(
    venue: EventSeats,
    apply: Callable[[EventSeats, Command, float], Decision],
    cid: Callable[[], str],
) -> Desk:
    return Desk(venue, apply, cid)


def lines(state: EventSeats, *seat_ids: str) -> tuple[SeatLine, ...]:
    return tuple(state.seats[s].line() for s in seat_ids)


def expected_holding_id(command_id: str, event_id: str = EVENT_ID) -> str:
    return f"{event_id}-h{hashlib.sha256(command_id.encode()).hexdigest()[:20]}"


def assert_rejected(
    decision: Decision, code: ErrorCode, *, events: tuple[Any, ...] = (), **details: Any
) -> Rejection:
    assert decision.rejection is not None, f"expected {code}, got {decision}"
    assert decision.rejection.code is code
    assert decision.rejection.message
    assert decision.events == events
    assert not decision.pending
    for key, value in details.items():
        assert decision.rejection.details[key] == value, key
    return decision.rejection


def assert_unchanged_by(desk: Desk, command: Command, now: float) -> Decision:
    """Send `command`, asserting that the state is exactly as before."""
    before = copy.deepcopy(desk.state)
    decision = desk.send(command, now)
    assert desk.state == before
    return decision


# --- the factories -------------------------------------------------------------------------


def test_make_event_builds_named_priced_seats(make_event: Callable[..., EventSeats]) -> None:
    state = make_event(rows=("1", "2"), seats_per_row=(2, 3), seat_types=("vip", "standard"))
    assert sorted(state.seats) == ["1-1", "1-2", "2-1", "2-2", "2-3"]
    assert state.seats["1-2"].seat_type == "vip"
    assert state.seats["2-3"].price == STANDARD
    assert state.seats["2-3"].row == "2" and state.seats["2-3"].number == 3
    assert [[s.seat_id for s in row] for row in state.rows["standard"]] == [["2-1", "2-2", "2-3"]]
    assert state.holds == {} and state.occupant == {} and state.live_by_user == {}


def test_apply_decides_then_evolves(desk: Desk) -> None:
    decision = desk.hold("u1", "B-1")
    assert decision.holding_id in desk.state.holds
    assert desk.state.occupant == {"B-1": decision.holding_id}


# --- HoldSeats by seat ids -------------------------------------------------------------------


def test_hold_by_ids_emits_seats_held_and_occupies_the_seats(desk: Desk) -> None:
    decision = desk.hold("u1", "A-2", "B-1", command_id="c-hold")
    holding_id = expected_holding_id("c-hold")
    assert decision == Decision(
        events=(
            SeatsHeld(
                holding_id=holding_id,
                user_id="u1",
                seats=(
                    SeatLine("A-2", "premium", PREMIUM),
                    SeatLine("B-1", "standard", STANDARD),
                ),
                total_price=PREMIUM + STANDARD,
                created_at=T0,
                expires_at=T0 + TTL,
            ),
        ),
        holding_id=holding_id,
    )
    hold = desk.hold_of(holding_id)
    assert hold.status is HoldStatus.HELD
    assert hold.seat_ids == ("A-2", "B-1")
    assert hold.payment_attempt == 0 and hold.booking_id is None
    assert desk.state.occupant == {"A-2": holding_id, "B-1": holding_id}
    assert desk.state.live_by_user == {"u1": {holding_id}}


def test_hold_keeps_the_seats_in_the_order_asked(desk: Desk) -> None:
    decision = desk.hold("u1", "C-3", "A-1", "B-6")
    held = decision.events[-1]
    assert isinstance(held, SeatsHeld)
    assert [line.seat_id for line in held.seats] == ["C-3", "A-1", "B-6"]


def test_total_price_is_rounded_to_cents(
    make_event: Callable[..., EventSeats],
    apply: Callable[[EventSeats, Command, float], Decision],
) -> None:
    state = make_event(rows=1, seats_per_row=3, prices={"standard": 0.1})
    decision = apply(state, HoldSeats("c", "u1", ("A-1", "A-2", "A-3")), T0)
    held = decision.events[0]
    assert isinstance(held, SeatsHeld)
    assert held.total_price == 0.3  # not 0.30000000000000004


def test_hold_of_taken_seats_lists_exactly_the_unavailable_ones(desk: Desk) -> None:
    desk.held("u1", "B-2", "B-4")
    desk.booked("u3", "B-5")
    confirming = desk.held("u4", "B-6")
    desk.confirm("u4", confirming)
    command = HoldSeats("c-late", "u2", ("B-6", "B-3", "B-2", "B-5"))
    decision = assert_unchanged_by(desk, command, T0 + 1)
    assert_rejected(
        decision, ErrorCode.SEATS_UNAVAILABLE, unavailable_seat_ids=["B-6", "B-2", "B-5"]
    )
    assert decision.holding_id is None


def test_a_users_own_held_seat_is_unavailable_to_them_too(desk: Desk) -> None:
    desk.held("u1", "B-2")
    decision = desk.hold("u1", "B-2", "B-3")
    assert_rejected(decision, ErrorCode.SEATS_UNAVAILABLE, unavailable_seat_ids=["B-2"])


def test_hold_of_unknown_seats_lists_them(desk: Desk) -> None:
    command = HoldSeats("c", "u1", ("B-1", "Z-9", "B-7", "b-1"))
    decision = assert_unchanged_by(desk, command, T0)
    assert_rejected(
        decision, ErrorCode.UNKNOWN_SEATS, field="seat_ids", unknown_seat_ids=["Z-9", "B-7", "b-1"]
    )


def test_hold_naming_a_seat_twice_is_refused(desk: Desk) -> None:
    decision = assert_unchanged_by(desk, HoldSeats("c", "u1", ("B-1", "B-2", "B-1")), T0)
    assert_rejected(decision, ErrorCode.DUPLICATE_SEATS, field="seat_ids")


@pytest.mark.parametrize("count", [5, 6])
def test_hold_of_more_seats_than_the_limit_is_refused(desk: Desk, count: int) -> None:
    seat_ids = tuple(f"C-{n}" for n in range(1, count + 1))
    decision = assert_unchanged_by(desk, HoldSeats("c", "u1", seat_ids), T0)
    assert_rejected(decision, ErrorCode.TOO_MANY_SEATS, field="seat_ids", limit=4)


def test_hold_of_exactly_the_limit_is_fine(desk: Desk) -> None:
    decision = desk.hold("u1", "C-1", "C-2", "C-3", "C-4")
    assert decision.rejection is None
    assert len(desk.hold_of(decision.holding_id or "").seats) == 4


def test_hold_of_no_seats_is_refused(desk: Desk) -> None:
    decision = assert_unchanged_by(desk, HoldSeats("c", "u1"), T0)
    assert_rejected(decision, ErrorCode.TOO_MANY_SEATS, field="quantity", limit=4)


def test_too_many_active_holds_per_user(desk: Desk) -> None:
    for seat in ("B-1", "B-2", "B-3"):
        desk.held("u1", seat)
    decision = assert_unchanged_by(desk, HoldSeats("c-4th", "u1", ("B-4",)), T0 + 1)
    assert_rejected(decision, ErrorCode.TOO_MANY_HOLDS, limit=3)
    assert desk.hold("u2", "B-4").rejection is None  # the limit is per user


def test_hold_limit_counts_confirming_holds_but_not_ended_or_lapsed_ones(desk: Desk) -> None:
    first = desk.held("u1", "B-1")
    second = desk.held("u1", "B-2")
    third = desk.held("u1", "B-3", now=T0 - TTL)  # lapses at T0
    desk.confirm("u1", first)
    assert desk.state.live_holds_of("u1", T0) == 2
    assert desk.hold("u1", "B-4").rejection is None  # the lapsed third one does not count
    assert_rejected(desk.hold("u1", "B-5"), ErrorCode.TOO_MANY_HOLDS)
    desk.cancel_hold("u1", second)
    assert desk.hold("u1", "B-5").rejection is None
    desk.pay(first)  # confirmed: a booking no longer counts as an active hold
    assert desk.hold_of(first).status is HoldStatus.CONFIRMED
    assert desk.hold("u1", "B-6").rejection is None
    assert desk.hold_of(third).status is HoldStatus.HELD  # lapsed, never expired


def test_the_user_limit_comes_before_seat_checks(desk: Desk) -> None:
    for seat in ("B-1", "B-2", "B-3"):
        desk.held("u1", seat)
    assert_rejected(desk.hold("u1", "Z-1"), ErrorCode.TOO_MANY_HOLDS)


def test_lapsed_hold_does_not_block_and_is_expired_before_the_new_hold(desk: Desk) -> None:
    old = desk.held("u1", "B-1", "B-2")
    decision = desk.hold("u2", "B-2", "B-3", now=T0 + TTL, command_id="c-new")
    new = expected_holding_id("c-new")
    assert decision.rejection is None
    assert decision.events == (
        HoldExpired(old, "u1", lines(desk.state, "B-1", "B-2")),
        SeatsHeld(new, "u2", lines(desk.state, "B-2", "B-3"), 80.0, T0 + TTL, T0 + 2 * TTL),
    )
    assert desk.hold_of(old).status is HoldStatus.EXPIRED
    assert desk.state.occupant == {"B-2": new, "B-3": new}
    assert desk.state.seat_status("B-1", T0 + TTL) == "available"
    assert "u1" not in desk.state.live_by_user


def test_a_hold_blocks_until_the_instant_it_lapses(desk: Desk) -> None:
    desk.held("u1", "B-1")
    just_before = T0 + TTL - 0.001
    assert_rejected(desk.hold("u2", "B-1", now=just_before), ErrorCode.SEATS_UNAVAILABLE)
    assert desk.hold("u2", "B-1", now=T0 + TTL).rejection is None


def test_every_lapsed_hold_in_the_way_is_expired_once_in_holding_id_order(desk: Desk) -> None:
    first = desk.held("u1", "C-1", "C-2")
    second = desk.held("u2", "C-3")
    bystander = desk.held("u3", "C-5")
    decision = desk.hold("u4", "C-2", "C-1", "C-3", now=T0 + TTL + 5)
    expired = sorted([first, second])
    assert [type(e) for e in decision.events] == [HoldExpired, HoldExpired, SeatsHeld]
    assert [e.holding_id for e in decision.events[:2]] == expired
    assert desk.hold_of(bystander).status is HoldStatus.HELD  # lapsed but not in the way


def test_same_hold_command_again_returns_the_same_hold_and_no_events(desk: Desk) -> None:
    first = desk.hold("u1", "B-1", command_id="c-once")
    command = HoldSeats("c-once", "u1", ("B-1",))
    again = assert_unchanged_by(desk, command, T0 + 1)
    assert again == Decision(holding_id=first.holding_id)


def test_same_hold_command_returns_its_hold_even_after_the_hold_ended(desk: Desk) -> None:
    holding_id = desk.hold("u1", "B-1", command_id="c-once").holding_id or ""
    desk.cancel_hold("u1", holding_id)
    command = HoldSeats("c-once", "u1", ("C-1", "C-2"))
    again = assert_unchanged_by(desk, command, T0 + 10 * TTL)
    assert again == Decision(holding_id=holding_id)


def test_a_hold_command_id_of_another_users_hold_is_refused_and_changes_nothing(
    desk: Desk,
) -> None:
    """A hold's id derives from its command id: another user sending that id (by chance or to
    take the hold over) is refused, and neither gets nor changes the hold."""
    holding_id = desk.hold("u1", "B-1", command_id="c-mine").holding_id
    assert holding_id == expected_holding_id("c-mine")
    for seats in (("B-1",), ("C-1",)):
        decision = assert_unchanged_by(desk, HoldSeats("c-mine", "u2", seats), T0 + 1)
        rejection = assert_rejected(decision, ErrorCode.COMMAND_ID_REUSED)
        assert holding_id not in str(rejection.details)
    assert desk.hold_of(holding_id).user_id == "u1"
    assert desk.state.seat_status("C-1", T0 + 1) == "available"


def test_seats_of_a_cancelled_hold_can_be_held_again(desk: Desk) -> None:
    holding_id = desk.held("u1", "B-1")
    desk.cancel_hold("u1", holding_id)
    decision = desk.hold("u2", "B-1")
    assert [type(e) for e in decision.events] == [SeatsHeld]


# --- HoldSeats by type and quantity ----------------------------------------------------------


def test_hold_by_type_picks_that_many_seats_of_the_type(desk: Desk) -> None:
    decision = desk.hold_type("u1", "standard", 3)
    assert decision.rejection is None
    (held,) = decision.events
    assert isinstance(held, SeatsHeld)
    assert [line.seat_id for line in held.seats] == ["B-1", "B-2", "B-3"]  # front, no orphan
    assert all(line.seat_type == "standard" for line in held.seats)
    assert held.total_price == 3 * STANDARD


def test_hold_by_unknown_type_is_refused(desk: Desk) -> None:
    command = HoldSeats("c", "u1", (), "balcony", 2)
    decision = assert_unchanged_by(desk, command, T0)
    assert_rejected(
        decision,
        ErrorCode.UNKNOWN_SEAT_TYPE,
        field="seat_type",
        seat_types=["premium", "standard"],
    )


def test_hold_by_quantity_without_a_type_is_an_unknown_type(desk: Desk) -> None:
    assert_rejected(desk.hold_type("u1", None, 2), ErrorCode.UNKNOWN_SEAT_TYPE)


def test_hold_by_type_when_too_few_are_free(desk: Desk) -> None:
    desk.held("u1", "A-1", "A-2", "A-3")
    command = HoldSeats("c", "u2", (), "premium", 4)
    decision = assert_unchanged_by(desk, command, T0)
    assert_rejected(decision, ErrorCode.NOT_ENOUGH_SEATS, seat_type="premium", quantity=4)
    assert desk.hold_type("u2", "premium", 3).rejection is None  # exactly enough
    assert_rejected(desk.hold_type("u3", "premium", 1), ErrorCode.NOT_ENOUGH_SEATS)


@pytest.mark.parametrize("quantity", [0, 5])
def test_hold_by_type_quantity_outside_the_limit(desk: Desk, quantity: int) -> None:
    decision = desk.hold_type("u1", "standard", quantity)
    assert_rejected(decision, ErrorCode.TOO_MANY_SEATS, field="quantity", limit=4)


def test_hold_by_type_takes_lapsed_seats_expiring_their_hold_first(desk: Desk) -> None:
    old = desk.held("u1", "A-1", "A-2", "A-3", "A-4")
    desk.held("u2", "A-5", "A-6", now=T0 + TTL)  # free seats: old is not in the way
    decision = desk.hold_type("u3", "premium", 4, now=T0 + TTL)
    assert decision.rejection is None
    assert decision.events[0] == HoldExpired(
        old, "u1", lines(desk.state, "A-1", "A-2", "A-3", "A-4")
    )
    held = decision.events[1]
    assert isinstance(held, SeatsHeld)
    assert {line.seat_id for line in held.seats} == {"A-1", "A-2", "A-3", "A-4"}


def test_seat_ids_win_over_type_and_quantity(desk: Desk) -> None:
    decision = desk.send(HoldSeats("c", "u1", ("B-1",), "premium", 3))
    held = decision.events[0]
    assert isinstance(held, SeatsHeld)
    assert [line.seat_id for line in held.seats] == ["B-1"]


# --- ConfirmHold -----------------------------------------------------------------------------


def test_confirm_requests_payment_and_is_pending(desk: Desk) -> None:
    holding_id = desk.held("u1", "A-1", "B-1")
    decision = desk.confirm("u1", holding_id, T0 + 5, token="tok-1")
    assert decision == Decision(
        events=(PaymentRequested(holding_id, "u1", PREMIUM + STANDARD, "tok-1", 1),),
        holding_id=holding_id,
        pending=True,
    )
    hold = desk.hold_of(holding_id)
    assert hold.status is HoldStatus.CONFIRMING
    assert hold.payment_attempt == 1
    assert desk.state.seat_status("A-1", T0 + 5) == "held"


def test_confirming_again_is_pending_with_no_events(desk: Desk) -> None:
    holding_id = desk.held("u1", "B-1")
    desk.confirm("u1", holding_id)
    again = assert_unchanged_by(desk, ConfirmHold("c-again", "u1", holding_id, "tok"), T0 + 1)
    assert again == Decision(holding_id=holding_id, pending=True)


def test_confirming_a_confirmed_hold_returns_it_with_no_events(desk: Desk) -> None:
    holding_id = desk.held("u1", "B-1")
    desk.confirm("u1", holding_id)
    desk.pay(holding_id)
    again = assert_unchanged_by(desk, ConfirmHold("c-again", "u1", holding_id, "tok"), T0 + 1)
    assert again == Decision(holding_id=holding_id)


def test_confirming_a_lapsed_hold_expires_it(desk: Desk) -> None:
    holding_id = desk.held("u1", "B-1", "B-2")
    decision = desk.confirm("u1", holding_id, T0 + TTL)
    assert_rejected(
        decision,
        ErrorCode.HOLD_EXPIRED,
        events=(HoldExpired(holding_id, "u1", lines(desk.state, "B-1", "B-2")),),
    )
    assert desk.hold_of(holding_id).status is HoldStatus.EXPIRED
    assert desk.state.occupant == {}
    again = assert_unchanged_by(desk, ConfirmHold("c", "u1", holding_id, "t"), T0 + TTL)
    assert_rejected(again, ErrorCode.HOLD_EXPIRED)


def test_confirming_a_cancelled_hold_is_refused(desk: Desk) -> None:
    holding_id = desk.held("u1", "B-1")
    desk.cancel_hold("u1", holding_id)
    decision = assert_unchanged_by(desk, ConfirmHold("c", "u1", holding_id, "t"), T0)
    assert_rejected(decision, ErrorCode.HOLD_ENDED)


def test_confirming_a_cancelled_hold_after_its_ttl_is_still_hold_ended(desk: Desk) -> None:
    holding_id = desk.held("u1", "B-1")
    desk.cancel_hold("u1", holding_id)
    decision = desk.confirm("u1", holding_id, T0 + 2 * TTL)
    assert_rejected(decision, ErrorCode.HOLD_ENDED)


@pytest.mark.parametrize("holding_id", ["other-users", "unknown", "garbage"])
def test_confirming_someone_elses_or_an_unknown_hold_is_not_found(
    desk: Desk, holding_id: str
) -> None:
    owned = desk.held("u1", "B-1")
    target = {"other-users": owned, "unknown": expected_holding_id("nope"), "garbage": "x"}
    command = ConfirmHold("c", "u2", target[holding_id], "t")
    decision = assert_unchanged_by(desk, command, T0)
    assert_rejected(decision, ErrorCode.HOLD_NOT_FOUND, holding_id=target[holding_id])


# --- RecordPayment ---------------------------------------------------------------------------


def confirming(desk: Desk, user: str = "u1", *seat_ids: str, now: float = T0) -> str:
    holding_id = desk.held(user, *(seat_ids or ("B-1", "B-2")), now=now)
    assert desk.confirm(user, holding_id, now).pending
    return holding_id


def test_payment_succeeded_confirms_the_hold_as_a_booking(desk: Desk) -> None:
    holding_id = confirming(desk)
    decision = desk.pay(holding_id, "succeeded", T0 + 30, charge_id="ch_42")
    booking_id = ids.booking_id_for(holding_id)
    assert decision == Decision(
        events=(
            HoldConfirmed(
                holding_id=holding_id,
                booking_id=booking_id,
                user_id="u1",
                seats=lines(desk.state, "B-1", "B-2"),
                amount=2 * STANDARD,
                charge_id="ch_42",
                confirmed_at=T0 + 30,
            ),
        ),
        holding_id=holding_id,
    )
    hold = desk.hold_of(holding_id)
    assert hold.status is HoldStatus.CONFIRMED
    assert (hold.booking_id, hold.charge_id) == (booking_id, "ch_42")
    assert desk.state.seat_status("B-1", T0 + 10 * TTL) == "booked"
    assert desk.state.occupant == {"B-1": holding_id, "B-2": holding_id}
    assert desk.state.live_by_user == {}
    assert desk.state.live_holds_of("u1", T0 + 30) == 0


def test_payment_succeeded_without_a_charge_id(desk: Desk) -> None:
    holding_id = confirming(desk)
    decision = desk.pay(holding_id, charge_id=None)
    confirmed = decision.events[0]
    assert isinstance(confirmed, HoldConfirmed)
    assert confirmed.charge_id == ""


def test_payment_declined_puts_the_hold_back_and_it_can_be_confirmed_again(desk: Desk) -> None:
    holding_id = confirming(desk)
    decision = desk.pay(holding_id, "declined", T0 + 10, message="insufficient funds")
    assert decision.events == (
        PaymentDeclined(holding_id, "u1", 2 * STANDARD, "insufficient funds"),
    )
    assert decision.holding_id == holding_id
    assert decision.rejection == Rejection(
        ErrorCode.PAYMENT_DECLINED, "the payment was declined", {"holding_id": holding_id}
    )
    assert not decision.pending
    hold = desk.hold_of(holding_id)
    assert hold.status is HoldStatus.HELD
    assert desk.state.seat_status("B-1", T0 + 10) == "held"
    again = desk.confirm("u1", holding_id, T0 + 20, token="tok-2")
    assert again.events == (PaymentRequested(holding_id, "u1", 2 * STANDARD, "tok-2", 2),)
    assert again.pending
    assert desk.pay(holding_id, now=T0 + 25).rejection is None
    assert desk.hold_of(holding_id).status is HoldStatus.CONFIRMED


def test_payment_error_fails_and_puts_the_hold_back(desk: Desk) -> None:
    holding_id = confirming(desk)
    decision = desk.pay(holding_id, "error", T0 + 10, message="timeout")
    assert decision.events == (PaymentFailed(holding_id, "u1", 2 * STANDARD, "timeout"),)
    assert decision.rejection is not None
    assert decision.rejection.code is ErrorCode.PAYMENT_UNAVAILABLE
    assert decision.rejection.details == {"holding_id": holding_id}
    assert desk.hold_of(holding_id).status is HoldStatus.HELD
    assert desk.confirm("u1", holding_id, T0 + 11).events[0] == PaymentRequested(
        holding_id, "u1", 2 * STANDARD, "tok", 2
    )


@pytest.mark.parametrize(
    ("outcome", "failure", "code"),
    [
        ("declined", PaymentDeclined, ErrorCode.PAYMENT_DECLINED),
        ("error", PaymentFailed, ErrorCode.PAYMENT_UNAVAILABLE),
    ],
)
@pytest.mark.parametrize("late", [0.0, 1.0, 5 * TTL])
def test_payment_failing_after_the_ttl_also_expires_the_hold(
    desk: Desk,
    outcome: Literal["declined", "error"],
    failure: type,
    code: ErrorCode,
    late: float,
) -> None:
    holding_id = confirming(desk)
    decision = desk.pay(holding_id, outcome, T0 + TTL + late, message="no")
    assert decision.rejection is not None and decision.rejection.code is code
    assert decision.events == (
        failure(holding_id, "u1", 2 * STANDARD, "no"),
        HoldExpired(holding_id, "u1", lines(desk.state, "B-1", "B-2")),
    )
    assert desk.hold_of(holding_id).status is HoldStatus.EXPIRED
    assert desk.state.occupant == {} and desk.state.live_by_user == {}
    assert desk.hold("u2", "B-1", now=T0 + TTL + late).rejection is None


def test_payment_succeeding_long_after_the_ttl_still_confirms(desk: Desk) -> None:
    holding_id = confirming(desk)
    decision = desk.pay(holding_id, now=T0 + 100 * TTL)
    assert decision.rejection is None
    assert [type(e) for e in decision.events] == [HoldConfirmed]


def _stale_target(desk: Desk, kind: str) -> str:
    if kind == "unknown":
        return expected_holding_id("never-sent")
    holding_id = desk.held("u1", "B-1")
    if kind == "held":
        return holding_id
    if kind == "cancelled":
        desk.cancel_hold("u1", holding_id)
    elif kind == "expired":
        desk.expire(holding_id, T0 + TTL)
    elif kind == "declined":
        desk.confirm("u1", holding_id)
        desk.pay(holding_id, "declined")
    elif kind in ("confirmed", "booking_cancelled"):
        desk.confirm("u1", holding_id)
        desk.pay(holding_id)
        if kind == "booking_cancelled":
            desk.cancel_booking("u1", ids.booking_id_for(holding_id))
    return holding_id


@pytest.mark.parametrize(
    "kind",
    ["unknown", "held", "cancelled", "expired", "declined", "confirmed", "booking_cancelled"],
)
@pytest.mark.parametrize("outcome", ["succeeded", "declined", "error"])
def test_a_payment_for_a_hold_not_confirming_is_stale_and_changes_nothing(
    desk: Desk, kind: str, outcome: Literal["succeeded", "declined", "error"]
) -> None:
    holding_id = _stale_target(desk, kind)
    command = RecordPayment("c-stale", holding_id, outcome, 1, "ch_9")
    decision = assert_unchanged_by(desk, command, T0 + 2 * TTL)
    assert_rejected(decision, ErrorCode.STALE_PAYMENT)


def test_a_confirming_hold_never_lapses(desk: Desk) -> None:
    holding_id = confirming(desk, "u1", "B-3")
    forever = T0 + 10**9
    state = desk.state
    assert not desk.hold_of(holding_id).lapsed(forever)
    assert not state.is_free("B-3", forever)
    assert state.seat_status("B-3", forever) == "held"
    assert state.due_expiries(forever) == []
    assert state.live_holds_of("u1", forever) == 1
    assert assert_unchanged_by(desk, ExpireHold("c-exp", holding_id), forever).events == ()
    taken = assert_unchanged_by(desk, HoldSeats("c-steal", "u2", ("B-3",)), forever)
    assert_rejected(taken, ErrorCode.SEATS_UNAVAILABLE, unavailable_seat_ids=["B-3"])
    by_type = desk.hold_type("u2", "standard", 4, now=forever)
    assert by_type.rejection is None
    held = by_type.events[-1]
    assert isinstance(held, SeatsHeld) and "B-3" not in {line.seat_id for line in held.seats}
    assert_rejected(desk.cancel_hold("u1", holding_id, forever), ErrorCode.PAYMENT_IN_PROGRESS)
    assert desk.confirm("u1", holding_id, forever) == Decision(holding_id=holding_id, pending=True)


def test_a_redelivered_payment_outcome_does_not_settle_a_later_attempt(desk: Desk) -> None:
    """The outcome of attempt 1, delivered again while attempt 2 is being charged, is stale."""
    holding_id = confirming(desk)
    first_outcome = RecordPayment("pay-attempt-1", holding_id, "declined", 1, None, "declined")
    desk.send(first_outcome, T0 + 1)
    assert desk.confirm("u1", holding_id, T0 + 2).events[0] == PaymentRequested(
        holding_id, "u1", 2 * STANDARD, "tok", 2
    )
    redelivered = decide(desk.state, first_outcome, T0 + 3)
    assert redelivered.events == (), "a redelivered outcome of attempt 1 settled attempt 2"
    assert desk.hold_of(holding_id).status is HoldStatus.CONFIRMING


# --- CancelHold ------------------------------------------------------------------------------


def test_cancel_hold_frees_its_seats(desk: Desk) -> None:
    holding_id = desk.held("u1", "A-1", "A-2")
    decision = desk.cancel_hold("u1", holding_id, T0 + 1)
    assert decision == Decision(
        events=(HoldCancelled(holding_id, "u1", lines(desk.state, "A-1", "A-2")),),
        holding_id=holding_id,
    )
    assert desk.hold_of(holding_id).status is HoldStatus.CANCELLED
    assert desk.state.occupant == {} and desk.state.live_by_user == {}
    assert desk.state.seat_status("A-1", T0 + 1) == "available"


def test_cancel_hold_after_a_declined_payment(desk: Desk) -> None:
    holding_id = confirming(desk)
    desk.pay(holding_id, "declined")
    assert desk.cancel_hold("u1", holding_id).rejection is None
    assert desk.hold_of(holding_id).status is HoldStatus.CANCELLED


def test_cancel_a_confirming_hold_is_payment_in_progress(desk: Desk) -> None:
    holding_id = confirming(desk)
    decision = assert_unchanged_by(desk, CancelHold("c", "u1", holding_id), T0 + 1)
    assert_rejected(decision, ErrorCode.PAYMENT_IN_PROGRESS)


def test_cancel_a_confirmed_hold_is_hold_ended_and_names_the_booking(desk: Desk) -> None:
    booking_id = desk.booked("u1", "B-1")
    holding_id = ids.holding_id_of_booking(booking_id)
    decision = assert_unchanged_by(desk, CancelHold("c", "u1", holding_id), T0 + 1)
    assert_rejected(decision, ErrorCode.HOLD_ENDED, booking_id=booking_id)


def test_cancel_a_lapsed_hold_expires_it(desk: Desk) -> None:
    holding_id = desk.held("u1", "B-1")
    decision = desk.cancel_hold("u1", holding_id, T0 + TTL)
    assert_rejected(
        decision,
        ErrorCode.HOLD_EXPIRED,
        events=(HoldExpired(holding_id, "u1", lines(desk.state, "B-1")),),
    )
    assert desk.hold_of(holding_id).status is HoldStatus.EXPIRED
    again = assert_unchanged_by(desk, CancelHold("c", "u1", holding_id), T0 + TTL)
    assert_rejected(again, ErrorCode.HOLD_EXPIRED)


def test_cancel_an_expired_hold(desk: Desk) -> None:
    holding_id = desk.held("u1", "B-1")
    desk.expire(holding_id, T0 + TTL)
    decision = assert_unchanged_by(desk, CancelHold("c", "u1", holding_id), T0 + TTL)
    assert_rejected(decision, ErrorCode.HOLD_EXPIRED)


def test_cancel_a_hold_twice(desk: Desk) -> None:
    holding_id = desk.held("u1", "B-1")
    desk.cancel_hold("u1", holding_id)
    decision = assert_unchanged_by(desk, CancelHold("c", "u1", holding_id), T0)
    assert_rejected(decision, ErrorCode.HOLD_ENDED)


def test_cancel_someone_elses_hold_is_not_found(desk: Desk) -> None:
    holding_id = desk.held("u1", "B-1")
    decision = assert_unchanged_by(desk, CancelHold("c", "u2", holding_id), T0)
    assert_rejected(decision, ErrorCode.HOLD_NOT_FOUND, holding_id=holding_id)
    assert desk.hold_of(holding_id).status is HoldStatus.HELD


# --- CancelBooking ---------------------------------------------------------------------------


def test_holder_cancels_a_booking_and_the_seats_are_free_again(desk: Desk) -> None:
    booking_id = desk.booked("u1", "A-1", "A-2")
    holding_id = ids.holding_id_of_booking(booking_id)
    decision = desk.cancel_booking("u1", booking_id, T0 + 50)
    assert decision == Decision(
        events=(
            BookingCancelled(
                booking_id=booking_id,
                holding_id=holding_id,
                user_id="u1",
                seats=lines(desk.state, "A-1", "A-2"),
                amount=2 * PREMIUM,
                refund_id=f"rf_{holding_id.rsplit('-h', 1)[1]}",
                by_admin=False,
            ),
        ),
        holding_id=holding_id,
    )
    hold = desk.hold_of(holding_id)
    assert hold.status is HoldStatus.CONFIRMED and hold.booking_cancelled
    assert hold.refund_id == f"rf_{holding_id.rsplit('-h', 1)[1]}"
    assert not hold.occupies_seats()
    assert desk.state.occupant == {}
    assert desk.state.seat_status("A-1", T0 + 50) == "available"
    assert desk.hold("u2", "A-1", "A-2", now=T0 + 50).rejection is None


def test_admin_cancels_someone_elses_booking(desk: Desk) -> None:
    booking_id = desk.booked("u1", "B-1")
    decision = desk.cancel_booking("admin", booking_id, as_admin=True)
    assert decision.rejection is None
    (cancelled,) = decision.events
    assert isinstance(cancelled, BookingCancelled)
    assert cancelled.by_admin is True
    assert cancelled.user_id == "u1"  # the booking's holder, not the admin
    assert desk.state.occupant == {}


def test_another_user_cannot_cancel_a_booking(desk: Desk) -> None:
    booking_id = desk.booked("u1", "B-1")
    command = CancelBooking("c", "u2", booking_id)
    decision = assert_unchanged_by(desk, command, T0)
    assert_rejected(decision, ErrorCode.BOOKING_NOT_FOUND, booking_id=booking_id)


@pytest.mark.parametrize("as_admin", [False, True])
def test_cancel_a_booking_twice(desk: Desk, as_admin: bool) -> None:
    booking_id = desk.booked("u1", "B-1")
    desk.cancel_booking("u1", booking_id)
    command = CancelBooking("c", "u1", booking_id, as_admin)
    decision = assert_unchanged_by(desk, command, T0)
    assert_rejected(decision, ErrorCode.BOOKING_ALREADY_CANCELLED)


@pytest.mark.parametrize(
    "kind", ["held", "confirming", "cancelled", "unknown", "a hold id", "garbage", "other event"]
)
@pytest.mark.parametrize("as_admin", [False, True])
def test_cancel_a_booking_that_does_not_exist(desk: Desk, kind: str, as_admin: bool) -> None:
    holding_id = desk.held("u1", "B-1")
    if kind == "confirming":
        desk.confirm("u1", holding_id)
    elif kind == "cancelled":
        desk.cancel_hold("u1", holding_id)
    booking_id = {
        "unknown": ids.booking_id_for(expected_holding_id("nope")),
        "a hold id": holding_id,
        "garbage": "not-a-booking",
        "other event": ids.booking_id_for(holding_id.replace(EVENT_ID, "f" * 32)),
    }.get(kind, ids.booking_id_for(holding_id))
    command = CancelBooking("c", "u1", booking_id, as_admin)
    decision = assert_unchanged_by(desk, command, T0)
    assert_rejected(decision, ErrorCode.BOOKING_NOT_FOUND, booking_id=booking_id)


# --- ExpireHold ------------------------------------------------------------------------------


def test_expire_before_time_does_nothing(desk: Desk) -> None:
    holding_id = desk.held("u1", "B-1")
    decision = assert_unchanged_by(desk, ExpireHold("c", holding_id), T0 + TTL - 1)
    assert decision == Decision(holding_id=holding_id)


@pytest.mark.parametrize("after", [0.0, 0.5, 10 * TTL])
def test_expire_after_time_expires_the_hold(desk: Desk, after: float) -> None:
    holding_id = desk.held("u1", "B-1", "B-2")
    decision = desk.expire(holding_id, T0 + TTL + after)
    assert decision == Decision(
        events=(HoldExpired(holding_id, "u1", lines(desk.state, "B-1", "B-2")),),
        holding_id=holding_id,
    )
    assert desk.hold_of(holding_id).status is HoldStatus.EXPIRED
    assert desk.state.occupant == {} and desk.state.live_by_user == {}
    assert desk.state.due_expiries(T0 + TTL + after) == []


@pytest.mark.parametrize("kind", ["cancelled", "expired", "confirmed", "booking_cancelled"])
def test_expire_an_ended_hold_does_nothing(desk: Desk, kind: str) -> None:
    holding_id = _stale_target(desk, kind)
    decision = assert_unchanged_by(desk, ExpireHold("c", holding_id), T0 + 5 * TTL)
    assert decision == Decision(holding_id=holding_id)


def test_expire_an_unknown_hold_does_nothing(desk: Desk) -> None:
    decision = assert_unchanged_by(desk, ExpireHold("c", "nope"), T0)
    assert decision == Decision(holding_id="nope")


# --- state queries ---------------------------------------------------------------------------


def test_seat_status_through_a_holds_life(desk: Desk) -> None:
    state = desk.state
    assert state.seat_status("B-1", T0) == "available"
    holding_id = desk.held("u1", "B-1")
    assert state.seat_status("B-1", T0) == "held"
    assert state.seat_status("B-1", T0 + TTL - 1) == "held"
    assert state.seat_status("B-1", T0 + TTL) == "available"  # lapsed, not yet expired
    assert state.holder_of("B-1") is desk.hold_of(holding_id)
    desk.confirm("u1", holding_id, T0 + 1)
    assert state.seat_status("B-1", T0 + TTL) == "held"
    desk.pay(holding_id, now=T0 + 2)
    assert state.seat_status("B-1", T0 + 10 * TTL) == "booked"
    desk.cancel_booking("u1", ids.booking_id_for(holding_id))
    assert state.seat_status("B-1", T0) == "available"
    assert state.holder_of("B-1") is None
    assert state.seat_status("B-2", T0) == "available"


def test_is_free(desk: Desk) -> None:
    desk.held("u1", "B-1")
    assert not desk.state.is_free("B-1", T0)
    assert desk.state.is_free("B-1", T0 + TTL)
    assert desk.state.is_free("B-2", T0)


def test_live_holds_of(desk: Desk) -> None:
    state = desk.state
    assert state.live_holds_of("u1", T0) == 0
    early = desk.held("u1", "B-1", now=T0 - 100)
    desk.held("u1", "B-2")
    other = desk.held("u2", "B-3")
    assert state.live_holds_of("u1", T0) == 2
    assert state.live_holds_of("u1", T0 + TTL - 100) == 1  # the early one has lapsed
    assert state.live_holds_of("u1", T0 + TTL) == 0
    desk.confirm("u1", early, T0)
    assert state.live_holds_of("u1", T0 + TTL) == 1  # confirming: never lapses
    desk.cancel_hold("u2", other)
    assert state.live_holds_of("u2", T0) == 0
    assert "u2" not in state.live_by_user


def test_due_expiries_lists_only_lapsed_held_holds(desk: Desk) -> None:
    state = desk.state
    lapsing = desk.held("u1", "B-1", now=T0 - TTL)
    also = desk.held("u2", "B-2", now=T0 - TTL - 5)
    desk.held("u3", "B-3")  # still in time
    paying = confirming(desk, "u4", "B-4", now=T0 - 2 * TTL)
    ended = desk.held("u5", "B-5", now=T0 - 2 * TTL)
    desk.cancel_hold("u5", ended, T0 - 2 * TTL)
    assert sorted(state.due_expiries(T0)) == sorted([lapsing, also])
    assert state.due_expiries(T0 - 3) == [also]
    assert state.due_expiries(T0 - 3 * TTL) == []
    for holding_id in state.due_expiries(T0):
        desk.expire(holding_id, T0)
    assert state.due_expiries(T0) == []
    assert desk.hold_of(paying).status is HoldStatus.CONFIRMING


def test_live_holds_lists_held_and_confirming(desk: Desk) -> None:
    held = desk.held("u1", "B-1")
    paying = confirming(desk, "u1", "B-2")
    booked = ids.holding_id_of_booking(desk.booked("u2", "B-3"))
    assert {h.holding_id for h in desk.state.live_holds()} == {held, paying}
    assert booked not in {h.holding_id for h in desk.state.live_holds()}


# --- ids -------------------------------------------------------------------------------------


def test_new_id_is_32_hex_and_fresh() -> None:
    made = {ids.new_id() for _ in range(100)}
    assert len(made) == 100
    assert all(ids.is_event_id(value) for value in made)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (EVENT_ID, True),
        ("f" * 32, True),
        (EVENT_ID.upper(), False),
        (EVENT_ID[:-1], False),
        (EVENT_ID + "0", False),
        ("", False),
        ("g" * 32, False),
        (f"{EVENT_ID}-h{'0' * 20}", False),
    ],
)
def test_is_event_id(value: str, ok: bool) -> None:
    assert ids.is_event_id(value) is ok


def test_holding_id_is_derived_from_the_command_id() -> None:
    holding_id = ids.holding_id_for(EVENT_ID, "cmd-1")
    assert holding_id == expected_holding_id("cmd-1")
    assert holding_id == ids.holding_id_for(EVENT_ID, "cmd-1")
    assert holding_id != ids.holding_id_for(EVENT_ID, "cmd-2")
    assert ids.event_of(holding_id) == EVENT_ID
    assert ids.event_of(ids.holding_id_for("f" * 32, "cmd-1")) == "f" * 32


def test_booking_and_holding_ids_round_trip() -> None:
    holding_id = ids.holding_id_for(EVENT_ID, "cmd-1")
    booking_id = ids.booking_id_for(holding_id)
    assert booking_id != holding_id
    assert booking_id.startswith(f"{EVENT_ID}-b")
    assert ids.holding_id_of_booking(booking_id) == holding_id
    assert ids.booking_id_for(ids.holding_id_of_booking(booking_id)) == booking_id
    assert ids.event_of(booking_id) == EVENT_ID


@pytest.mark.parametrize("bad", ["", "x", EVENT_ID, f"{EVENT_ID}-x{'0' * 20}"])
def test_booking_id_for_a_non_hold_id_raises(bad: str) -> None:
    with pytest.raises(ValueError, match="not a hold id"):
        ids.booking_id_for(bad)
    with pytest.raises(ValueError, match="not a booking id"):
        ids.holding_id_of_booking(bad)


def test_kinds_do_not_mix() -> None:
    holding_id = ids.holding_id_for(EVENT_ID, "c")
    with pytest.raises(ValueError, match="not a booking id"):
        ids.holding_id_of_booking(holding_id)
    with pytest.raises(ValueError, match="not a hold id"):
        ids.booking_id_for(ids.booking_id_for(holding_id))


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "nonsense",
        EVENT_ID,
        f"{EVENT_ID}-h",
        f"{EVENT_ID}-h{'0' * 19}",
        f"{EVENT_ID}-h{'0' * 21}",
        f"{EVENT_ID}-x{'0' * 20}",
        f"{EVENT_ID}-H{'0' * 20}",
        f"{EVENT_ID.upper()}-h{'0' * 20}",
        f"{EVENT_ID}h{'0' * 20}",
        f" {EVENT_ID}-h{'0' * 20}",
        f"{EVENT_ID}-h{'0' * 20} ",
    ],
)
def test_event_of_bad_input_is_none(bad: str) -> None:
    assert ids.event_of(bad) is None


def test_ids_refuse_a_trailing_newline() -> None:
    """An id with a trailing newline is not an id (a `$` pattern would accept it)."""
    holding_id = ids.holding_id_for(EVENT_ID, "c")
    assert ids.is_event_id(EVENT_ID + "\n") is False
    assert ids.event_of(holding_id + "\n") is None
    with pytest.raises(ValueError):
        ids.holding_id_of_booking(ids.booking_id_for(holding_id) + "\n")


def capped(desk: Desk, user: str, cap: int, *seat_ids: str, now: float = T0) -> Decision:
    """A partner's hold: bounded by `cap` seats held at once instead of a count of holds."""
    return desk.send(HoldSeats(desk.cid(), user, seat_ids, seat_cap=cap), now)


def test_a_seat_cap_bounds_seats_held_at_once_not_holds(desk: Desk) -> None:
    for seat in ("B-1", "B-2", "B-3", "B-4"):  # more holds than the per-user limit of 3
        assert capped(desk, "p1", 5, seat).rejection is None
    decision = assert_unchanged_by(desk, HoldSeats("c-over", "p1", ("B-5", "B-6"), seat_cap=5), T0)
    assert_rejected(decision, ErrorCode.SEAT_LIMIT, limit=5, held=4)
    assert capped(desk, "p1", 5, "B-5").rejection is None  # exactly the cap is fine


def test_a_seat_cap_counts_confirming_holds_but_not_lapsed_or_booked_ones(desk: Desk) -> None:
    paid = capped(desk, "p1", 3, "B-1").holding_id
    paying = capped(desk, "p1", 3, "B-2").holding_id
    capped(desk, "p1", 3, "B-3", now=T0 - TTL)  # lapses at T0
    assert paid and paying
    desk.confirm("p1", paid)
    desk.pay(paid)
    desk.confirm("p1", paying)
    assert desk.state.live_seats_of("p1", T0) == 1
    assert capped(desk, "p1", 3, "B-4", "B-5").rejection is None
    assert_rejected(capped(desk, "p1", 3, "B-6"), ErrorCode.SEAT_LIMIT)


def test_a_customer_ref_is_kept_on_the_hold(desk: Desk) -> None:
    decision = desk.send(HoldSeats("c-ref", "p1", ("B-1",), customer_ref="order-9"), T0)
    assert decision.holding_id is not None
    assert decision.events[-1].customer_ref == "order-9"  # type: ignore[union-attr]
    assert desk.hold_of(decision.holding_id).customer_ref == "order-9"


def test_a_hold_before_the_sale_opens_is_refused_and_changes_nothing(desk: Desk) -> None:
    desk.state.sale_starts_at = T0 + 60
    decision = assert_unchanged_by(desk, HoldSeats("c-early", "u1", ("B-1",)), T0)
    assert_rejected(decision, ErrorCode.SALE_NOT_STARTED, sale_starts_at=T0 + 60)
    partner = HoldSeats("c-partner", "p1", ("B-1",), seat_cap=50)  # partners wait too
    assert_rejected(assert_unchanged_by(desk, partner, T0 + 59.9), ErrorCode.SALE_NOT_STARTED)
    assert desk.hold("u1", "B-1", now=T0 + 60).rejection is None  # open from that moment
