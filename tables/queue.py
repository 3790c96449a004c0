"""The waiting room's tables (docs/onsale.md), kept together:
* `waiting_rooms`: the rooms the admitter serves (one partition) and its progress in each;
* `queue_tickets`: each user's current ticket of an event, taken with a lightweight transaction
  on the user's own partition (so joins of different users never contend);
* `queue_arrivals`: an event's arrivals in join order, with the rank and admission time the
  admitter gives each once;
* `queue_leases`: which admitter serves an event (a row that lapses unless renewed)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from cassandra.query import BatchStatement, BatchType, PreparedStatement

from infra.cassandra import Row, Statements, applied, execute

SHARD = 0
_CHUNK = 200  # rows per batch: one partition, well under Cassandra's batch size limits
_ARRIVAL = "SELECT joined_at, user_id, lottery, rank, admitted_at FROM queue_arrivals"
_TICKET = "SELECT joined_at, lottery FROM queue_tickets WHERE event_id = ? AND user_id = ?"


async def open_room(
    q: Statements, event_id: str, sale_starts_at: datetime, admit_per_minute: int
) -> None:
    """List an event's waiting room for the admitter."""
    await q.run(
        "INSERT INTO waiting_rooms (shard, event_id, sale_starts_at, admit_per_minute, joined, "
        "presale, ranked, admitted) VALUES (?, ?, ?, ?, 0, 0, 0, 0)",
        SHARD,
        event_id,
        sale_starts_at,
        admit_per_minute,
    )


async def rooms(q: Statements) -> list[Row]:
    """Every room with its progress."""
    return await q.run("SELECT * FROM waiting_rooms WHERE shard = ?", SHARD)


async def room(q: Statements, event_id: str) -> Row | None:
    """One room with its progress (joined, presale, ranked, admitted, last_admit_at)."""
    rows = await q.run(
        "SELECT * FROM waiting_rooms WHERE shard = ? AND event_id = ?", SHARD, event_id
    )
    return rows[0] if rows else None


async def record_progress(
    q: Statements,
    event_id: str,
    counts: tuple[int, int, int, int],
    last_admit_at: datetime | None,
) -> None:
    """The admitter's figures: (joined, presale, ranked, admitted) and the last admission."""
    await q.run(
        "UPDATE waiting_rooms SET joined = ?, presale = ?, ranked = ?, admitted = ?, "
        "last_admit_at = ? WHERE shard = ? AND event_id = ?",
        *counts,
        last_admit_at,
        SHARD,
        event_id,
    )


async def ticket_of(q: Statements, event_id: str, user_id: str) -> Row | None:
    """The user's current ticket (joined_at, lottery), or None."""
    rows = await q.run(_TICKET, event_id, user_id)
    return rows[0] if rows else None


async def claim_ticket(
    q: Statements,
    event_id: str,
    user_id: str,
    arrival: tuple[uuid.UUID, int],
    replacing: uuid.UUID | None,
) -> tuple[bool, Row]:
    """Make `arrival` (joined_at, lottery) the user's ticket, if it has none (or still the one
    it `replac`es). Returns whether it did and the user's ticket after."""
    joined_at, lottery = arrival
    if replacing is None:
        rows = await q.run(
            "INSERT INTO queue_tickets (event_id, user_id, joined_at, lottery) "
            "VALUES (?, ?, ?, ?) IF NOT EXISTS",
            event_id,
            user_id,
            joined_at,
            lottery,
        )
    else:
        rows = await q.run(
            "UPDATE queue_tickets SET joined_at = ?, lottery = ? "
            "WHERE event_id = ? AND user_id = ? IF joined_at = ?",
            joined_at,
            lottery,
            event_id,
            user_id,
            replacing,
        )
    if applied(rows):
        return True, {"joined_at": joined_at, "lottery": lottery}
    current = await ticket_of(q, event_id, user_id)
    return False, current or {"joined_at": None, "lottery": None}


async def add_arrival(
    q: Statements, event_id: str, joined_at: uuid.UUID, user_id: str, lottery: int
) -> None:
    await q.run(
        "INSERT INTO queue_arrivals (event_id, joined_at, user_id, lottery) VALUES (?, ?, ?, ?)",
        event_id,
        joined_at,
        user_id,
        lottery,
    )


async def remove_arrival(q: Statements, event_id: str, joined_at: uuid.UUID) -> None:
    """Drop an arrival whose ticket claim lost to a concurrent join of the same user."""
    await q.run(
        "DELETE FROM queue_arrivals WHERE event_id = ? AND joined_at = ?", event_id, joined_at
    )


async def arrival(q: Statements, event_id: str, joined_at: uuid.UUID) -> Row | None:
    rows = await q.run(f"{_ARRIVAL} WHERE event_id = ? AND joined_at = ?", event_id, joined_at)
    return rows[0] if rows else None


async def arrivals(q: Statements, event_id: str, after: datetime | None = None) -> list[Row]:
    """The event's arrivals in join order (those stamped after `after` only, when given)."""
    if after is None:
        return await q.run(f"{_ARRIVAL} WHERE event_id = ?", event_id)
    return await q.run(
        f"{_ARRIVAL} WHERE event_id = ? AND joined_at > maxTimeuuid(?)", event_id, after
    )


async def record_decisions(
    q: Statements,
    event_id: str,
    ranks: Sequence[tuple[uuid.UUID, int]],
    admissions: Sequence[tuple[uuid.UUID, datetime]],
) -> None:
    """Write ranks and admission times, in order, a chunk at a time (a chunk lands whole, and
    ranks are written in rank order, so an interrupted draw leaves a prefix)."""
    rank = q("UPDATE queue_arrivals SET rank = ? WHERE event_id = ? AND joined_at = ?")
    admit = q("UPDATE queue_arrivals SET admitted_at = ? WHERE event_id = ? AND joined_at = ?")
    items: list[tuple[PreparedStatement, tuple[object, ...]]]
    items = [(rank, (r, event_id, j)) for j, r in ranks]
    items += [(admit, (t, event_id, j)) for j, t in admissions]
    for start in range(0, len(items), _CHUNK):
        batch = BatchStatement(batch_type=BatchType.UNLOGGED)
        for statement, params in items[start : start + _CHUNK]:
            batch.add(statement, params)
        await execute(q.session, batch)


async def take_lease(q: Statements, event_id: str, owner: str, ttl_seconds: int) -> bool:
    """Take or renew the lease on admitting for `event_id`; False while another holds it."""
    rows = await q.run(
        "INSERT INTO queue_leases (event_id, owner) VALUES (?, ?) IF NOT EXISTS USING TTL ?",
        event_id,
        owner,
        ttl_seconds,
    )
    if applied(rows):
        return True
    rows = await q.run(
        "UPDATE queue_leases USING TTL ? SET owner = ? WHERE event_id = ? IF owner = ?",
        ttl_seconds,
        owner,
        event_id,
        owner,
    )
    return applied(rows)
