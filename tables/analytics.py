"""The analytics table: figures materialised by the analytics app, per event a summary row
(kind 'summary', item '') and seat, user and minute rows; data is JSON."""

from __future__ import annotations

from collections.abc import Iterable

from cassandra.query import BatchStatement, BatchType

from infra.cassandra import Statements, execute

FigureRow = tuple[str, str, str]  # kind, item_id, data
_UPSERT = "INSERT INTO analytics (event_id, kind, item_id, data) VALUES (?, ?, ?, ?)"


async def write_rows(q: Statements, event_id: str, rows: Iterable[FigureRow]) -> None:
    """Upsert `rows` of one event in one single-partition batch."""
    batch = BatchStatement(batch_type=BatchType.UNLOGGED)
    for kind, item, data in rows:
        batch.add(q(_UPSERT), (event_id, kind, item, data))
    await execute(q.session, batch)


async def read_rows(q: Statements, event_id: str) -> list[FigureRow]:
    rows = await q.run("SELECT kind, item_id, data FROM analytics WHERE event_id = ?", event_id)
    return [(r["kind"], r["item_id"], r["data"]) for r in rows]


async def read_summary(q: Statements, event_id: str) -> str | None:
    rows = await q.run(
        "SELECT data FROM analytics WHERE event_id = ? AND kind = 'summary'", event_id
    )
    return rows[0]["data"] if rows else None
