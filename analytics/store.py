"""What analytics reads and writes in Cassandra, through the tables/ modules: its materialised
rows, the events and their capacity, and the workers' stored holds."""

from __future__ import annotations

from typing import Any

from infra.cassandra import Statements
from seating import Hold, WaitEntry
from tables import analytics, event_state, events, venues

write_rows = analytics.write_rows
read_rows = analytics.read_rows
read_summary = analytics.read_summary


async def event_row(q: Statements, event_id: str) -> dict[str, Any] | None:
    return await events.summary(q, event_id)


async def capacity(q: Statements, event: dict[str, Any]) -> int:
    """The venue seats priced for the event."""
    priced = set(event.get("prices") or {})
    return sum(t in priced for t in await venues.seat_types(q, event["venue_id"]))


async def stored_holds(q: Statements, event_id: str) -> list[Hold]:
    """Every hold the workers stored for the event (event_state rows of kind 'hold')."""
    return await event_state.holds(q, event_id)


async def stored_waitlist(q: Statements, event_id: str) -> list[WaitEntry]:
    """Every waiting-list entry the workers stored for the event (rows of kind 'wait')."""
    return await event_state.waitlist(q, event_id)


async def all_events(q: Statements) -> list[dict[str, Any]]:
    return await events.summaries(q)
