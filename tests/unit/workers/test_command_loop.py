"""The command loop's pipeline: a partition's next poll is decided while the one before is
finished, yet polls go out in their order, and a poll that cannot be finished is read again
from its first offset with every poll after it: none of them is sent or committed."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from types import SimpleNamespace
from typing import Any

from aiokafka import TopicPartition

from tests.unit.workers.fakes import EVENT_ID
from tests.unit.workers.test_owner import Rig, hold
from topics.codec import encode
from topics.partitioning import seat_partition
from workers.consumer import CommandLoop, Ownership
from workers.owner import Persisted

P = seat_partition(EVENT_ID)
TP = TopicPartition("seat-commands", P)


class FakeConsumer:
    def __init__(self) -> None:
        self.seeks: list[int] = []

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks.append(offset)


def records(first: int, *command_ids: str) -> list[Any]:
    """A poll from offset `first`: a hold of seat A-(offset + 1) per command."""
    return [
        SimpleNamespace(
            key=EVENT_ID.encode(),
            value=encode(hold(c, f"A-{first + n + 1}")),
            partition=P,
            offset=first + n,
        )
        for n, c in enumerate(command_ids)
    ]


def loop_of(rig: Rig) -> tuple[CommandLoop, FakeConsumer]:
    rig.owner.epochs = {P: 1}
    consumer = FakeConsumer()
    ownership = Ownership(rig.owner, None)  # type: ignore[arg-type]
    loop = CommandLoop(consumer, rig.owner, rig.publisher, ownership)  # type: ignore[arg-type]
    return loop, consumer


def answered(rig: Rig) -> list[str]:
    return [o.command_id for _, o in rig.publisher.outcomes]


async def test_polls_are_decided_ahead_but_go_out_in_order_and_commit_in_order() -> None:
    rig = Rig()
    loop, _ = loop_of(rig)
    gate = asyncio.Event()
    project = rig.owner.project

    async def slow_first(persisted: Persisted) -> None:
        if not gate.is_set():
            gate.set()
            await asyncio.sleep(0.05)  # the first poll projects slowly
        await project(persisted)

    rig.owner.project = slow_first  # type: ignore[method-assign]
    await loop._partition(TP, records(0, "c1", "c2"))
    await loop._partition(TP, records(2, "c3"))  # decided while the first is finishing
    assert len(rig.store.writes) == 2
    await asyncio.gather(*(p.done for p in loop._finishing[TP]))
    assert answered(rig) == ["c1", "c2", "c3"]
    assert loop._finished == {TP: 3}


async def test_a_poll_that_cannot_be_finished_is_read_again_with_the_polls_after_it() -> None:
    rig = Rig()
    loop, consumer = loop_of(rig)
    project = rig.owner.project
    calls = 0

    async def fails_first(persisted: Persisted) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.sleep(0.02)
            raise ConnectionError("Cassandra stopped")
        await project(persisted)

    rig.owner.project = fails_first  # type: ignore[method-assign]
    await loop._partition(TP, records(0, "c1"))
    await loop._partition(TP, records(1, "c2"))
    await asyncio.gather(*(p.done for p in loop._finishing[TP]))
    assert answered(rig) == []  # neither went out: the second waits on the first
    assert loop._finished == {} and loop.rewinds == {TP: 0}
    assert P not in rig.owner.versions  # forgotten: only Cassandra knows the state now
    # A poll decided after the failure, before the loop rewinds, does not go out either.
    await loop._partition(TP, records(2, "c3"))
    await asyncio.gather(*(p.done for p in loop._finishing[TP]))
    assert answered(rig) == [] and loop._finished == {}
    loop.rewinds.clear()
    await loop._retry(TP, 0, 0.0)
    assert consumer.seeks[-1] == 0


class PollingConsumer(FakeConsumer):
    """Two partitions assigned, each with a poll ready whenever asked."""

    def __init__(self, *assigned: TopicPartition) -> None:
        super().__init__()
        self.assigned = set(assigned)

    def assignment(self) -> set[TopicPartition]:
        return self.assigned

    async def getmany(self, tp: TopicPartition, **_: Any) -> dict[TopicPartition, list[Any]]:
        await asyncio.sleep(0)
        return {tp: records(0, "c")}


async def test_a_partition_stuck_in_its_batch_does_not_hold_up_the_others() -> None:
    slow, quick = TopicPartition("seat-commands", 1), TopicPartition("seat-commands", 2)
    consumer = PollingConsumer(slow, quick)
    loop = CommandLoop(consumer, None, None, None)  # type: ignore[arg-type]
    stuck = asyncio.Event()
    decided: list[int] = []

    async def partition(tp: TopicPartition, _: list[Any]) -> None:
        decided.append(tp.partition)
        if tp == slow:
            await stuck.wait()  # a Paxos round that does not come back

    loop._partition = partition  # type: ignore[method-assign,assignment]
    running = asyncio.create_task(loop.run())
    await asyncio.sleep(0.05)
    assert decided.count(1) == 1 and decided.count(2) > 5
    consumer.assigned = {quick}  # the slow one is revoked: its loop ends once it is back
    stuck.set()
    await asyncio.sleep(0.05)
    assert decided.count(1) == 1
    running.cancel()
    with suppress(asyncio.CancelledError):
        await running  # its partition loops are cancelled with it, not left to the next test
