"""best_available.choose and row ordering.

choose's documented preference: (1) adjacent seats in one row leaving no single orphan seat,
front row first; (2) else adjacent seats in the front-most row even if that leaves an orphan;
(3) else the front-most free seats, scattered; None when fewer than `quantity` are free.
Rows are drawn as strings: '.' free, 'x' taken, ' ' no seat there (a gap in numbering).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seating.best_available import choose
from seating.commands import Command, HoldSeats
from seating.decide import Decision
from seating.events import SeatsHeld
from seating.state import EventSeats, Seat, row_order

MakePlan = Callable[[Mapping[str, str]], Any]


def pick(make_plan: MakePlan, quantity: int, **rows: str) -> list[str] | None:
    drawn = make_plan(rows)
    chosen = choose(drawn.rows, quantity, drawn.is_free)
    return None if chosen is None else [seat.seat_id for seat in chosen]


# --- adjacency and centring within one row ---------------------------------------------------


def test_adjacent_seats_in_one_row(make_plan: MakePlan) -> None:
    assert pick(make_plan, 3, A="......") == ["A-1", "A-2", "A-3"]


@pytest.mark.parametrize(
    ("row", "quantity", "expected"),
    [
        (".......", 3, ["A-3", "A-4", "A-5"]),  # dead centre, two free each side
        ("........", 2, ["A-4", "A-5"]),
        (".........", 1, ["A-5"]),
        ("......", 6, ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6"]),
        ("x.....", 2, ["A-2", "A-3"]),  # centre 3.5; A-3..A-4 would strand A-2
        ("....", 4, ["A-1", "A-2", "A-3", "A-4"]),
    ],
)
def test_the_window_nearest_the_centre_leaving_no_orphan(
    make_plan: MakePlan, row: str, quantity: int, expected: list[str]
) -> None:
    assert pick(make_plan, quantity, A=row) == expected


def test_ties_go_to_the_lower_numbers(make_plan: MakePlan) -> None:
    # 1-3 and 4-6 are equally far from the centre; 2-4 and 3-5 would strand a seat
    assert pick(make_plan, 3, A="......") == ["A-1", "A-2", "A-3"]
    assert pick(make_plan, 1, A="...") == ["A-1"]  # A-2 would strand both


def test_taken_seats_are_skipped(make_plan: MakePlan) -> None:
    assert pick(make_plan, 2, A="x.x..x") == ["A-4", "A-5"]


def test_a_gap_in_numbering_breaks_adjacency(make_plan: MakePlan) -> None:
    assert pick(make_plan, 3, A=".. ..", B="...") == ["B-1", "B-2", "B-3"]
    assert pick(make_plan, 3, A=".. ..") == ["A-1", "A-2", "A-4"]  # scattered


# --- front rows first ------------------------------------------------------------------------


def test_front_row_first(make_plan: MakePlan) -> None:
    assert pick(make_plan, 2, A="..xxxx", B="......") == ["A-1", "A-2"]


def test_a_row_without_room_is_passed_over(make_plan: MakePlan) -> None:
    assert pick(make_plan, 2, A=".x.x.x", B="x.x.x.", C="..x...") == ["C-1", "C-2"]


def test_rows_are_taken_in_the_order_given(make_plan: MakePlan) -> None:
    drawn = make_plan({"C": "...", "A": "..."})
    chosen = choose(drawn.rows, 3, drawn.is_free)
    assert chosen is not None and [s.seat_id for s in chosen] == ["C-1", "C-2", "C-3"]


# --- no single orphan seat when avoidable ----------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ({"A": "....", "B": "..."}, ["B-1", "B-2", "B-3"]),  # a row of 3 over a row of 4
        ({"A": "....", "B": "....."}, ["B-1", "B-2", "B-3"]),  # a row of 5 over a row of 4
        ({"A": "....", "B": "....", "C": "..."}, ["C-1", "C-2", "C-3"]),  # however far back
        ({"A": "...", "B": "....."}, ["A-1", "A-2", "A-3"]),  # no orphan either way: front
        ({"A": "x....x", "B": "..."}, ["B-1", "B-2", "B-3"]),  # orphan next to a taken seat
        ({"A": "....x...", "B": "......"}, ["A-6", "A-7", "A-8"]),  # a later run in the row
    ],
)
def test_a_window_stranding_a_single_seat_loses_to_one_that_does_not(
    make_plan: MakePlan, rows: dict[str, str], expected: list[str]
) -> None:
    assert pick(make_plan, 3, **rows) == expected


def test_a_single_seat_goes_where_it_strands_nobody(make_plan: MakePlan) -> None:
    assert pick(make_plan, 1, A="..", B=".") == ["B-1"]


@pytest.mark.parametrize(
    ("rows", "row"),
    [
        ({"A": "....", "B": "...."}, "A"),
        ({"A": "x....", "B": "...."}, "A"),
        ({"A": ".x.x.", "B": "....", "C": "...."}, "B"),
        ({"A": "....x....", "B": "...."}, "A"),
    ],
)
def test_when_every_window_strands_a_seat_the_front_most_row_wins(
    make_plan: MakePlan, rows: dict[str, str], row: str
) -> None:
    chosen = pick(make_plan, 3, **rows)
    assert chosen is not None and len(chosen) == 3
    assert {seat_id.split("-")[0] for seat_id in chosen} == {row}
    numbers = [int(seat_id.split("-")[1]) for seat_id in chosen]
    assert numbers == list(range(numbers[0], numbers[0] + 3))


# --- scattered fallback and too few ----------------------------------------------------------


def test_scattered_front_most_seats_when_no_row_has_room(make_plan: MakePlan) -> None:
    assert pick(make_plan, 3, A=".x.x", B="x.x.", C="..x.") == ["A-1", "A-3", "B-2"]
    assert pick(make_plan, 5, A=".x.x", B="x.x.", C="..x.") == ["A-1", "A-3", "B-2", "B-4", "C-1"]


def test_exactly_enough_scattered_seats(make_plan: MakePlan) -> None:
    assert pick(make_plan, 3, A=".x.", B="x.x") == ["A-1", "A-3", "B-2"]


@pytest.mark.parametrize(
    ("rows", "quantity"),
    [({"A": ".x.", "B": "xxx"}, 3), ({"A": "xxx"}, 1), ({"A": "..."}, 4), ({}, 1), ({"A": ""}, 1)],
)
def test_none_when_too_few_are_free(
    make_plan: MakePlan, rows: dict[str, str], quantity: int
) -> None:
    assert pick(make_plan, quantity, **rows) is None


def test_only_free_seats_are_ever_chosen(make_plan: MakePlan) -> None:
    drawn = make_plan({"A": "x.x.x.x", "B": ".x.x.x."})
    asked: list[str] = []

    def is_free(seat_id: str) -> bool:
        asked.append(seat_id)
        return bool(drawn.is_free(seat_id))

    chosen = choose(drawn.rows, 4, is_free)
    assert chosen is not None and all(drawn.is_free(s.seat_id) for s in chosen)
    assert set(asked) <= {s.seat_id for row in drawn.rows for s in row}


# --- row order -------------------------------------------------------------------------------


def test_row_order_numeric_rows_by_number() -> None:
    assert sorted(["10", "2", "1", "9"], key=row_order) == ["1", "2", "9", "10"]


def test_row_order_lettered_rows_a_to_z_then_aa() -> None:
    rows = ["AA", "B", "Z", "A", "AB", "BA"]
    assert sorted(rows, key=row_order) == ["A", "B", "Z", "AA", "AB", "BA"]


def test_row_order_numeric_rows_before_lettered() -> None:
    assert sorted(["A", "2", "B", "10"], key=row_order) == ["2", "10", "A", "B"]


@pytest.mark.parametrize(
    ("rows", "front_to_back"),
    [
        (("10", "9", "1", "2"), ["1", "2", "9", "10"]),
        (("AA", "B", "A", "Z"), ["A", "B", "Z", "AA"]),
    ],
)
def test_event_rows_front_first_and_seats_by_number(
    make_event: Callable[..., EventSeats], rows: Sequence[str], front_to_back: list[str]
) -> None:
    state = make_event(rows=rows, seats_per_row=11)
    ordered = state.rows["standard"]
    assert [row[0].row for row in ordered] == front_to_back
    assert all([s.number for s in row] == list(range(1, 12)) for row in ordered)


def test_event_rows_are_split_by_seat_type(make_event: Callable[..., EventSeats]) -> None:
    state = make_event(rows=("2", "1", "3"), seats_per_row=2, seat_types=("vip", "box", "vip"))
    assert [[s.seat_id for s in row] for row in state.rows["vip"]] == [
        ["2-1", "2-2"],
        ["3-1", "3-2"],
    ]
    assert [[s.seat_id for s in row] for row in state.rows["box"]] == [["1-1", "1-2"]]


@pytest.mark.parametrize(("rows", "front"), [(("10", "2"), "2"), (("AA", "Z"), "Z")])
def test_hold_by_type_takes_the_front_row(
    make_event: Callable[..., EventSeats],
    apply: Callable[[EventSeats, Command, float], Decision],
    rows: tuple[str, str],
    front: str,
) -> None:
    state = make_event(rows=rows, seats_per_row=4)
    decision = apply(state, HoldSeats("c", "u1", (), "standard", 2), 0.0)
    held = decision.events[-1]
    assert isinstance(held, SeatsHeld)
    assert {line.seat_id.split("-")[0] for line in held.seats} == {front}


# --- against an independent oracle -----------------------------------------------------------


def _runs(row: Sequence[Seat], free: frozenset[str]) -> list[list[Seat]]:
    runs: list[list[Seat]] = []
    for seat in row:
        if seat.seat_id not in free:
            runs.append([])
        elif runs and runs[-1] and runs[-1][-1].number + 1 == seat.number:
            runs[-1].append(seat)
        else:
            runs.append([seat])
    return [run for run in runs if run]


def _clean(run_length: int, quantity: int) -> bool:
    """Whether some window of `quantity` in a run strands no single seat."""
    return run_length == quantity or run_length >= quantity + 2


row_drawing = st.text(alphabet=".x ", min_size=0, max_size=10)


@settings(max_examples=400, deadline=None, database=None)
@given(
    drawings=st.lists(row_drawing, min_size=1, max_size=4),
    quantity=st.integers(min_value=1, max_value=6),
)
def test_choose_follows_its_documented_preference(
    make_plan: MakePlan, drawings: list[str], quantity: int
) -> None:
    labels = "ABCD"
    drawn = make_plan(dict(zip(labels, drawings, strict=False)))
    free: frozenset[str] = drawn.free
    chosen = choose(drawn.rows, quantity, drawn.is_free)
    free_in_order = [s for row in drawn.rows for s in row if s.seat_id in free]
    if len(free_in_order) < quantity:
        assert chosen is None
        return
    assert chosen is not None and len(chosen) == quantity
    assert len({s.seat_id for s in chosen}) == quantity
    assert all(s.seat_id in free for s in chosen)
    runs_by_row = [_runs(row, free) for row in drawn.rows]
    clean_rows = [
        rank
        for rank, runs in enumerate(runs_by_row)
        if any(_clean(len(run), quantity) for run in runs)
    ]
    roomy_rows = [
        rank for rank, runs in enumerate(runs_by_row) if any(len(run) >= quantity for run in runs)
    ]
    if not roomy_rows:
        assert chosen == free_in_order[:quantity]
        return
    rank = clean_rows[0] if clean_rows else roomy_rows[0]
    runs = runs_by_row[rank]
    run = next((r for r in runs if chosen[0] in r), None)
    assert run is not None, "chosen seats are not in the expected row"
    offset = run.index(chosen[0])
    assert run[offset : offset + quantity] == chosen, "not adjacent"
    left, right = offset, len(run) - offset - quantity
    orphans = (left == 1) + (right == 1)
    if clean_rows:
        assert orphans == 0
        assert run is next(r for r in runs if _clean(len(r), quantity))
        row = drawn.rows[rank]
        centre = (row[0].number + row[-1].number) / 2

        def distance(start: int) -> float:
            return float(abs((run[start].number + run[start + quantity - 1].number) / 2 - centre))

        clean_starts = [
            start
            for start in range(len(run) - quantity + 1)
            if start != 1 and len(run) - start - quantity != 1
        ]
        assert distance(offset) == min(distance(start) for start in clean_starts)
    else:
        assert orphans >= 1
