"""Reading the materialised figures: what the endpoints and the dashboard serve."""

from __future__ import annotations

import asyncio
from typing import Any

from analytics import store
from analytics.figures import Tally
from analytics.report import from_rows, report
from infra.cassandra import Statements

DETAIL = ("seats", "users", "per_minute")


async def event_figures(q: Statements, event: dict[str, Any]) -> dict[str, Any]:
    """Every figure of one event (zeros before its first booking event)."""
    rows = await store.read_rows(q, event["event_id"])
    return await _figures(q, event, rows)


async def event_summary(q: Statements, event: dict[str, Any]) -> dict[str, Any]:
    """The figures of one event without the per seat, user and minute detail."""
    summary = await store.read_summary(q, event["event_id"])
    figures = await _figures(q, event, [("summary", "", summary)] if summary else [])
    return {k: v for k, v in figures.items() if k not in DETAIL}


async def summaries(q: Statements, owner_id: str | None) -> list[dict[str, Any]]:
    """One summary per event, of `owner_id`'s events (every event when None)."""
    events = [e for e in await store.all_events(q) if owner_id is None or e["owner_id"] == owner_id]
    items = await asyncio.gather(*(event_summary(q, e) for e in events))
    return sorted(items, key=lambda item: (item["name"] or "", item["event_id"]))


async def _figures(
    q: Statements, event: dict[str, Any], rows: list[tuple[str, str, str]]
) -> dict[str, Any]:
    tally, meta = from_rows(rows) if rows else (Tally(), {})
    capacity = meta.get("capacity")
    if capacity is None:
        capacity = await store.capacity(q, event)
    figures = report(event["event_id"], tally, capacity)
    return figures | {
        "name": event.get("name"),
        "updated_at": meta.get("updated_at"),
        "last_event_at": meta.get("last_event_at"),
    }
