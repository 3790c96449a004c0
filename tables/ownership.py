"""Partition ownership: the owner epoch of each command-topic partition (partition_owners,
taken with lightweight transactions) and the events each partition's owners loaded
(partition_events), so a new owner loads them on assignment."""

from __future__ import annotations

from infra.cassandra import Statements, applied


async def owner_of(q: Statements, topic: str, partition: int) -> tuple[int, str] | None:
    """(epoch, owner) of a partition, or None when nobody ever claimed it."""
    rows = await q.run(
        "SELECT epoch, owner FROM partition_owners WHERE topic = ? AND partition = ?",
        topic,
        partition,
    )
    if not rows or rows[0]["epoch"] is None:
        return None
    return rows[0]["epoch"], rows[0]["owner"]


async def claim_first(q: Statements, topic: str, partition: int, owner: str) -> bool:
    """Take epoch 1 of a partition nobody claimed; False when someone got there first."""
    rows = await q.run(
        "INSERT INTO partition_owners (topic, partition, epoch, owner) "
        "VALUES (?, ?, 1, ?) IF NOT EXISTS",
        topic,
        partition,
        owner,
    )
    return applied(rows)


async def claim_next(q: Statements, topic: str, partition: int, owner: str, current: int) -> bool:
    """Raise the partition's epoch from `current` to `current + 1` for `owner`; False when it
    is no longer `current`."""
    rows = await q.run(
        "UPDATE partition_owners SET epoch = ?, owner = ? "
        "WHERE topic = ? AND partition = ? IF epoch = ?",
        current + 1,
        owner,
        topic,
        partition,
        current,
    )
    return applied(rows)


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
