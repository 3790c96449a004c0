"""The events table: events as organisers define them (their seat state is event_state's)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from infra.cassandra import Row, Statements

COLUMNS = (
    "event_id",
    "venue_id",
    "owner_id",
    "name",
    "description",
    "artists",
    "tags",
    "starts_at",
    "prices",
    "hold_ttl_seconds",
    "sale_starts_at",
    "waiting_room",
    "admit_per_minute",
    "city",
    "venue_name",
    "created_at",
)
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM events"  # noqa: S608 - constant columns
# Also for bulk loaders (the search benchmark).
INSERT = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"  # noqa: S608
_LISTINGS = (
    "SELECT event_id, venue_id, name, description, artists, tags, starts_at, prices, city, "
    "venue_name, created_at FROM events"
)
_SUMMARY = "SELECT event_id, venue_id, owner_id, name, prices FROM events"


async def read(q: Statements, event_id: str) -> Row | None:
    """Every column of the event."""
    rows = await q.run(f"{_SELECT} WHERE event_id = ?", event_id)
    return rows[0] if rows else None


async def insert(q: Statements, event: Mapping[str, Any]) -> None:
    """An event: a mapping with every one of COLUMNS."""
    await q.run(INSERT, *(event[c] for c in COLUMNS))


async def meta(q: Statements, event_id: str) -> Row | None:
    """What the owning worker needs: venue_id, name, prices, hold_ttl_seconds and
    sale_starts_at."""
    rows = await q.run(
        "SELECT venue_id, name, prices, hold_ttl_seconds, sale_starts_at FROM events "
        "WHERE event_id = ?",
        event_id,
    )
    return rows[0] if rows else None


async def summary(q: Statements, event_id: str) -> Row | None:
    """event_id, venue_id, owner_id, name and prices (what analytics needs)."""
    rows = await q.run(f"{_SUMMARY} WHERE event_id = ?", event_id)
    return rows[0] if rows else None


async def summaries(q: Statements) -> list[Row]:
    """`summary` of every event (a scan of the table)."""
    return await q.run(_SUMMARY)


def listings_now(q: Statements, page_size: int) -> Iterator[Row]:
    """What the search index lists of every event, `page_size` rows at a time, blocking (run it
    in a thread), so rows never pile up in memory."""
    statement = q(_LISTINGS)
    statement.fetch_size = page_size
    yield from q.session.execute(statement, timeout=120.0)
