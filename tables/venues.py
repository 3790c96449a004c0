"""The venues tables: venues, and their numbered seats (venue_seats, one partition per venue;
seat_id is "<row>-<number>")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cassandra import ConsistencyLevel
from cassandra.query import BatchStatement, BatchType

from infra.cassandra import Row, Statements, applied, execute

COLUMNS = ("venue_id", "owner_id", "name", "city", "address", "seat_types", "created_at")
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM venues"  # noqa: S608 - constant columns
# For bulk loaders (the search benchmark): unconditional inserts of whole rows.
INSERT = f"INSERT INTO venues ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
INSERT_SEAT = (
    "INSERT INTO venue_seats (venue_id, seat_id, row, number, seat_type) VALUES (?, ?, ?, ?, ?)"
)
_COUNT_SEATS = "SELECT COUNT(*) AS n FROM venue_seats WHERE venue_id = ?"

SeatRow = tuple[str, str, str, int, str]  # venue_id, seat_id, row, number, seat_type


async def read(q: Statements, venue_id: str) -> Row | None:
    rows = await q.run(f"{_SELECT} WHERE venue_id = ?", venue_id)
    return rows[0] if rows else None


async def read_all(q: Statements) -> list[Row]:
    """Every venue (a scan of the table)."""
    return await q.run(_SELECT)


async def venue_ids(q: Statements) -> list[str]:
    return [r["venue_id"] for r in await q.run("SELECT venue_id FROM venues")]


async def insert(q: Statements, venue: Mapping[str, Any]) -> None:
    """A venue: a mapping with every one of COLUMNS."""
    await q.run(INSERT, *(venue[c] for c in COLUMNS))


async def seats(q: Statements, venue_id: str) -> list[Row]:
    """seat_id, row, number and seat_type of every seat of the venue."""
    return await q.run(
        "SELECT seat_id, row, number, seat_type FROM venue_seats WHERE venue_id = ?", venue_id
    )


async def seat_types(q: Statements, venue_id: str) -> list[str]:
    """The seat type of every seat of the venue."""
    rows = await q.run("SELECT seat_type FROM venue_seats WHERE venue_id = ?", venue_id)
    return [r["seat_type"] for r in rows]


async def count_seats(q: Statements, venue_id: str, *, serial: bool = False) -> int:
    """How many seats the venue has; `serial` sees every seat a conditional insert
    (`insert_seats`) added."""
    statement = q(_COUNT_SEATS).bind((venue_id,))
    if serial:
        statement.consistency_level = ConsistencyLevel.SERIAL
    rows = await execute(q.session, statement)
    return int(rows[0]["n"]) if rows else 0


async def insert_seats(q: Statements, rows: list[SeatRow]) -> list[str]:
    """Insert every row or none; the seat ids that exist already when none were inserted.

    One conditional batch: all rows are in the venue's partition, so Paxos applies the batch
    whole or not at all, and of two requests adding one seat at once exactly one wins (a read
    before the insert let both pass, and a failure midway left some seats added)."""
    batch = BatchStatement(
        batch_type=BatchType.UNLOGGED, serial_consistency_level=ConsistencyLevel.SERIAL
    )
    insert = q(f"{INSERT_SEAT} IF NOT EXISTS")
    for row in rows:
        batch.add(insert, row)
    result = await execute(q.session, batch)
    if applied(result):
        return []
    return sorted(r["seat_id"] for r in result if r.get("seat_id") is not None)
