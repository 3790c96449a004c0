"""The analytics agent's partition positions and its rewinds after the consumer skipped messages."""

from __future__ import annotations

from faust.types import TP

from analytics.positions import Positions, Rewinder

TP0 = TP("booking-events", 0)


class Consumer:
    """Records seeks; `first` is the earliest offset in the partition, `at` its position."""

    def __init__(self, first: int = 0, at: int | None = 0) -> None:
        self.first = first
        self.at = at
        self.seeks: list[tuple[TP, int]] = []
        self.now = 100.0

    async def seek(self, tp: TP, offset: int) -> None:
        self.seeks.append((tp, offset))

    async def earliest(self, tp: TP) -> int | None:
        return self.first

    async def position(self, tp: TP) -> int | None:
        return self.at

    def rewinder(self) -> Rewinder:
        return Rewinder(
            self.seek, self.earliest, self.position, retry_after=1.0, clock=lambda: self.now
        )


def test_positions_start_unknown_and_point_past_the_last_message_done() -> None:
    positions = Positions({})
    assert positions.expected(3) is None
    positions.done(3, 41)
    assert positions.expected(3) == 42
    assert positions.expected(4) is None


async def test_a_gap_rewinds_once_and_skips_the_rest_of_the_batch() -> None:
    consumer = Consumer()
    rewinder = consumer.rewinder()
    assert await rewinder.gap(TP0, 18)
    assert await rewinder.gap(TP0, 18)
    assert consumer.seeks == [(TP0, 18)]


async def test_a_rewind_the_fetch_loop_overwrote_is_sought_again_after_a_while() -> None:
    consumer = Consumer()
    rewinder = consumer.rewinder()
    await rewinder.gap(TP0, 18)
    consumer.now += 0.5
    await rewinder.retry()
    assert consumer.seeks == [(TP0, 18)]
    consumer.now += 0.6
    await rewinder.retry()
    assert consumer.seeks == [(TP0, 18), (TP0, 18)]
    consumer.now += 1.0
    assert await rewinder.gap(TP0, 18)
    assert consumer.seeks == [(TP0, 18)] * 3


async def test_reaching_the_expected_offset_ends_the_rewind() -> None:
    consumer = Consumer()
    rewinder = consumer.rewinder()
    await rewinder.gap(TP0, 18)
    rewinder.reached(TP0)
    consumer.now += 5
    await rewinder.retry()
    assert consumer.seeks == [(TP0, 18)]


async def test_messages_deleted_by_retention_are_not_waited_for() -> None:
    consumer = Consumer(first=30)
    rewinder = consumer.rewinder()
    assert not await rewinder.gap(TP0, 18)
    assert consumer.seeks == []
    assert rewinder.pending == {}


async def test_a_rebalance_drops_pending_rewinds() -> None:
    consumer = Consumer()
    rewinder = consumer.rewinder()
    await rewinder.gap(TP0, 18)
    rewinder.forget()
    consumer.now += 5
    await rewinder.retry()
    assert consumer.seeks == [(TP0, 18)]


async def test_after_a_rebalance_a_consumer_beyond_the_next_message_is_rewound() -> None:
    consumer = Consumer(at=54)
    await consumer.rewinder().realign(TP0, 18)
    assert consumer.seeks == [(TP0, 18)]


async def test_after_a_rebalance_a_partition_never_read_is_read_from_its_start() -> None:
    consumer = Consumer(first=3, at=54)
    await consumer.rewinder().realign(TP0, None)
    assert consumer.seeks == [(TP0, 3)]


async def test_after_a_rebalance_a_consumer_at_or_before_the_next_message_is_left_alone() -> None:
    for at in (18, 10, None):
        consumer = Consumer(at=at)
        await consumer.rewinder().realign(TP0, 18)
        assert consumer.seeks == []
