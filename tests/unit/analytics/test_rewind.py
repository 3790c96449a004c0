"""The rewind after a rebalance, against a stand-in for faust's consumer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from faust.types import TP

from analytics.rewind import ATTEMPTS, rewind, rewind_after_rebalance

SOURCE = "booking-events"


@dataclass
class FakeConsumer:
    assigned: set[TP]
    committed: dict[TP, int]
    earliest: dict[TP, int]
    failures: int = 0
    sought: dict[TP, int] = field(default_factory=dict)

    def assignment(self) -> set[TP]:
        return self.assigned

    async def seek_to_committed(self) -> Mapping[TP, int]:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("broker away")
        return {tp: self.committed.get(tp) for tp in self.assigned}  # type: ignore[misc]

    async def earliest_offsets(self, *partitions: TP) -> Mapping[TP, int]:
        return {tp: self.earliest[tp] for tp in partitions}

    async def seek(self, partition: TP, offset: int) -> None:
        self.sought[partition] = offset


def tp(partition: int, topic: str = SOURCE) -> TP:
    return TP(topic, partition)


async def no_sleep(_: float) -> None:
    return None


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


async def test_a_broker_away_is_tried_again_until_the_rewind_is_done() -> None:
    consumer = FakeConsumer({tp(0)}, {}, {tp(0): 0}, failures=3)
    await rewind_after_rebalance(consumer, SOURCE, lambda: True, no_sleep)
    assert consumer.sought == {tp(0): 0}


async def test_a_new_rebalance_stops_the_old_rewind() -> None:
    consumer = FakeConsumer({tp(0)}, {}, {tp(0): 0}, failures=ATTEMPTS)
    answers = iter([True, False])
    await rewind_after_rebalance(consumer, SOURCE, lambda: next(answers), no_sleep)
    assert consumer.sought == {} and consumer.failures == ATTEMPTS - 1
