"""Cassandra side of analytics: materialised rows, capacity, and the workers' stored holds."""

from __future__ import annotations

from typing import Any

from cassandra.query import BatchStatement, BatchType

from analytics.report import Row
from infra.cassandra import Statements, execute
from seating import Hold
from tables import event_state

UPSERT = "INSERT INTO analytics (event_id, kind, item_id, data) VALUES (?, ?, ?, ?)"
SELECT = "SELECT kind, item_id, data FROM analytics WHERE event_id = ?"
SELECT_SUMMARY = "SELECT data FROM analytics WHERE event_id = ? AND kind = 'summary'"


async def write_rows(q: Statements, event_id: str, rows: list[Row]) -> None:
    """Upsert `rows` of one event in one single-partition batch."""
    batch = BatchStatement(batch_type=BatchType.UNLOGGED)
    for kind, item, data in rows:
        batch.add(q(UPSERT), (event_id, kind, item, data))
    await execute(q.session, batch)


async def read_rows(q: Statements, event_id: str) -> list[Row]:
    return [(r["kind"], r["item_id"], r["data"]) for r in await q.run(SELECT, event_id)]


async def read_summary(q: Statements, event_id: str) -> str | None:
    rows = await q.run(SELECT_SUMMARY, event_id)
    return rows[0]["data"] if rows else None


async def event_row(q: Statements, event_id: str) -> dict[str, Any] | None:
    rows = await q.run(
        "SELECT event_id, venue_id, owner_id, name, prices FROM events WHERE event_id = ?",
        event_id,
    )
    return rows[0] if rows else None


async def capacity(q: Statements, event: dict[str, Any]) -> int:
    """The venue seats priced for the event."""
    priced = set(event.get("prices") or {})
    seats = await q.run("SELECT seat_type FROM venue_seats WHERE venue_id = ?", event["venue_id"])
    return sum(s["seat_type"] in priced for s in seats)


async def stored_holds(q: Statements, event_id: str) -> list[Hold]:
    """Every hold the workers stored for the event (event_state rows of kind 'hold')."""
    return await event_state.holds(q, event_id)


async def all_events(q: Statements) -> list[dict[str, Any]]:
    return await q.run("SELECT event_id, venue_id, owner_id, name, prices FROM events")
