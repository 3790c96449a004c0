"""Factories for the pure seating core.

Test modules in this directory get these helpers as fixtures (session-scoped, so hypothesis
tests may use them too) rather than by importing this module: conftest modules outside a
package all share the module name "conftest", so importing one by name is fragile.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pytest

from seating.commands import Command
from seating.decide import Decision, decide
from seating.evolve import evolve
from seating.state import EventSeats, Seat

EVENT_ID = "0123456789abcdef0123456789abcdef"
OTHER_EVENT_ID = "fedcba9876543210fedcba9876543210"
PRICES: dict[str, float] = {"standard": 40.0, "premium": 95.5, "vip": 250.0, "box": 500.25}

RowSpec = int | Sequence[str]
PerRow = int | str | Mapping[str, int] | Mapping[str, str] | Sequence[int] | Sequence[str]


def row_labels(count: int) -> list[str]:
    """A, B, ... Z, AA, AB, ... (as many as asked)."""
    letters = string.ascii_uppercase
    labels: list[str] = []
    for size in itertools.count(1):
        for combo in itertools.product(letters, repeat=size):
            if len(labels) == count:
                return labels
            labels.append("".join(combo))
    raise AssertionError("unreachable")  # pragma: no cover


def _per_row(spec: PerRow, rows: Sequence[str], name: str) -> dict[str, object]:
    if isinstance(spec, int | str):
        return dict.fromkeys(rows, spec)
    if isinstance(spec, Mapping):
        missing = set(rows) - set(spec)
        if missing:
            raise ValueError(f"{name} has no entry for rows {sorted(missing)}")
        return {row: spec[row] for row in rows}
    if len(spec) != len(rows):
        raise ValueError(f"{name} has {len(spec)} entries for {len(rows)} rows")
    return dict(zip(rows, spec, strict=True))


def make_seats(
    rows: RowSpec = 3,
    seats_per_row: PerRow = 6,
    seat_types: PerRow = "standard",
    prices: Mapping[str, float] | None = None,
) -> dict[str, Seat]:
    """Seats "{row}-{number}", numbered from 1; types and seat counts per row."""
    labels = row_labels(rows) if isinstance(rows, int) else list(rows)
    counts = _per_row(seats_per_row, labels, "seats_per_row")
    types = _per_row(seat_types, labels, "seat_types")
    price_of = {**PRICES, **(prices or {})}
    seats: dict[str, Seat] = {}
    for row in labels:
        seat_type = str(types[row])
        for number in range(1, int(str(counts[row])) + 1):
            seat_id = f"{row}-{number}"
            seats[seat_id] = Seat(seat_id, row, number, seat_type, price_of[seat_type])
    return seats


def build_event(
    rows: RowSpec = 3,
    seats_per_row: PerRow = 6,
    seat_types: PerRow = "standard",
    ttl: int = 600,
    max_seats: int = 10,
    max_holds: int = 5,
    prices: Mapping[str, float] | None = None,
    event_id: str = EVENT_ID,
) -> EventSeats:
    """An EventSeats with no holds. `rows` is a count (rows A, B, ...) or the row labels;
    `seats_per_row` and `seat_types` are one value for all rows, or one per row."""
    return EventSeats(
        event_id=event_id,
        seats=make_seats(rows, seats_per_row, seat_types, prices),
        hold_ttl_seconds=ttl,
        max_seats_per_hold=max_seats,
        max_active_holds_per_user=max_holds,
    )


def apply_command(state: EventSeats, command: Command, now: float) -> Decision:
    """Decide `command` at `now`, then evolve `state` with its events."""
    decision = decide(state, command, now)
    for event in decision.events:
        evolve(state, event)
    return decision


def seat_row(
    row: str, free: str, seat_type: str = "standard", first: int = 1
) -> tuple[list[Seat], set[str]]:
    """A row drawn as a string: '.' a free seat, 'x' a taken one, ' ' no seat (a gap in
    numbering). Returns its seats and the ids of the free ones."""
    seats: list[Seat] = []
    free_ids: set[str] = set()
    for offset, mark in enumerate(free):
        if mark == " ":
            continue
        if mark not in ".x":
            raise ValueError(f"bad seat mark {mark!r}")
        number = first + offset
        seat = Seat(f"{row}-{number}", row, number, seat_type, PRICES.get(seat_type, 1.0))
        seats.append(seat)
        if mark == ".":
            free_ids.add(seat.seat_id)
    return seats, free_ids


@dataclass(frozen=True)
class Plan:
    """Rows drawn by `seat_row`, front first, and a predicate of which seats are free."""

    rows: list[list[Seat]]
    free: frozenset[str]

    def is_free(self, seat_id: str) -> bool:
        return seat_id in self.free


def plan(drawing: Mapping[str, str] | Iterable[tuple[str, str]]) -> Plan:
    """Rows in the given order from {row: drawing}; see `seat_row`."""
    items = drawing.items() if isinstance(drawing, Mapping) else drawing
    rows: list[list[Seat]] = []
    free: set[str] = set()
    for row, marks in items:
        seats, free_ids = seat_row(row, marks)
        rows.append(seats)
        free |= free_ids
    return Plan(rows, frozenset(free))


class CommandIds:
    """Fresh, distinct command ids: cmd-1, cmd-2, ..."""

    def __init__(self, prefix: str = "cmd") -> None:
        self._prefix = prefix
        self._counter = itertools.count(1)

    def __call__(self) -> str:
        return f"{self._prefix}-{next(self._counter)}"


@pytest.fixture(scope="session")
def make_event() -> Callable[..., EventSeats]:
    return build_event


@pytest.fixture(scope="session")
def apply() -> Callable[[EventSeats, Command, float], Decision]:
    return apply_command


@pytest.fixture(scope="session")
def make_plan() -> Callable[[Mapping[str, str]], Plan]:
    return plan


@pytest.fixture(scope="session")
def event_ids() -> tuple[str, str]:
    return EVENT_ID, OTHER_EVENT_ID


@pytest.fixture
def cid() -> CommandIds:
    return CommandIds()
