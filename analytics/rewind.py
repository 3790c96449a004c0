"""Reading again what faust may have skipped when a rebalance ends.

faust-streaming 0.15 resumes fetching before its table recovery ends; when recovery is done it
seeks the stream partitions to their committed offsets and then clears the stream queues
(`flow_control.resume()`), so what was fetched early is read again from the committed offset.
But aiokafka does not seek a partition whose committed offset is missing or 0: what was fetched
and cleared there is never read again. `seek_also_uncommitted` therefore wraps faust's
`perform_seek` so that, at that same point, every assigned source partition is sought to its
committed offset, or to its first offset when none was committed. Messages read twice are
dropped by the hold table (`message_id`).

(Seeking later, once the rebalance has ended, is not enough: records of a fetch already under
way raise faust's read offset past the rewind, and faust drops the messages read again.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, Protocol

from faust.types import TP

from infra.logs import get_logger

log = get_logger("analytics.rewind")


class Consumer(Protocol):
    """The parts of faust's consumer that a rewind uses."""

    def assignment(self) -> set[TP]: ...

    async def seek_to_committed(self) -> Mapping[TP, int]: ...

    async def earliest_offsets(self, *partitions: TP) -> Mapping[TP, int]: ...

    async def seek(self, partition: TP, offset: int) -> None: ...


async def rewind(consumer: Consumer, topic: str) -> dict[int, int]:
    """Seek the assigned partitions of `topic` to where reading must go on; returns partition
    number -> offset sought."""
    partitions = sorted(tp for tp in consumer.assignment() if tp.topic == topic)
    if not partitions:
        return {}
    committed = await consumer.seek_to_committed()
    first = await consumer.earliest_offsets(*partitions)
    sought = {}
    for tp in partitions:
        offset = committed.get(tp) or first.get(tp) or 0
        await consumer.seek(tp, offset)
        sought[tp.partition] = offset
    return sought


def seek_also_uncommitted(
    consumer: Consumer, topic: str, perform_seek: Callable[[], Awaitable[None]]
) -> Callable[[], Coroutine[Any, Any, None]]:
    """faust's `perform_seek`, followed by `rewind` of `topic`."""

    async def seek() -> None:
        await perform_seek()
        log.info("rewound after recovery", offsets=await rewind(consumer, topic))

    return seek
