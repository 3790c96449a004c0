"""Random histories of holds, payments, cancellations, expiries, joins and leaves with clock
moves, against one small event with a waiting list, checking after every decision:

(a) no seat is in two holds that occupy it (recomputed from the holds alone);
(b) offers go strictly in line order among the entries that fit: replaying the line with the
    number of seats the decision left free, in order, predicts exactly the entries offered;
(c) an entry is offered at most once, its offered hold is a hold for its user of its seat type
    and quantity, and its status follows that hold (offered while live, booked, lapsed, left);
(d) afterwards no waiting entry fits in the seats left free (seats that fit nobody are on sale);
(e) a buyer never takes a seat of a lapsed hold while someone waits for its type;
(f) decide changes nothing; a redelivered command decides nothing new;
and, at the end, past every hold time with every due expiry decided, every entry is waiting
(not fitting), booked, lapsed or left; replaying the log rebuilds the state, and so does
restoring every hold and entry."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

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
from seating.entries import WaitStatus
from seating.events import Event, SeatsHeld, WaitlistOffered
from seating.evolve import evolve
from seating.state import LIVE, EventSeats, HoldStatus

USERS = ("u1", "u2", "u3", "u4", "u5")
KINDS = (
    "tick",
    "hold",
    "hold",
    "hold_ids",
    "join",
    "join",
    "leave",
    "confirm",
    "pay",
    "cancel",
    "cancel",
    "cancel_booking",
    "expire",
    "redeliver",
)
STATUS_OF_HOLD = {
    HoldStatus.CONFIRMED: WaitStatus.BOOKED,
    HoldStatus.EXPIRED: WaitStatus.LAPSED,
    HoldStatus.CANCELLED: WaitStatus.LEFT,
}


@dataclass(frozen=True)
class Op:
    kind: str
    user: str
    a: int
    b: int


ops = st.builds(
    Op, st.sampled_from(KINDS), st.sampled_from(USERS), st.integers(0, 99), st.integers(0, 99)
)


class History:
    def __init__(self, state: EventSeats) -> None:
        self.s = state
        self.now = 1_000.0
        self.n = 0
        self.log: list[Event] = []
        self.made: list[Command] = []  # joins that made an entry, expiries that expired
        self.types = sorted(state.rows)

    def cid(self) -> str:
        self.n += 1
        return f"c{self.n}"

    def unoccupied(self, seat_type: str) -> int:
        return sum(
            1
            for s in self.s.seats.values()
            if s.seat_type == seat_type and s.seat_id not in self.s.occupant
        )

    def step(self, command: Command) -> Decision:
        state, now = self.s, self.now
        before = copy.deepcopy(state)
        lapsed = {h for h, hold in state.holds.items() if hold.lapsed(now)}
        waited = {t for t, line in state.queue.items() if line}
        decision = decide(state, command, now)
        assert state == before, "decide changed the state"  # (f)
        if isinstance(command, JoinWaitlist | ExpireHold) and decision.events:
            self.made.append(command)
        first_offer = next(
            (i for i, e in enumerate(decision.events) if isinstance(e, WaitlistOffered)), None
        )
        offered_at = len(decision.events) if first_offer is None else first_offer - 1
        for index, event in enumerate(decision.events):
            if index == offered_at:
                self.check_offers_in_order(decision.events[index:])  # (b)
            if isinstance(event, SeatsHeld) and not isinstance(
                decision.events[index + 1 : index + 2] and decision.events[index + 1],
                WaitlistOffered,
            ):
                for line in event.seats:  # (e)
                    holder = state.occupant.get(line.seat_id)
                    if holder in lapsed:
                        assert state.seats[line.seat_id].seat_type not in waited, line
            evolve(state, event)
            self.log.append(event)
        if offered_at == len(decision.events):
            self.check_offers_in_order(())
        self.check_invariants()
        return decision

    def check_offers_in_order(self, tail: tuple[Event, ...] | list[Event]) -> None:
        """(b): the entries a decision offers are those the line, in order, fits into."""
        offered = [e.waitlist_id for e in tail if isinstance(e, WaitlistOffered)]
        assert len(tail) == 2 * len(offered), tail  # only offers after the first
        expected: list[str] = []
        for seat_type, line in self.s.queue.items():
            free = self.unoccupied(seat_type)
            for waitlist_id in line:
                quantity = self.s.waitlist[waitlist_id].quantity
                if quantity <= free:
                    expected.append(waitlist_id)
                    free -= quantity
        if not offered:
            assert expected == [], "someone who fits was not offered the free seats"
        else:
            assert sorted(offered) == sorted(expected)
            for seat_type in self.s.queue:
                of_type = [w for w in offered if self.s.waitlist[w].seat_type == seat_type]
                assert of_type == [w for w in expected if w in of_type], "offers out of order"

    def check_invariants(self) -> None:
        taken: dict[str, str] = {}
        for hold in self.s.holds.values():
            if hold.occupies_seats():
                for seat_id in hold.seat_ids:
                    assert seat_id not in taken, f"{seat_id} twice"  # (a)
                    taken[seat_id] = hold.holding_id
        assert taken == self.s.occupant
        offers = [e for e in self.log if isinstance(e, WaitlistOffered)]
        assert len({e.waitlist_id for e in offers}) == len(offers), "offered twice"  # (c)
        for entry in self.s.waitlist.values():
            if entry.status is WaitStatus.WAITING:
                assert entry.holding_id is None
                assert entry.quantity > self.unoccupied(entry.seat_type)  # (d)
                assert entry.waitlist_id in self.s.queue[entry.seat_type]
                continue
            assert entry.waitlist_id not in self.s.queue.get(entry.seat_type, [])
            if entry.holding_id is None:
                assert entry.status is WaitStatus.LEFT
                continue
            assert entry.holding_id == ids.offer_holding_id(entry.waitlist_id)
            hold = self.s.holds[entry.holding_id]
            assert hold.user_id == entry.user_id
            assert len(hold.seats) == entry.quantity
            assert {line.seat_type for line in hold.seats} == {entry.seat_type}
            expected = WaitStatus.OFFERED if hold.status in LIVE else STATUS_OF_HOLD[hold.status]
            assert entry.status is expected, (entry, hold.status)

    # --- ops --------------------------------------------------------------------------------

    def pick(self, items: list[str], index: int) -> str | None:
        return items[index % len(items)] if items else None

    def run(self, op: Op) -> None:
        getattr(self, f"op_{op.kind}")(op)

    def op_tick(self, op: Op) -> None:
        self.now += (0.5, 1.0, 3.0, 7.0)[op.a % 4]

    def op_hold(self, op: Op) -> None:
        seat_type = self.types[op.a % len(self.types)]
        self.step(HoldSeats(self.cid(), op.user, (), seat_type, 1 + op.b % 3))

    def op_hold_ids(self, op: Op) -> None:
        seat_ids = sorted(self.s.seats)
        wanted = dict.fromkeys((seat_ids[op.a % len(seat_ids)], seat_ids[op.b % len(seat_ids)]))
        self.step(HoldSeats(self.cid(), op.user, tuple(wanted)))

    def op_join(self, op: Op) -> None:
        seat_type = self.types[op.a % len(self.types)]
        decision = self.step(JoinWaitlist(self.cid(), op.user, seat_type, 1 + op.b % 3))
        if decision.rejection is None:
            entry = self.s.waitlist[decision.waitlist_id or ""]
            assert (entry.user_id, entry.seat_type) == (op.user, seat_type)

    def op_leave(self, op: Op) -> None:
        waitlist_id = self.pick(sorted(self.s.waitlist), op.a)
        if waitlist_id is not None:
            holder = self.s.waitlist[waitlist_id].user_id
            user = holder if op.b < 85 else op.user
            self.step(LeaveWaitlist(self.cid(), user, waitlist_id))

    def live(self, *statuses: HoldStatus) -> list[str]:
        return sorted(h for h, hold in self.s.holds.items() if hold.status in statuses)

    def op_confirm(self, op: Op) -> None:
        holding_id = self.pick(self.live(HoldStatus.HELD), op.a)
        if holding_id is not None:
            user = self.s.holds[holding_id].user_id
            self.step(ConfirmHold(self.cid(), user, holding_id, "tok"))

    def op_pay(self, op: Op) -> None:
        holding_id = self.pick(self.live(HoldStatus.CONFIRMING), op.a)
        if holding_id is not None:
            outcome = ("succeeded", "succeeded", "declined", "error")[op.b % 4]
            attempt = self.s.holds[holding_id].payment_attempt
            self.step(RecordPayment(self.cid(), holding_id, outcome, attempt, "ch"))  # type: ignore[arg-type]

    def op_cancel(self, op: Op) -> None:
        holding_id = self.pick(self.live(HoldStatus.HELD), op.a)
        if holding_id is not None:
            self.step(CancelHold(self.cid(), self.s.holds[holding_id].user_id, holding_id))

    def op_cancel_booking(self, op: Op) -> None:
        holding_id = self.pick(self.live(HoldStatus.CONFIRMED), op.a)
        if holding_id is not None:
            user = self.s.holds[holding_id].user_id
            self.step(CancelBooking(self.cid(), user, ids.booking_id_for(holding_id)))

    def op_expire(self, op: Op) -> None:
        due = self.s.due_expiries(self.now)
        if due:
            self.step(ExpireHold(self.cid(), due[op.a % len(due)]))

    def op_redeliver(self, op: Op) -> None:
        """(f): a join or an expiry that did something, sent again, decides nothing new."""
        if self.made:
            decision = self.step(self.made[op.a % len(self.made)])
            assert decision.events == ()

    def settle(self) -> None:
        """Past every hold time: payments declined, every due expiry decided, until no hold is
        live (a decline or an expiry may offer the freed seats to the next in line, whose offer
        then needs its own hold time to pass)."""
        for _ in range(50):
            if not self.live(HoldStatus.HELD, HoldStatus.CONFIRMING):
                break
            self.now += 1_000
            for holding_id in self.live(HoldStatus.CONFIRMING):
                attempt = self.s.holds[holding_id].payment_attempt
                self.step(RecordPayment(self.cid(), holding_id, "declined", attempt))
            for holding_id in self.s.due_expiries(self.now):
                self.step(ExpireHold(self.cid(), holding_id))
        final = {WaitStatus.WAITING, WaitStatus.BOOKED, WaitStatus.LAPSED, WaitStatus.LEFT}
        unfinished = [
            (e, self.s.holds.get(e.holding_id or ""))
            for e in self.s.waitlist.values()
            if e.status not in final
        ]
        assert unfinished == [], f"not ended at {self.now}: {unfinished}"


@settings(max_examples=300, deadline=None, database=None)
@given(
    seats=st.lists(st.integers(1, 5), min_size=1, max_size=3),
    two_types=st.booleans(),
    history=st.lists(ops, min_size=10, max_size=60),
)
def test_random_histories_keep_the_waitlist_invariants(
    make_event: Callable[..., EventSeats], seats: list[int], two_types: bool, history: list[Op]
) -> None:
    rows = ["A", "B", "C"][: len(seats)]
    types = ["standard", "vip", "standard"][: len(seats)] if two_types else "standard"

    def fresh() -> EventSeats:
        return make_event(rows=rows, seats_per_row=seats, seat_types=types, ttl=5, max_holds=3)

    run = History(fresh())
    for op in history:
        run.run(op)
    run.settle()
    replayed = fresh()
    for event in run.log:
        evolve(replayed, event)
    assert replayed == run.s, "replaying the log does not rebuild the state"
    restored = fresh()
    for hold in run.s.holds.values():
        restored.restore(hold)
    for entry in run.s.waitlist.values():
        restored.restore_entry(copy.copy(entry))
    assert (restored.occupant, restored.queue, restored.offers) == (
        run.s.occupant,
        run.s.queue,
        run.s.offers,
    )
