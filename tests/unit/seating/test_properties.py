"""Random command histories against one small event, checking invariants after every step.

(a) no seat is taken by two holds, recomputed from the holds alone, and `occupant` (and
    `live_by_user`) agree with that recomputation;
(b) every hold gets at most one terminal event and its status matches it; a cancelled
    booking releases its seats; events for a hold come in a possible order;
(c) a refusal carries no events but time-driven HoldExpired (and, for a failed payment, the
    PaymentDeclined / PaymentFailed that puts the hold back);
(d) decide does not change the state;
(e) a hold by type gets exactly `quantity` free seats of the type, adjacent in one row when
    some row had that many adjacent free seats;
(f) after the clock passes every expiry and every due hold is expired, no seat is held by a
    HELD hold;
(g) redelivering a HoldSeats that made a hold yields that hold and no events;
and, at the end, replaying the event log into a fresh state rebuilds the same state.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

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
from seating.errors import ErrorCode
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
from seating.evolve import evolve
from seating.state import LIVE, EventSeats, HoldStatus

USERS = ("u1", "u2", "u3")
TYPES = ("standard", "premium", "vip")
TERMINAL = (HoldConfirmed, HoldCancelled, HoldExpired)
TERMINAL_STATUS = {
    HoldConfirmed: HoldStatus.CONFIRMED,
    HoldCancelled: HoldStatus.CANCELLED,
    HoldExpired: HoldStatus.EXPIRED,
}


def snapshot(state: EventSeats) -> tuple[Any, ...]:
    """Everything decide could change, copied (hold fields are immutable values)."""
    return (
        state.event_id,
        state.hold_ttl_seconds,
        state.max_seats_per_hold,
        state.max_active_holds_per_user,
        dict(state.seats),
        {holding_id: dict(vars(hold)) for holding_id, hold in state.holds.items()},
        dict(state.occupant),
        {user: frozenset(live) for user, live in state.live_by_user.items()},
        {seat_type: [tuple(row) for row in rows] for seat_type, rows in state.rows.items()},
    )


def adjacent_runs(state: EventSeats, seat_type: str, free: set[str]) -> list[list[int]]:
    """Runs of consecutive free seat numbers, row by row, for one type."""
    runs: list[list[int]] = []
    for row in state.rows.get(seat_type, []):
        current: list[int] = []
        for seat in row:
            if seat.seat_id in free and current and seat.number == current[-1] + 1:
                current.append(seat.number)
            else:
                if current:
                    runs.append(current)
                current = [seat.number] if seat.seat_id in free else []
        if current:
            runs.append(current)
    return runs


@dataclass
class HoldLog:
    """What happened to one hold, from its events."""

    events: list[Event] = field(default_factory=list)

    def terminal(self) -> list[Event]:
        return [e for e in self.events if isinstance(e, TERMINAL)]


class SeatingMachine(RuleBasedStateMachine):
    build: ClassVar[Callable[..., EventSeats]]

    def __init__(self) -> None:
        super().__init__()
        self.state: EventSeats | None = None
        self.now = 1_000.0
        self.counter = 0
        self.log: list[Event] = []
        self.holds: dict[str, HoldLog] = {}
        self.made_by: dict[str, tuple[HoldSeats, str]] = {}  # command id -> (command, hold)

    # --- plumbing ----------------------------------------------------------------------------

    @property
    def s(self) -> EventSeats:
        assert self.state is not None
        return self.state

    def cid(self) -> str:
        self.counter += 1
        return f"cmd-{self.counter}"

    def step(self, command: Command) -> Decision:
        state, now = self.s, self.now
        before = snapshot(state)
        lapsed = {h for h, hold in state.holds.items() if hold.lapsed(now)}
        free = {seat_id for seat_id in state.seats if state.is_free(seat_id, now)}
        statuses = {h: hold.status for h, hold in state.holds.items()}
        decision = decide(state, command, now)
        assert snapshot(state) == before, "decide changed the state"  # (d)
        self.check_refusal(command, decision, lapsed, statuses)  # (c)
        self.check_expiries(command, decision, lapsed, statuses)
        if isinstance(command, HoldSeats):
            self.check_hold(command, decision, free)  # (e)
        for event in decision.events:
            evolve(state, event)
            self.log.append(event)
            self.holds.setdefault(event.holding_id, HoldLog()).events.append(event)
        return decision

    def check_refusal(
        self,
        command: Command,
        decision: Decision,
        lapsed: set[str],
        statuses: dict[str, HoldStatus],
    ) -> None:
        if decision.rejection is None:
            return
        assert not decision.pending
        events = list(decision.events)
        if decision.rejection.code in (ErrorCode.PAYMENT_DECLINED, ErrorCode.PAYMENT_UNAVAILABLE):
            assert isinstance(command, RecordPayment)
            assert command.outcome == ("declined" if events and isinstance(
                events[0], PaymentDeclined) else "error")
            assert isinstance(events[0], PaymentDeclined | PaymentFailed)
            assert statuses.get(command.holding_id) is HoldStatus.CONFIRMING
            events = events[1:]
        assert all(isinstance(e, HoldExpired) for e in events), decision

    def check_expiries(
        self,
        command: Command,
        decision: Decision,
        lapsed: set[str],
        statuses: dict[str, HoldStatus],
    ) -> None:
        """Only time expires a hold: it was held and lapsed, or its payment failed late."""
        for event in decision.events:
            if not isinstance(event, HoldExpired):
                continue
            if event.holding_id in lapsed:
                continue
            assert isinstance(command, RecordPayment), (command, event)
            assert command.outcome in ("declined", "error")
            assert statuses[event.holding_id] is HoldStatus.CONFIRMING
            assert self.now >= self.s.holds[event.holding_id].expires_at

    def check_hold(self, command: HoldSeats, decision: Decision, free: set[str]) -> None:
        held = [e for e in decision.events if isinstance(e, SeatsHeld)]
        if decision.rejection is not None:
            assert not held
            return
        assert decision.holding_id == ids.holding_id_for(self.s.event_id, command.command_id)
        if command.command_id in self.made_by:
            return
        assert len(held) == 1 and decision.events[-1] is held[0]
        seats = [line.seat_id for line in held[0].seats]
        assert set(seats) <= free, "a hold took a seat that was not free"
        assert held[0].expires_at == self.now + self.s.hold_ttl_seconds
        if command.seat_ids:
            assert tuple(seats) == command.seat_ids
        else:
            assert command.seat_type is not None
            assert len(seats) == command.quantity == len(set(seats))
            assert {self.s.seats[s].seat_type for s in seats} == {command.seat_type}
            runs = adjacent_runs(self.s, command.seat_type, free)
            if any(len(run) >= command.quantity for run in runs):
                rows = {self.s.seats[s].row for s in seats}
                numbers = sorted(self.s.seats[s].number for s in seats)
                assert len(rows) == 1, f"not one row: {seats}"
                assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), seats
        self.made_by[command.command_id] = (command, held[0].holding_id)

    def pick_hold(self, data: st.DataObject, status: frozenset[HoldStatus] | None = None) -> str:
        known = sorted(self.s.holds)
        preferred = [h for h in known if status is None or self.s.holds[h].status in status]
        bogus = ids.holding_id_for(self.s.event_id, "never-sent")
        return data.draw(
            st.sampled_from(preferred or [bogus]) | st.sampled_from([*known, bogus, "junk"])
        )

    def pick_user(self, data: st.DataObject, holding_id: str) -> str:
        owner = self.s.holds[holding_id].user_id if holding_id in self.s.holds else "u1"
        return data.draw(st.sampled_from([owner, owner, owner, *USERS]))

    # --- rules -------------------------------------------------------------------------------

    @initialize(
        rows=st.lists(st.integers(1, 4), min_size=2, max_size=4, unique=True).map(
            lambda numbers: [str(n) for n in numbers]
        )
        | st.permutations(["A", "B", "C", "AA"]).flatmap(
            lambda labels: st.integers(2, 4).map(lambda n: labels[:n])
        ),
        types=st.lists(st.sampled_from(TYPES), min_size=2, max_size=3, unique=True),
        data=st.data(),
        ttl=st.integers(2, 10),
        max_seats=st.integers(1, 4),
        max_holds=st.integers(1, 3),
    )
    def venue(
        self,
        rows: list[str],
        types: list[str],
        data: st.DataObject,
        ttl: int,
        max_seats: int,
        max_holds: int,
    ) -> None:
        per_row = data.draw(st.lists(st.integers(2, 6), min_size=len(rows), max_size=len(rows)))
        row_types = data.draw(
            st.lists(st.sampled_from(types), min_size=len(rows), max_size=len(rows))
        )
        self.state = type(self).build(
            rows=rows,
            seats_per_row=per_row,
            seat_types=row_types,
            ttl=ttl,
            max_seats=max_seats,
            max_holds=max_holds,
        )
        self.types = types

    @rule(seconds=st.sampled_from([0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0]))
    def tick(self, seconds: float) -> None:
        self.now += seconds

    @precondition(lambda self: any(h.expires_at > self.now for h in self.s.holds.values()))
    @rule(data=st.data())
    def tick_to_an_expiry(self, data: st.DataObject) -> None:
        """Land exactly on a hold's expiry: the boundary where it lapses."""
        ahead = sorted({h.expires_at for h in self.s.holds.values() if h.expires_at > self.now})
        self.now = data.draw(st.sampled_from(ahead))

    @rule(data=st.data(), user=st.sampled_from(USERS))
    def hold_seats(self, data: st.DataObject, user: str) -> None:
        seat_ids = sorted(self.s.seats)
        wanted = data.draw(
            st.lists(st.sampled_from(seat_ids), min_size=1, max_size=4, unique=True)
            | st.lists(st.sampled_from([*seat_ids, "Z-9"]), min_size=0, max_size=5)
        )
        self.step(HoldSeats(self.cid(), user, tuple(wanted)))

    @rule(
        data=st.data(),
        user=st.sampled_from(USERS),
        quantity=st.integers(1, 4) | st.integers(0, 6),
    )
    def hold_by_type(self, data: st.DataObject, user: str, quantity: int) -> None:
        seat_type = data.draw(st.sampled_from([*self.types, "balcony"]))
        self.step(HoldSeats(self.cid(), user, (), seat_type, quantity))

    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        holding_id = self.pick_hold(data, frozenset({HoldStatus.HELD}))
        user = self.pick_user(data, holding_id)
        decision = self.step(ConfirmHold(self.cid(), user, holding_id, "tok"))
        if decision.events:
            assert isinstance(decision.events[0], PaymentRequested | HoldExpired)

    @rule(data=st.data(), outcome=st.sampled_from(["succeeded", "declined", "error"]))
    def record_payment(self, data: st.DataObject, outcome: Any) -> None:
        holding_id = self.pick_hold(data, frozenset({HoldStatus.CONFIRMING}))
        was = self.s.holds[holding_id].status if holding_id in self.s.holds else None
        decision = self.step(RecordPayment(self.cid(), holding_id, outcome, "ch", "msg"))
        if was is not HoldStatus.CONFIRMING:
            assert decision.rejection is not None
            assert decision.rejection.code is ErrorCode.STALE_PAYMENT
            assert decision.events == ()

    @rule(data=st.data())
    def cancel_hold(self, data: st.DataObject) -> None:
        holding_id = self.pick_hold(data, frozenset({HoldStatus.HELD}))
        self.step(CancelHold(self.cid(), self.pick_user(data, holding_id), holding_id))

    @rule(data=st.data(), as_admin=st.booleans())
    def cancel_booking(self, data: st.DataObject, as_admin: bool) -> None:
        holding_id = self.pick_hold(data, frozenset({HoldStatus.CONFIRMED}))
        user = self.pick_user(data, holding_id)
        try:
            booking_id = ids.booking_id_for(holding_id)
        except ValueError:
            booking_id = holding_id
        self.step(CancelBooking(self.cid(), user, booking_id, as_admin))

    @rule(data=st.data())
    def expire(self, data: st.DataObject) -> None:
        holding_id = self.pick_hold(data, LIVE)
        was_lapsed = holding_id in self.s.holds and self.s.holds[holding_id].lapsed(self.now)
        decision = self.step(ExpireHold(self.cid(), holding_id))
        assert decision.rejection is None
        assert len(decision.events) == (1 if was_lapsed else 0)

    @rule()
    def sweep(self) -> None:
        """(f): past every expiry, expire whatever is due; no HELD hold keeps a seat."""
        latest = max((h.expires_at for h in self.s.holds.values()), default=self.now)
        self.now = max(self.now, latest)
        for holding_id in self.s.due_expiries(self.now):
            self.step(ExpireHold(self.cid(), holding_id))
        assert self.s.due_expiries(self.now) == []
        for seat_id, holding_id in self.s.occupant.items():
            assert self.s.holds[holding_id].status is not HoldStatus.HELD, seat_id
        assert all(h.status is not HoldStatus.HELD for h in self.s.live_holds())

    @precondition(lambda self: bool(self.made_by))
    @rule(data=st.data())
    def redeliver_hold(self, data: st.DataObject) -> None:
        """(g): the same HoldSeats again maps to its hold and changes nothing."""
        command_id = data.draw(st.sampled_from(sorted(self.made_by)))
        command, holding_id = self.made_by[command_id]
        decision = self.step(command)
        assert decision.events == ()
        assert decision.rejection is None
        assert decision.holding_id == holding_id

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def seats_are_taken_once_and_occupant_agrees(self) -> None:  # (a)
        if self.state is None:
            return
        taken: dict[str, str] = {}
        live: dict[str, set[str]] = {}
        for holding_id, hold in self.s.holds.items():
            occupying = hold.status in LIVE or (
                hold.status is HoldStatus.CONFIRMED and not hold.booking_cancelled
            )
            if occupying:
                for seat_id in hold.seat_ids:
                    assert seat_id not in taken, f"{seat_id} in {taken[seat_id]} and {holding_id}"
                    taken[seat_id] = holding_id
            if hold.status in LIVE:
                live.setdefault(hold.user_id, set()).add(holding_id)
        assert taken == self.s.occupant
        assert live == self.s.live_by_user

    @invariant()
    def each_hold_ends_at_most_once_and_status_follows(self) -> None:  # (b)
        if self.state is None:
            return
        assert set(self.holds) == set(self.s.holds)
        for holding_id, log in self.holds.items():
            hold = self.s.holds[holding_id]
            assert isinstance(log.events[0], SeatsHeld)
            assert not any(isinstance(e, SeatsHeld) for e in log.events[1:])
            terminal = log.terminal()
            assert len(terminal) <= 1, f"{holding_id}: {terminal}"
            if terminal:
                assert hold.status is TERMINAL_STATUS[type(terminal[-1])]
                after = log.events[log.events.index(terminal[-1]) + 1 :]
                if isinstance(terminal[-1], HoldConfirmed):
                    assert all(isinstance(e, BookingCancelled) for e in after)
                else:
                    assert after == []
            else:
                assert hold.status in LIVE
            cancellations = [e for e in log.events if isinstance(e, BookingCancelled)]
            assert len(cancellations) <= 1
            assert hold.booking_cancelled == bool(cancellations)
            if cancellations:
                assert not any(self.s.occupant.get(s) == holding_id for s in hold.seat_ids)
            else:
                assert hold.refund_id is None
            requested = sum(isinstance(e, PaymentRequested) for e in log.events)
            answered = sum(
                isinstance(e, PaymentDeclined | PaymentFailed | HoldConfirmed) for e in log.events
            )
            assert hold.payment_attempt == requested
            assert answered in (requested, requested - 1)
            assert (hold.status is HoldStatus.CONFIRMING) == (answered == requested - 1)

    def teardown(self) -> None:
        if self.state is None:
            return
        rebuilt = self.build(
            rows=sorted({s.row for s in self.s.seats.values()}),
            seats_per_row={
                row: n
                for row, n in Counter(s.row for s in self.s.seats.values()).items()
            },
            seat_types={s.row: s.seat_type for s in self.s.seats.values()},
            ttl=self.s.hold_ttl_seconds,
            max_seats=self.s.max_seats_per_hold,
            max_holds=self.s.max_active_holds_per_user,
        )
        assert rebuilt.seats == self.s.seats
        for event in self.log:
            evolve(rebuilt, event)
        assert rebuilt == self.s, "replaying the event log does not rebuild the state"
        assert copy.deepcopy(rebuilt) == rebuilt


def test_random_histories_keep_the_invariants(make_event: Callable[..., EventSeats]) -> None:
    class Machine(SeatingMachine):
        build = staticmethod(make_event)

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=300,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
