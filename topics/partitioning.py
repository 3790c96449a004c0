"""Which seat-commands partition decides an event: Kafka's own default partitioner (murmur2 of
the key) over the partition count declared in `names.py`, so a producer that only sets the key
lands where this says, and readers find an event's seat state without asking Kafka."""

from __future__ import annotations

from aiokafka.partitioner import murmur2

from topics.names import SEAT_COMMANDS


def seat_partition(event_id: str) -> int:
    """The seat-commands partition (and seat-state shard) of an event."""
    return int(murmur2(event_id.encode()) & 0x7FFFFFFF) % SEAT_COMMANDS.partitions
