"""Best available seats: adjacent in one row, no single orphan seat where avoidable, front first."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from seating.state import Seat

IsFree = Callable[[str], bool]
FreeInRow = Callable[[Sequence[Seat]], int]


def _runs(row: Sequence[Seat], is_free: IsFree) -> list[list[Seat]]:
    """Maximal runs of free seats with consecutive numbers."""
    runs: list[list[Seat]] = []
    current: list[Seat] = []
    for seat in row:
        free = is_free(seat.seat_id)  # once per seat: a sold-out row is the costly case
        if free and (not current or seat.number == current[-1].number + 1):
            current.append(seat)
            continue
        if current:
            runs.append(current)
        current = [seat] if free else []
    if current:
        runs.append(current)
    return runs


def _best_window(run: list[Seat], quantity: int, centre: float) -> tuple[int, float, int]:
    """(orphans left, distance from the row's centre, offset) of the best window in `run`."""
    best: tuple[int, float, int] | None = None
    for offset in range(len(run) - quantity + 1):
        left, right = offset, len(run) - offset - quantity
        orphans = (left == 1) + (right == 1)
        middle = (run[offset].number + run[offset + quantity - 1].number) / 2
        candidate = (orphans, abs(middle - centre), offset)
        if best is None or candidate < best:
            best = candidate
    assert best is not None  # noqa: S101 - run is at least `quantity` long
    return best


def choose(
    rows: Sequence[Sequence[Seat]],
    quantity: int,
    is_free: IsFree,
    free_in_row: FreeInRow | None = None,
) -> list[Seat] | None:
    """Pick `quantity` free seats from `rows` (front row first), or None if too few are free.

    Preference: adjacent seats in one row leaving no single orphan seat; then adjacent seats
    in the front-most row even if that leaves an orphan; then the front-most free seats.
    `free_in_row`, when given, counts a row's free seats exactly: rows with too few are
    skipped unread, and a sold-out type is refused without reading any.
    """
    counts = [free_in_row(row) if free_in_row else len(row) for row in rows]
    if sum(counts) < quantity:
        return None
    fallback: tuple[tuple[int, int, float], list[Seat]] | None = None
    for rank, row in enumerate(rows):
        if counts[rank] < quantity:
            continue
        centre = (row[0].number + row[-1].number) / 2 if row else 0.0
        for run in _runs(row, is_free):
            if len(run) < quantity:
                continue
            orphans, distance, offset = _best_window(run, quantity, centre)
            window = run[offset : offset + quantity]
            if orphans == 0:
                return window
            key = (orphans, rank, distance)
            if fallback is None or key < fallback[0]:
                fallback = (key, window)
    if fallback is not None:
        return fallback[1]
    scattered = [
        seat
        for row, count in zip(rows, counts, strict=True)
        if count
        for seat in row
        if is_free(seat.seat_id)
    ]
    return scattered[:quantity] if len(scattered) >= quantity else None
