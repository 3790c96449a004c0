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
(h) the occupied-seat counts per row, the expiry heap and the due expiries read from it agree
    with the holds, and
    best-available with the counts picks what it picks reading every seat;
and, at the end, replaying the event log into a fresh state rebuilds the same state, and so does
restoring every hold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from seating import best_available, ids
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
        dict(state.occupied_in_row),
        list(state.expiries),
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


@dataclass(frozen=True)
class Venue:
    rows: list[str]
    seats_per_row: list[int]
    seat_types: list[str]
    ttl: int
    max_seats: int
    max_holds: int


@st.composite
def venues(draw: st.DrawFn) -> Venue:
    """2-4 rows (numbered or lettered, in any order), 2-6 seats a row, 2-3 seat types."""
    rows = draw(
        st.lists(st.sampled_from(["1", "2", "3", "10"]), min_size=2, max_size=4, unique=True)
        | st.lists(st.sampled_from(["A", "B", "C", "AA"]), min_size=2, max_size=4, unique=True)
    )
    types = draw(st.lists(st.sampled_from(TYPES), min_size=2, max_size=3, unique=True))
    return Venue(
        rows=rows,
        seats_per_row=draw(st.lists(st.integers(2, 6), min_size=len(rows), max_size=len(rows))),
        seat_types=draw(st.lists(st.sampled_from(types), min_size=len(rows), max_size=len(rows))),
        ttl=draw(st.integers(2, 10)),
        max_seats=draw(st.integers(2, 4)),
        max_holds=draw(st.integers(1, 3)),
    )


Kind = Literal[
    "tick",
    "tick_to_expiry",
    "hold",
    "hold_type",
    "confirm",
    "pay",
    "cancel_hold",
    "cancel_booking",
    "expire",
    "sweep",
    "redeliver",
]
WEIGHTS: dict[Kind, int] = {
    "tick": 3,
    "tick_to_expiry": 1,
    "hold": 3,
    "hold_type": 2,
    "confirm": 3,
    "pay": 3,
    "cancel_hold": 1,
    "cancel_booking": 2,
    "expire": 1,
    "sweep": 1,
    "redeliver": 1,
}
WEIGHTED_KINDS: list[Kind] = [kind for kind, weight in WEIGHTS.items() for _ in range(weight)]


@dataclass(frozen=True)
class Op:
    """One step; the numbers pick seats, targets, users and outcomes among what exists."""

    kind: Kind
    user: str
    picks: tuple[int, ...]
    knob: int

    def pick(self, index: int, default: int = 0) -> int:
        return self.picks[index] if index < len(self.picks) else default


def decode(kind: Kind, code: int) -> Op:
    """One integer to the op's numbers: few draws per op keep long histories fast to make."""
    knob, code = code % 100, code // 100
    user, code = USERS[code % len(USERS)], code // len(USERS)
    count, code = code % 6, code // 6
    picks = tuple((code >> (6 * i)) & 63 for i in range(count))
    return Op(kind, user, picks, knob)


ops = st.builds(decode, st.sampled_from(WEIGHTED_KINDS), st.integers(0, 1800 * 64**5 - 1))
TICKS = (0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0)
OUTCOMES: tuple[Literal["succeeded", "declined", "error"], ...] = (
    "succeeded",
    "declined",
    "error",
)


