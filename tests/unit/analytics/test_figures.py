"""Exact figures for a scripted scenario, duplicates, restarts, and the recount agreeing."""

from __future__ import annotations

from typing import Any

import pytest

from analytics.figures import HoldFacts
from analytics.processor import Processor
from analytics.recount import recount
from analytics.report import Row, from_rows, report
from seating import CancelBooking, CancelHold, ConfirmHold, ExpireHold, HoldSeats, RecordPayment
from seating.ids import booking_id_for
from tests.unit.analytics.script import T0, Script, venue

A = "a" * 32
B = "b" * 32
CAPACITY = {A: 12, B: 8}


def scenario() -> Script:
    """Holds, confirms, a decline then success, an expiry, cancellations, an outage; 2 events."""
    s = Script(
        {
            A: venue(A, {"A": ("VIP", 100.0), "B": ("Regular", 50.0), "C": ("Regular", 50.0)}),
            B: venue(B, {"G": ("Gold", 80.5), "F": ("Floor", 30.25)}),
        }
    )

    def hold(event: str, user: str, seats: tuple[str, ...], at: float) -> str:
        holding_id = s.run(event, HoldSeats(s.cid(), user, seats), T0 + at)
        assert holding_id
        return holding_id

    def pay(event: str, user: str, holding_id: str, outcome: Any, at: float) -> None:
        s.run(event, ConfirmHold(s.cid(), user, holding_id, "tok"), T0 + at)
        s.run(
            event,
            RecordPayment(s.cid(), holding_id, outcome, s.attempt(event, holding_id), "ch", "msg"),
            T0 + at + 0.5,
        )

    h1 = hold(A, "u1", ("A-1", "A-2"), 0)
    pay(A, "u1", h1, "succeeded", 10)
    h2 = hold(A, "u2", ("B-1", "B-2", "B-3"), 5)
    pay(A, "u2", h2, "declined", 6)
    s.run(A, ConfirmHold(s.cid(), "u2", h2, "tok"), T0 + 7)
    s.run(A, RecordPayment(s.cid(), h2, "succeeded", s.attempt(A, h2), "ch2"), T0 + 70)
    h3 = hold(A, "u3", ("A-3",), 20)
    s.run(A, ExpireHold(s.cid(), h3), T0 + 90)
    h4 = hold(A, "u1", ("B-4",), 30)
    s.run(A, CancelHold(s.cid(), "u1", h4), T0 + 31)
    s.run(A, CancelBooking(s.cid(), "u2", booking_id_for(h2)), T0 + 100)
    hold(A, "u3", ("A-3",), 95)
    h6 = hold(A, "u4", ("A-4",), 100)
    pay(A, "u4", h6, "error", 101)

    g1 = hold(B, "u1", ("G-1", "G-2", "F-1"), 0)
    pay(B, "u1", g1, "succeeded", 15)
    g2 = hold(B, "u5", ("F-2",), 20)
    pay(B, "u5", g2, "declined", 21)
    s.run(B, ExpireHold(s.cid(), g2), T0 + 200)
    return s


EXPECTED_A = {
    "capacity": 12,
    "booked": 2,
    "held": 2,
    "available": 8,
    "utilization": 0.166667,
    "revenue": 200.0,
    "gross_revenue": 350.0,
    "refunded": 150.0,
    "revenue_by_seat_type": {"VIP": 200.0},
    "holds_created": 6,
    "holds_confirmed": 2,
    "holds_expired": 1,
    "holds_cancelled": 1,
    "bookings_cancelled": 1,
    "booking_success_rate": 0.333333,
    "cancellation_rate": 0.5,
    "payment_failures": 2,
    "users": {
        "u1": {"bookings": 1, "seats": 2, "spend": 200.0, "cancellations": 0},
        "u2": {"bookings": 1, "seats": 0, "spend": 0.0, "cancellations": 1},
    },
    "per_minute": [
        {"minute": "2030-03-17T17:46:00+00:00", "bookings": 1, "revenue": 200.0},
        {"minute": "2030-03-17T17:47:00+00:00", "bookings": 1, "revenue": 150.0},
    ],
}
EXPECTED_B = {
    "booked": 3,
    "held": 0,
    "available": 5,
    "revenue": 191.25,
    "revenue_by_seat_type": {"Floor": 30.25, "Gold": 161.0},
    "holds_created": 2,
    "holds_confirmed": 1,
    "holds_expired": 1,
    "holds_cancelled": 0,
    "booking_success_rate": 0.5,
    "cancellation_rate": 0.0,
    "payment_failures": 1,
}


