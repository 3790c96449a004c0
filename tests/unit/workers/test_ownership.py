"""Taking partitions over while Cassandra is away: nothing is left unowned for good."""

from __future__ import annotations

from aiokafka import TopicPartition
from cassandra.cluster import NoHostAvailable

from tests.unit.workers.test_owner import Rig
from workers.consumer import Ownership


class FlakyClaims:
    """Partition claims that fail while `down` is set."""

    def __init__(self) -> None:
        self.down = True
        self.claims: list[int] = []
        self.epochs: dict[int, int] = {}

    async def claim_partition(self, partition: int, previous: int | None) -> int:
        if self.down:
            raise NoHostAvailable("Cassandra stopped", {})
        self.claims.append(partition)
        self.epochs[partition] = self.epochs.get(partition, 0) + 1
        return self.epochs[partition]

    async def partition_events(self, partition: int) -> list[str]:
        if self.down:
            raise NoHostAvailable("Cassandra stopped", {})
        return []


async def test_an_assignment_while_cassandra_is_away_is_settled_when_it_returns() -> None:
    rig = Rig()
    rig.owner.epochs = {}
    claims = FlakyClaims()
    ownership = Ownership(rig.owner, claims)
    await ownership.on_partitions_assigned([TopicPartition("t", 0), TopicPartition("t", 3)])
    assert rig.owner.epochs == {} and set(ownership.unsettled) == {0, 3}
    claims.down = False
    ownership._next_try = 0.0  # the retry pause is a second; no need to wait it here
    await ownership.settle()
    assert rig.owner.epochs == {0: 1, 3: 1} and ownership.unsettled == {}
    await ownership.settle()
    assert claims.claims == [0, 3]  # settled partitions are not claimed again


async def test_a_partition_whose_events_cannot_be_read_keeps_its_epoch_and_tries_again() -> None:
    rig = Rig()
    rig.owner.epochs = {}
    claims = FlakyClaims()
    claims.down = False
    ownership = Ownership(rig.owner, claims)

    async def away(partition: int) -> list[str]:
        raise NoHostAvailable("Cassandra stopped", {})

    claims.partition_events = away  # type: ignore[method-assign]
    await ownership.on_partitions_assigned([TopicPartition("t", 1)])
    assert rig.owner.epochs == {1: 1} and set(ownership.unsettled) == {1}
    del claims.partition_events
    ownership._next_try = 0.0
    await ownership.settle()
    assert ownership.unsettled == {} and claims.claims == [1]  # one claim, not two
