"""An event's seat partition is where Kafka's default partitioner puts its key."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner
from hypothesis import given
from hypothesis import strategies as st

from topics.names import SEAT_COMMANDS
from topics.partitioning import seat_partition

PARTITIONS = list(range(SEAT_COMMANDS.partitions))


@given(st.text(min_size=1, max_size=64))
def test_the_seat_partition_is_the_default_partitioners(event_id: str) -> None:
    expected = DefaultPartitioner()(event_id.encode(), PARTITIONS, PARTITIONS)
    assert seat_partition(event_id) == expected


def test_events_spread_over_every_partition() -> None:
    assert {seat_partition(f"{n:032x}") for n in range(500)} == set(PARTITIONS)
