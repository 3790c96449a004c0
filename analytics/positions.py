"""Where the analytics agent stands in each booking-events partition, so no message is skipped.

faust loses messages after a rebalance: it resumes fetching before its table recovery ends, then
clears the stream queues and seeks to the committed offsets, but a partition with no committed
offset (or 0) is not sought, so what was fetched and cleared is never read again. The agent keeps
the next offset it expects per partition in a changelog-backed table, recorded after a message is
applied and materialised, and rewinds the consumer when it stands beyond that offset once the
rebalance is over, or when a message arrives beyond it."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field

from faust.types import TP

from infra.logs import get_logger

log = get_logger("analytics.positions")


@dataclass
class Positions:
    """Next expected offset per partition, in a table keyed by the partition number."""

    table: MutableMapping[str, int]

    def expected(self, partition: int) -> int | None:
        return self.table.get(str(partition))

    def done(self, partition: int, offset: int) -> None:
        self.table[str(partition)] = offset + 1


Seek = Callable[[TP, int], Awaitable[None]]
Offset = Callable[[TP], Awaitable[int | None]]


@dataclass
class Rewinder:
    """Seeks a partition back to its expected offset, again if the seek did not take (faust's
    fetch loop can overwrite it while a batch is in flight), unless that offset is gone."""

    seek: Seek
    earliest: Offset
    position: Offset
    retry_after: float = 1.0
    clock: Callable[[], float] = time.monotonic
    pending: dict[TP, tuple[int, float]] = field(default_factory=dict)

    async def gap(self, tp: TP, expected: int) -> bool:
        """A message beyond `expected` arrived: True to skip it (a rewind is under way), False
        to take it (the messages in between were deleted by retention)."""
        pending = self.pending.get(tp)
        if pending is not None and pending[0] == expected:
            if self.clock() - pending[1] < self.retry_after:
                return True
        return await self._rewind(tp, expected)

    async def realign(self, tp: TP, expected: int | None) -> None:
        """After a rebalance: rewind if the consumer stands beyond the next message due (the
        partition's first when none was taken yet). A needless rewind only reads again."""
        target = expected if expected is not None else await self.earliest(tp)
        position = await self.position(tp)
        if target is not None and position is not None and position > target:
            await self._rewind(tp, target)

    def reached(self, tp: TP) -> None:
        self.pending.pop(tp, None)

    def forget(self) -> None:
        """Drop every pending rewind (after a rebalance: the partitions may be gone)."""
        self.pending.clear()

    async def retry(self) -> None:
        """Seek again where a rewind has not been answered (no message arrived since)."""
        for tp, (expected, at) in list(self.pending.items()):
            if self.clock() - at >= self.retry_after:
                await self._rewind(tp, expected)

    async def _rewind(self, tp: TP, expected: int) -> bool:
        first = await self.earliest(tp)
        if first is not None and expected < first:
            log.warning("gap past retention", partition=tp.partition, expected=expected, at=first)
            self.pending.pop(tp, None)
            return False
        log.warning("rewinding", partition=tp.partition, expected=expected)
        self.pending[tp] = (expected, self.clock())
        await self.seek(tp, expected)
        return True