class History:
    """Runs ops against one event, checking every decision and the invariants after each."""

    def __init__(self, state: EventSeats) -> None:
        self.s = state
        self.types = sorted(state.rows)
        self.now = 1_000.0
        self.counter = 0
        self.log: list[Event] = []
        self.holds: dict[str, HoldLog] = {}
        self.made_by: dict[str, tuple[HoldSeats, str]] = {}  # command id -> (command, hold)

    # --- plumbing ----------------------------------------------------------------------------

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
        self.check_refusal(command, decision, statuses)  # (c)
        self.check_expiries(command, decision, lapsed, statuses)
        if isinstance(command, HoldSeats):
            self.check_hold(command, decision, free)  # (e)
        for event in decision.events:
            evolve(state, event)
            self.log.append(event)
            self.holds.setdefault(event.holding_id, HoldLog()).events.append(event)
        self.check_invariants()
        return decision

    def check_refusal(
        self, command: Command, decision: Decision, statuses: dict[str, HoldStatus]
    ) -> None:
        if decision.rejection is None:
            return
        assert not decision.pending
        events = list(decision.events)
        if decision.rejection.code in (ErrorCode.PAYMENT_DECLINED, ErrorCode.PAYMENT_UNAVAILABLE):
            assert isinstance(command, RecordPayment)
            assert command.outcome != "succeeded"
            failure = PaymentDeclined if command.outcome == "declined" else PaymentFailed
            assert events and isinstance(events[0], failure), decision
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
            if not isinstance(event, HoldExpired) or event.holding_id in lapsed:
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

    def check_invariants(self) -> None:
        self.seats_are_taken_once_and_occupant_agrees()
        self.each_hold_ends_at_most_once_and_status_follows()
        self.row_counts_and_expiry_heap_agree()

    def row_counts_and_expiry_heap_agree(self) -> None:  # (h)
        counted: dict[tuple[str, str], int] = {}
        for seat_id in self.s.occupant:
            seat = self.s.seats[seat_id]
            counted[(seat.seat_type, seat.row)] = counted.get((seat.seat_type, seat.row), 0) + 1
        assert {k: v for k, v in self.s.occupied_in_row.items() if v} == counted
        held = [h for h in self.s.holds.values() if h.status is HoldStatus.HELD]
        for now in (self.now, self.now + 30, self.now + 3600):
            lapsed = {h.holding_id for h in held if h.lapsed(now)}
            assert self.s.none_lapsed(now) == (not lapsed)
            assert sorted(self.s.due_expiries(now)) == sorted(lapsed)
        if not self.s.none_lapsed(self.now):
            return
        is_free = lambda s: self.s.is_free(s, self.now)  # noqa: E731
        for rows in self.s.rows.values():
            for quantity in (1, 2, 3, 5):
                counted_rows = best_available.choose(rows, quantity, is_free, self.s.free_in_row)
                assert counted_rows == best_available.choose(rows, quantity, is_free)

    def seats_are_taken_once_and_occupant_agrees(self) -> None:  # (a)
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

    def each_hold_ends_at_most_once_and_status_follows(self) -> None:  # (b)
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
            if cancellations:  # a cancelled booking gave its seats back
                assert all(self.s.occupant.get(s) != holding_id for s in hold.seat_ids)
            requested = sum(isinstance(e, PaymentRequested) for e in log.events)
            answered = sum(
                isinstance(e, PaymentDeclined | PaymentFailed | HoldConfirmed) for e in log.events
            )
            assert hold.payment_attempt == requested
            assert answered in (requested, requested - 1)
            assert (hold.status is HoldStatus.CONFIRMING) == (answered == requested - 1)

    def replay_rebuilds(self, fresh: EventSeats) -> None:
        for event in self.log:
            evolve(fresh, event)
        assert fresh == self.s, "replaying the event log does not rebuild the state"

    def restore_rebuilds(self, fresh: EventSeats) -> None:
        """Restoring every hold (as a worker does from storage) rebuilds the indexes."""
        for hold in self.s.holds.values():
            fresh.restore(hold)
        assert (fresh.occupant, fresh.live_by_user) == (self.s.occupant, self.s.live_by_user)
        self.s, before = fresh, self.s
        self.row_counts_and_expiry_heap_agree()
        self.s = before

    # --- choosing among what exists ----------------------------------------------------------

    def target(self, op: Op, *statuses: HoldStatus) -> str:
        """Mostly a hold in one of `statuses`; sometimes any hold, an unknown one, or junk."""
        known = sorted(self.s.holds)
        preferred = [h for h in known if self.s.holds[h].status in statuses]
        if preferred and op.knob < 80:
            return preferred[op.pick(0) % len(preferred)]
        anything = [*known, ids.holding_id_for(self.s.event_id, "never-sent"), "junk"]
        return anything[op.pick(0) % len(anything)]

    def actor(self, op: Op, holding_id: str) -> str:
        """Mostly the holder, sometimes the op's user."""
        hold = self.s.holds.get(holding_id)
        return hold.user_id if hold is not None and op.pick(1, op.knob) % 10 < 8 else op.user

    # --- ops ---------------------------------------------------------------------------------

    def run(self, op: Op) -> None:
        getattr(self, f"op_{op.kind}")(op)

    def op_tick(self, op: Op) -> None:
        self.now += TICKS[op.knob % len(TICKS)]

    def op_tick_to_expiry(self, op: Op) -> None:
        """Land exactly on a hold's expiry: the instant it lapses."""
        ahead = sorted({h.expires_at for h in self.s.holds.values() if h.expires_at > self.now})
        if ahead:
            self.now = ahead[op.knob % len(ahead)]

    def op_hold(self, op: Op) -> None:
        seat_ids = sorted(self.s.seats)
        if op.knob < 85:  # distinct, known seats within the limit
            wanted = list(dict.fromkeys(seat_ids[p % len(seat_ids)] for p in op.picks))
            wanted = wanted[: self.s.max_seats_per_hold] or [seat_ids[op.knob % len(seat_ids)]]
        else:  # anything: none, duplicates, unknown seats, too many
            choices = [*seat_ids, "Z-9"]
            wanted = [choices[p % len(choices)] for p in op.picks]
        self.step(HoldSeats(self.cid(), op.user, tuple(wanted)))

    def op_hold_type(self, op: Op) -> None:
        seat_type = self.types[op.pick(0) % len(self.types)] if op.knob < 92 else "balcony"
        quantity = 1 + op.knob % 3 if op.knob < 80 else op.knob % 7
        self.step(HoldSeats(self.cid(), op.user, (), seat_type, quantity))

    def op_confirm(self, op: Op) -> None:
        holding_id = self.target(op, HoldStatus.HELD)
        decision = self.step(ConfirmHold(self.cid(), self.actor(op, holding_id), holding_id, "t"))
        if decision.pending:
            assert decision.rejection is None
            assert self.s.holds[holding_id].status is HoldStatus.CONFIRMING

    def op_pay(self, op: Op) -> None:
        holding_id = self.target(op, HoldStatus.CONFIRMING)
        hold = self.s.holds.get(holding_id)
        was = hold.status if hold is not None else None
        outcome = OUTCOMES[op.knob % len(OUTCOMES)]
        attempt = hold.payment_attempt if hold is not None else 1
        decision = self.step(RecordPayment(self.cid(), holding_id, outcome, attempt, "ch", "msg"))
        if was is not HoldStatus.CONFIRMING:
            assert decision.rejection is not None
            assert decision.rejection.code is ErrorCode.STALE_PAYMENT
            assert decision.events == ()
        elif outcome == "succeeded":
            assert self.s.holds[holding_id].status is HoldStatus.CONFIRMED
        else:
            assert self.s.holds[holding_id].status in (HoldStatus.HELD, HoldStatus.EXPIRED)

    def op_cancel_hold(self, op: Op) -> None:
        holding_id = self.target(op, HoldStatus.HELD)
        self.step(CancelHold(self.cid(), self.actor(op, holding_id), holding_id))

    def op_cancel_booking(self, op: Op) -> None:
        holding_id = self.target(op, HoldStatus.CONFIRMED)
        try:
            booking_id = ids.booking_id_for(holding_id)
        except ValueError:
            booking_id = holding_id
        command = CancelBooking(
            self.cid(), self.actor(op, holding_id), booking_id, op.knob % 2 == 0
        )
        self.step(command)

    def op_expire(self, op: Op) -> None:
        holding_id = self.target(op, *LIVE)
        hold = self.s.holds.get(holding_id)
        was_lapsed = hold is not None and hold.lapsed(self.now)
        decision = self.step(ExpireHold(self.cid(), holding_id))
        assert decision.rejection is None
        assert len(decision.events) == (1 if was_lapsed else 0)

    def op_sweep(self, op: Op) -> None:
        """(f): past every expiry, expire whatever is due; then no HELD hold keeps a seat."""
        latest = max((h.expires_at for h in self.s.holds.values()), default=self.now)
        self.now = max(self.now, latest) + (op.knob % 2) * 0.25
        for holding_id in self.s.due_expiries(self.now):
            self.step(ExpireHold(self.cid(), holding_id))
        assert self.s.due_expiries(self.now) == []
        for seat_id, holding_id in self.s.occupant.items():
            assert self.s.holds[holding_id].status is not HoldStatus.HELD, seat_id
        assert all(h.status is not HoldStatus.HELD for h in self.s.live_holds())

    def op_redeliver(self, op: Op) -> None:
        """(g): a HoldSeats that made a hold, again: that hold, no events."""
        if not self.made_by:
            return
        command, holding_id = self.made_by[sorted(self.made_by)[op.knob % len(self.made_by)]]
        decision = self.step(command)
        assert decision == Decision(holding_id=holding_id)


@settings(max_examples=300, deadline=None, database=None)
@given(venue=venues(), history=st.lists(ops, min_size=15, max_size=60))
def test_random_histories_keep_the_invariants(
    make_event: Callable[..., EventSeats], venue: Venue, history: list[Op]
) -> None:
    def fresh() -> EventSeats:
        return make_event(
            rows=venue.rows,
            seats_per_row=venue.seats_per_row,
            seat_types=venue.seat_types,
            ttl=venue.ttl,
            max_seats=venue.max_seats,
            max_holds=venue.max_holds,
        )

    run = History(fresh())
    run.check_invariants()
    for op in history:
        run.run(op)
    run.replay_rebuilds(fresh())
    run.restore_rebuilds(fresh())
