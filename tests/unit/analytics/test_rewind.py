"""The rewind when a recovery ends, against a stand-in for faust's consumer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from faust.types import TP

from analytics.rewind import rewind, seek_also_uncommitted

SOURCE = "booking-events"


@dataclass
class FakeConsumer:
    assigned: set[TP]
    committed: dict[TP, int]
    earliest: dict[TP, int]
    sought: dict[TP, int] = field(default_factory=dict)

    def assignment(self) -> set[TP]:
        return self.assigned

    async def seek_to_committed(self) -> Mapping[TP, int]:
        return {tp: self.committed.get(tp) for tp in self.assigned}  # type: ignore[misc]

    async def earliest_offsets(self, *partitions: TP) -> Mapping[TP, int]:
        return {tp: self.earliest[tp] for tp in partitions}

    async def seek(self, partition: TP, offset: int) -> None:
        self.sought[partition] = offset


def tp(partition: int, topic: str = SOURCE) -> TP:
    return TP(topic, partition)


async def test_committed_partitions_go_to_the_committed_offset_others_to_their_start() -> None:
    consumer = FakeConsumer(
        assigned={tp(0), tp(1), tp(2), tp(3, "holds-changelog")},
        committed={tp(0): 54, tp(1): 0},
        earliest={tp(0): 0, tp(1): 7, tp(2): 3},
    )
    assert await rewind(consumer, SOURCE) == {0: 54, 1: 7, 2: 3}
    assert tp(3, "holds-changelog") not in consumer.sought


async def test_nothing_assigned_seeks_nothing() -> None:
    consumer = FakeConsumer(assigned=set(), committed={}, earliest={})
    assert await rewind(consumer, SOURCE) == {}


async def test_faust_seeks_first_then_the_uncommitted_partitions_are_sought() -> None:
    consumer = FakeConsumer({tp(0), tp(1)}, {tp(0): 9}, {tp(0): 0, tp(1): 4})
    calls: list[str] = []

    async def faust_seek() -> None:
        calls.append("faust")

    await seek_also_uncommitted(consumer, SOURCE, faust_seek)()
    assert calls == ["faust"] and consumer.sought == {tp(0): 9, tp(1): 4}
