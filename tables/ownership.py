"""The partition_events table: the events each command partition's owners loaded, so a new
owner loads them on assignment (and expires holds that lapsed while nobody owned them). The
owner epochs themselves live beside the rows they fence, in seat_state (tables/event_state.py)."""

from __future__ import annotations

from infra.cassandra import Statements


async def events_of(q: Statements, topic: str, partition: int) -> list[str]:
    """Events an owner of the partition loaded."""
    rows = await q.run(
        "SELECT event_id FROM partition_events WHERE topic = ? AND partition = ?",
        topic,
        partition,
    )
    return [r["event_id"] for r in rows]


async def note_event(q: Statements, topic: str, partition: int, event_id: str) -> None:
    """Remember that the partition's owner loaded `event_id`."""
    await q.run(
        "INSERT INTO partition_events (topic, partition, event_id) VALUES (?, ?, ?)",
        topic,
        partition,
        event_id,
    )
