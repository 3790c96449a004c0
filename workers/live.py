"""An event as its owner holds it in memory, and its rows in Cassandra's event_state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from seating import EventSeats, Hold, HoldStatus, SeatLine
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1


@dataclass(frozen=True)
class Waiter:
    """Someone awaiting the outcome of a confirm that waits for the payment."""

    command_id: str
    correlation_id: str | None
    reply_partition: int | None


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


def hold_to_row(hold: Hold, waiters: list[Waiter]) -> str:
    """A hold (and its waiting confirms) as the JSON of its row."""
    # orjson writes the dataclasses (seat lines, waiters) and the status enum itself.
    return orjson.dumps({**vars(hold), "waiters": waiters}).decode()


def hold_from_row(text: str) -> tuple[Hold, list[Waiter]]:
    """Inverse of `hold_to_row`."""
    data: dict[str, Any] = orjson.loads(text)
    waiters = [Waiter(**w) for w in data.pop("waiters", [])]
    data["seats"] = tuple(SeatLine(**line) for line in data["seats"])
    data["status"] = HoldStatus(data["status"])
    return Hold(**data), waiters


def seat_row(state: EventSeats, seat_id: str) -> str:
    """What a seat row says: who occupies it, how, and until when."""
    hold = state.holder_of(seat_id)
    if hold is None:
        return "{}"
    status = "booked" if hold.status is HoldStatus.CONFIRMED else "held"
    lapses = hold.expires_at if hold.status is HoldStatus.HELD else None
    return orjson.dumps({"h": hold.holding_id, "s": status, "x": lapses}).decode()


def seat_status(row: str | None, now: float) -> str:
    """available, held or booked, from a seat row as `seat_row` wrote it."""
    if not row:
        return "available"
    data = orjson.loads(row)
    status: str = data.get("s", "available")
    if status == "held" and data.get("x") is not None and data["x"] <= now:
        return "available"
    return status


def outbox_to_row(version: int, index: int, event: BookingEventV1) -> str:
    """A booking event in the outbox, with its place: the batch's version, then its index."""
    return orjson.dumps({"at": [version, index], "event": event.model_dump(mode="json")}).decode()


def outbox_from_row(text: str) -> tuple[tuple[int, int], BookingEventV1]:
    """Inverse of `outbox_to_row`: the event and its place, to publish in decision order."""
    data = orjson.loads(text)
    version, index = data["at"]
    return (version, index), BookingEventV1.model_validate(data["event"])
