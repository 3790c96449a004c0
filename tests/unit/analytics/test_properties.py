"""Random command sequences: the streamed figures equal the recount from the final holds."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.processor import Processor
from analytics.recount import recount
from analytics.report import report
from seating import CancelBooking, CancelHold, ConfirmHold, ExpireHold, HoldSeats, RecordPayment
from seating.ids import booking_id_for
from tests.unit.analytics.script import T0, Script, venue
from tests.unit.analytics.test_figures import Rows

E = "e" * 32
USERS = ("u1", "u2", "u3")
SEATS = ("A-1", "A-2", "A-3", "B-1", "B-2", "B-3")

step = st.tuples(
    st.sampled_from(["hold", "confirm", "pay", "cancel", "expire", "cancel_booking"]),
    st.sampled_from(USERS),
    st.lists(st.sampled_from(SEATS), min_size=1, max_size=3, unique=True),
    st.integers(0, 20),  # which earlier hold
    st.sampled_from(["succeeded", "declined", "error"]),
    st.integers(1, 40),  # seconds later
)


def run(steps: list[tuple]) -> Script:
    s = Script({E: venue(E, {"A": ("VIP", 99.99), "B": ("Std", 10.1)}, per_row=3)})
    holds: list[str] = []
    now = T0
    for kind, user, seats, pick, outcome, later in steps:
        now += later
        if not holds and kind != "hold":
            continue
        target = holds[pick % len(holds)] if holds else ""
        if kind == "hold":
            holding_id = s.run(E, HoldSeats(s.cid(), user, tuple(seats)), now)
            holds += [holding_id] if holding_id else []
        elif kind == "confirm":
            s.run(E, ConfirmHold(s.cid(), user, target, "tok"), now)
        elif kind == "pay":
            s.run(E, RecordPayment(s.cid(), target, outcome, s.attempt(E, target), "ch", "m"), now)
        elif kind == "cancel":
            s.run(E, CancelHold(s.cid(), user, target), now)
        elif kind == "expire":
            s.run(E, ExpireHold(s.cid(), target), now)
        else:
            s.run(E, CancelBooking(s.cid(), user, booking_id_for(target), as_admin=True), now)
    return s


@settings(max_examples=150, deadline=None)
@given(st.lists(step, max_size=40), st.integers(0, 40))
def test_stream_equals_recount(steps: list[tuple], replay_from: int) -> None:
    script, rows, table = run(steps), Rows(), {}

    async def go() -> None:
        async def capacity(_: str) -> int:
            return 6

        await _feed(Processor(table, rows.sink, capacity), script.messages)
        # a restart that re-reads part of the topic
        await _feed(Processor(table, rows.sink, capacity), script.messages[replay_from:])

    asyncio.run(go())
    if not script.messages:
        return
    expected = report(E, recount(list(script.states[E].holds.values())), 6)
    assert rows.report(E) == expected


async def _feed(p: Processor, messages: list) -> None:
    for m in messages:
        await p.handle(m)