class Rows:
    """An in-memory stand-in for the analytics table in Cassandra."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[tuple[str, str], str]] = {}

    async def sink(self, event_id: str, rows: list[Row]) -> None:
        for kind, item, data in rows:
            self.rows.setdefault(event_id, {})[(kind, item)] = data

    def report(self, event_id: str) -> dict[str, Any]:
        tally, meta = from_rows([(k, i, d) for (k, i), d in self.rows[event_id].items()])
        return report(event_id, tally, meta["capacity"])


def processor(table: dict[str, Any], rows: Rows) -> Processor:
    async def capacity(event_id: str) -> int:
        return CAPACITY[event_id]

    return Processor(table, rows.sink, capacity)


async def feed(p: Processor, messages: list[Any]) -> None:
    for message in messages:
        await p.handle(message)


def subset(figures: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    return {k: figures[k] for k in expected}


async def test_scripted_scenario_gives_exact_figures() -> None:
    script, rows = scenario(), Rows()
    await feed(processor({}, rows), script.messages)
    a = rows.report(A)
    assert subset(a, EXPECTED_A) == EXPECTED_A
    assert a["seats"]["A-3"] == {"times_held": 2, "times_booked": 0, "conversion": 0.0}
    assert a["seats"]["B-1"] == {"times_held": 1, "times_booked": 1, "conversion": 1.0}
    assert sorted(a["seats"]) == ["A-1", "A-2", "A-3", "A-4", "B-1", "B-2", "B-3", "B-4"]
    assert subset(rows.report(B), EXPECTED_B) == EXPECTED_B


async def test_duplicates_and_redelivery_count_nothing_twice() -> None:
    script, rows = scenario(), Rows()
    doubled = [m for message in script.messages for m in (message, message)]
    await feed(processor({}, rows), doubled + script.messages[:5])
    assert subset(rows.report(A), EXPECTED_A) == EXPECTED_A


async def test_a_payment_request_that_arrives_after_its_outcome_changes_nothing() -> None:
    """A paused owner's last publish can land after the next owner's: the hold stays booked."""
    script, rows = scenario(), Rows()
    late = [m for m in script.messages if m.type == "PaymentRequested"]
    await feed(processor({}, rows), [m for m in script.messages if m not in late] + late)
    assert subset(rows.report(A), EXPECTED_A) == EXPECTED_A
    assert subset(rows.report(B), EXPECTED_B) == EXPECTED_B


@pytest.mark.parametrize("cut", [1, 7, 15, 22])
async def test_a_restart_rebuilds_from_the_hold_table(cut: int) -> None:
    """A new processor over the surviving table, fed from an earlier offset, agrees."""
    script, rows, table = scenario(), Rows(), {}
    await feed(processor(table, rows), script.messages[:cut])
    await feed(processor(table, rows), script.messages[max(cut - 3, 0) :])
    assert subset(rows.report(A), EXPECTED_A) == EXPECTED_A
    assert subset(rows.report(B), EXPECTED_B) == EXPECTED_B


async def test_the_recount_from_stored_holds_agrees() -> None:
    script, rows = scenario(), Rows()
    await feed(processor({}, rows), script.messages)
    for event_id, state in script.states.items():
        expected = report(event_id, recount(list(state.holds.values())), CAPACITY[event_id])
        assert rows.report(event_id) == expected


def test_hold_facts_survive_json() -> None:
    facts = HoldFacts("e", "h", "u", [("A-1", "VIP", 10000)], seen=["c#0"])
    assert HoldFacts.from_json(facts.to_json()) == facts
