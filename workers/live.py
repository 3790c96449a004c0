"""An event as its owner holds it in memory (its rows: tables/event_state.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from seating import EventSeats
from tables.event_state import Waiter
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1


@dataclass
class LiveEvent:
    """One event's seat state, its partition, outcomes and waiting confirms."""

    state: EventSeats
    partition: int
    name: str
    venue_id: str
    prices: dict[str, float]
    seats_read_at: float = 0.0
    seats_reread: bool = False
    outcomes: dict[str, CommandOutcomeV1] = field(default_factory=dict)
    waiters: dict[str, list[Waiter]] = field(default_factory=dict)
    outbox: list[BookingEventV1] = field(default_factory=list)  # found on load, unpublished
