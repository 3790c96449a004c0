"""The waiting room's pure rules: the order of arrivals, ranking as they settle (an
interrupted draw included), the admission schedule and a ticket's figures."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from waitroom import order
from waitroom.order import SETTLE_SECONDS, Arrival

OPENS = 1_000_000.0


@st.composite
def arrivals(draw: st.DrawFn, max_size: int = 40) -> list[Arrival]:
    """Arrivals before and after the sale opens, with random draws (distinct tickets)."""
    offsets = draw(st.lists(st.floats(-60, 60, allow_nan=False), max_size=max_size))
    return [
        Arrival(
            ticket_id=f"{i:032x}",
            user_id=f"u{i}",
            joined_at=OPENS + offset,
            lottery=draw(st.integers(0, (1 << order.LOTTERY_BITS) - 1)),
        )
        for i, offset in enumerate(offsets)
    ]


def ids(items: list[Arrival]) -> list[str]:
    return [a.ticket_id for a in items]


@given(arrivals())
def test_pre_sale_joiners_come_first_in_draw_order_then_first_come_first_served(
    items: list[Arrival],
) -> None:
    ranked = order.next_ranks(items, OPENS, now=OPENS + 1000)
    assert sorted(ids(ranked)) == sorted(ids(items))
    pre = [a for a in ranked if a.joined_at < OPENS]
    post = [a for a in ranked if a.joined_at >= OPENS]
    assert ranked == pre + post
    assert [a.lottery for a in pre] == sorted(a.lottery for a in pre)
    assert [a.joined_at for a in post] == sorted(a.joined_at for a in post)


@given(arrivals(), st.floats(-100, SETTLE_SECONDS - 0.001))
def test_nobody_is_ranked_before_the_sale_opened_and_settled(
    items: list[Arrival], before: float
) -> None:
    assert order.next_ranks(items, OPENS, now=OPENS + before) == []


@given(arrivals(), st.lists(st.floats(0, 80), min_size=1, max_size=20))
def test_ranking_as_arrivals_settle_gives_the_order_of_all_of_them(
    items: list[Arrival], ticks: list[float]
) -> None:
    """Ranks given tick by tick (arrivals landing within the settle time, as writes do) are
    the order of the whole set: no later arrival ever gets ahead of an earlier one."""
    ranked: list[Arrival] = []
    for now in sorted(OPENS + t for t in ticks):
        landed = [a for a in items if a.joined_at + SETTLE_SECONDS * 0.9 <= now]
        unranked = [a for a in landed if a.ticket_id not in ids(ranked)]
        ranked += order.next_ranks(unranked, OPENS, now)
    ranked += order.next_ranks(
        [a for a in items if a.ticket_id not in ids(ranked)], OPENS, OPENS + 1000
    )
    assert ids(ranked) == ids(order.next_ranks(items, OPENS, OPENS + 1000))


@given(arrivals(), st.integers(0, 40))
def test_an_interrupted_draw_continues_as_it_would_have_gone(
    items: list[Arrival], written: int
) -> None:
    """A draw cut after `written` ranks, continued from what was stored, ends the same."""
    whole = order.next_ranks(items, OPENS, OPENS + 2)
    prefix = whole[:written]
    rest = order.next_ranks([a for a in items if a not in prefix], OPENS, OPENS + 2)
    assert prefix + rest == whole


@given(
    st.integers(1, 100_000),
    st.lists(st.tuples(st.floats(0.001, 5), st.integers(0, 50)), min_size=1, max_size=60),
)
def test_admission_never_comes_before_the_sale_nor_faster_than_the_rate(
    per_minute: int, steps: list[tuple[float, int]]
) -> None:
    interval = order.interval_of(per_minute)
    now, last, waiting = OPENS - 3, None, 0
    every: list[float] = []
    for step, arriving in steps:
        now += step
        waiting += arriving
        slots = order.admission_slots(last, OPENS, now, per_minute, waiting)
        assert len(slots) <= waiting
        assert all(OPENS <= s <= now for s in slots)
        every += slots
        waiting -= len(slots)
        last = slots[-1] if slots else last
    gaps = [b - a for a, b in zip(every, every[1:], strict=False)]
    assert all(g >= interval - 1e-6 for g in gaps)  # float rounding at 1e6 s


@given(st.integers(1, 6000), st.floats(1, 120))
def test_with_buyers_always_waiting_the_rate_is_kept(per_minute: int, seconds: float) -> None:
    """Ticking every 50 ms with a long queue lets in the rate's worth, spread evenly."""
    let_in, last, now = 0, None, OPENS
    while now < OPENS + seconds:
        now += 0.05
        slots = order.admission_slots(last, OPENS, now, per_minute, 10**9)
        let_in += len(slots)
        last = slots[-1] if slots else last
    expected = (now - OPENS) * per_minute / 60
    assert expected - 1 <= let_in <= expected + 1


def test_a_pause_is_not_made_up_as_a_burst() -> None:
    slots = order.admission_slots(OPENS, OPENS, OPENS + 60, 60, waiting=1000)
    assert len(slots) == 1 + int(order.MAX_CATCH_UP_SECONDS)
    assert order.admission_slots(None, OPENS, OPENS - 0.01, 60, 5) == []
    assert order.admission_slots(OPENS, OPENS, OPENS + 10, 60, 0) == []


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_position_counts_those_still_ahead(rank: int, admitted: int) -> None:
    assert order.position(rank, admitted) == max(0, rank - admitted)


@given(st.lists(st.integers(0, (1 << order.LOTTERY_BITS) - 1), min_size=1), st.integers(1, 10**6))
def test_a_pre_sale_estimate_keeps_the_draw_order_within_the_room(
    draws: list[int], joiners: int
) -> None:
    estimates = [order.presale_position(d, joiners) for d in sorted(draws)]
    assert estimates == sorted(estimates)
    assert all(0 <= e <= joiners - 1 for e in estimates)


def test_the_estimated_wait_is_the_time_to_the_sale_and_the_queue_ahead() -> None:
    assert order.estimated_wait(10, 60, OPENS, OPENS - 5) == 15.0
    assert order.estimated_wait(0, 60, OPENS, OPENS + 5) == 0.0


def test_an_arrival_reads_its_time_from_its_timeuuid() -> None:
    from cassandra.util import uuid_from_time

    stamp = uuid_from_time(OPENS + 0.25)
    row = {"joined_at": stamp, "user_id": "u", "lottery": 7, "rank": None, "admitted_at": None}
    arrival = order.arrival_of(row)
    assert abs(arrival.joined_at - (OPENS + 0.25)) < 1e-6
    assert arrival.ticket_id == stamp.hex and uuid.UUID(hex=arrival.ticket_id) == stamp


@settings(max_examples=50)
@given(arrivals(max_size=10))
def test_presale_is_before_the_opening(items: list[Arrival]) -> None:
    for a in items:
        assert order.presale(a, OPENS) == (a.joined_at < OPENS)


def test_neighbouring_draws_keep_their_order() -> None:
    """63-bit draws one apart (equal as floats) are still drawn in order (hypothesis found
    them tied, the ticket id deciding)."""
    big = (1 << order.LOTTERY_BITS) - 512
    later_ticket = Arrival(ticket_id="a" * 32, user_id="u1", joined_at=OPENS - 1, lottery=big + 1)
    earlier_ticket = Arrival(ticket_id="b" * 32, user_id="u2", joined_at=OPENS - 1, lottery=big)
    ranked = order.next_ranks([later_ticket, earlier_ticket], OPENS, now=OPENS + 10)
    assert [a.lottery for a in ranked] == [big, big + 1]
