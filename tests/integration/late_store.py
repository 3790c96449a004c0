"""A seat store whose batches can be held back: the answer is lost (the owner sees a timeout)
and the batch lands only when `land` is called, as Cassandra may apply a write after its
client gave up on it."""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from workers.store import EventWrite, SeatStore


@dataclass
class Late:
    """A batch on its way: the epoch and version it is conditional on."""

    epoch: int
    version: int | None
    write: Coroutine[Any, Any, bool]


class LateStore(SeatStore):
    """`hold_back` makes the next batch late; `land` applies it and says whether it took."""

    late: Late | None = None
    hold_back = False

    async def write(
        self,
        partition: int,
        epoch: int,
        version: int | None,
        writes: list[EventWrite],
        delivered: dict[str, list[str]],
    ) -> bool:
        batch = super().write(partition, epoch, version, writes, delivered)
        if not self.hold_back:
            return await batch
        self.hold_back = False
        self.late = Late(epoch, version, batch)
        raise TimeoutError("the answer to the batch was lost")

    async def land(self) -> bool:
        assert self.late is not None
        late, self.late = self.late, None
        return await late.write
