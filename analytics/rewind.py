"""Reading again what faust may have skipped at the end of a rebalance.

faust-streaming 0.15 resumes fetching before its table recovery ends, then clears the stream
queues (`flow_control.resume()`) after seeking to the committed offsets; aiokafka does not seek a
partition whose committed offset is missing or 0, so what was fetched and cleared there is never
read again. Once a rebalance has ended, `rewind` therefore seeks every assigned source partition
to its committed offset, or to its first offset when none was committed. Messages read twice are
dropped by the hold table (`message_id`), so a needless rewind costs only reading again."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from faust.types import TP

from infra.logs import get_logger

log = get_logger("analytics.rewind")
ATTEMPTS = 30
ATTEMPT_TIMEOUT_SECONDS = 10.0
RETRY_SECONDS = 1.0


class Consumer(Protocol):
    """The parts of faust's consumer that a rewind uses."""

    def assignment(self) -> set[TP]: ...

    async def seek_to_committed(self) -> Mapping[TP, int]: ...

    async def earliest_offsets(self, *partitions: TP) -> Mapping[TP, int]: ...

    async def seek(self, partition: TP, offset: int) -> None: ...


async def rewind(consumer: Consumer, topic: str) -> dict[int, int]:
    """Seek the assigned partitions of `topic` to where reading must go on; returns partition
    number -> offset sought."""
    partitions: Sequence[TP] = sorted(tp for tp in consumer.assignment() if tp.topic == topic)
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


async def rewind_after_rebalance(
    consumer: Consumer,
    topic: str,
    current: Callable[[], bool],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """`rewind`, tried again while the broker does not answer, until it worked or `current()`
    says another rebalance has begun (that one rewinds when it ends)."""
    for _ in range(ATTEMPTS):
        if not current():
            return
        try:
            sought = await asyncio.wait_for(rewind(consumer, topic), ATTEMPT_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - broker away, partition revoked: try again
            log.warning("rewind failed; trying again", error=repr(exc))
            await sleep(RETRY_SECONDS)
            continue
        log.info("rewound after rebalance", offsets=sought)
        return
    log.error("rewind gave up", attempts=ATTEMPTS)
