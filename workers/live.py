"""An event as its owner holds it in memory (its rows: tables/event_state.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from seating import EventSeats
from tables.event_state import Waiter
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1


@dataclass
class LiveEvent:
    """One event's seat state, the epoch it is written under, outcomes and waiting confirms."""

    state: EventSeats
    epoch: int
    partition: int
    name: str
    venue_id: str
    prices: dict[str, float]
    version: int | None = None  # batches written to the event so far (None: never)
    seats_read_at: float = 0.0
    seats_reread: bool = False
    outcomes: dict[str, CommandOutcomeV1] = field(default_factory=dict)
    waiters: dict[str, list[Waiter]] = field(default_factory=dict)
    outbox: list[BookingEventV1] = field(default_factory=list)  # found on load, unpublished
