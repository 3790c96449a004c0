"""`python -m benchmarks.best_available`: the cost of one best-available pick in the seating core,
with the occupied-seat counts per row against reading every seat (the baseline), in one process.

A 10,000-seat event (100 rows of 100) is filled with 4-seat holds through decide/evolve; every
100 holds, and then on the sold-out event, both ways of choosing are timed on the same state."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from rich.console import Console
from rich.progress import track
from rich.table import Table

from seating import EventSeats, Seat, best_available, decide, evolve
from seating.commands import HoldSeats

NOW = 1_000.0


def venue(rows: int = 100, per_row: int = 100) -> EventSeats:
    seats = {
        f"R{r:03d}-{n}": Seat(f"R{r:03d}-{n}", f"R{r:03d}", n, "standard", 50.0)
        for r in range(rows)
        for n in range(1, per_row + 1)
    }
    return EventSeats("bench", seats, hold_ttl_seconds=900, max_active_holds_per_user=10**6)


def per_call_ms(pick: Callable[[], object], repeat: int = 5) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        pick()
    return (time.perf_counter() - start) / repeat * 1000


def measure(state: EventSeats, quantity: int = 2) -> tuple[float, float]:
    rows = state.rows["standard"]

    def is_free(seat_id: str) -> bool:
        return state.is_free(seat_id, NOW)

    counted = per_call_ms(lambda: best_available.choose(rows, quantity, is_free, state.free_in_row))
    scanned = per_call_ms(lambda: best_available.choose(rows, quantity, is_free))
    return counted, scanned


def main() -> None:
    state = venue()
    samples: dict[str, list[tuple[float, float]]] = {"filling": [], "sold out": []}
    for i in track(range(2_500), description="filling 10,000 seats"):
        command = HoldSeats(f"c{i}", f"u{i}", (), seat_type="standard", quantity=4)
        for event in decide(state, command, NOW).events:
            evolve(state, event)
        if i % 100 == 0:
            samples["filling"].append(measure(state))
    assert all(not state.is_free(s, NOW) for s in state.seats), "the event did not sell out"
    samples["sold out"] = [measure(state) for _ in range(20)]
    table = Table(title="best available, 2 seats, 10,000-seat event (ms per pick, mean)")
    for column in ("state", "with row counts", "reading every seat", "ratio"):
        table.add_column(column)
    for name, pairs in samples.items():
        counted = statistics.mean(c for c, _ in pairs)
        scanned = statistics.mean(s for _, s in pairs)
        table.add_row(name, f"{counted:.3f}", f"{scanned:.3f}", f"{scanned / counted:.0f}x")
    Console().print(table)


if __name__ == "__main__":
    main()
