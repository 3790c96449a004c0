"""Faults of a 3-node Kafka and 3-node Cassandra: kill -9 of the Kafka node leading the hot
partition (the event's), kill -9 of one Cassandra node, a node paused (SIGSTOP) past the
broker's session, a rolling restart of every node. A quorum of each stays up throughout."""

from __future__ import annotations

import asyncio
import os
import random
import signal

from aiokafka.admin import AIOKafkaAdminClient

from devstack import stack
from devstack.layout import Layout
from devstack.process import find_pid
from infra.kafka import topics_for
from infra.kafka_auth import aiokafka_options
from tests.faults.nemesis import Fault, Nemesis, start
from topics.partitioning import seat_partition

CLUSTER_FAULTS = ("kill_kafka_leader", "kill_cassandra_node", "pause_node", "rolling_restart")
PAUSE_SECONDS = (11.0, 14.0)  # past broker.session.timeout.ms (9 s): the node is fenced


def cluster_schedule(rng: random.Random, workers: list[str], _session: float) -> list[Fault]:
    """Each cluster fault once and a worker killed, in a random order, 4-8 s of calm between."""
    names = [*CLUSTER_FAULTS, "kill_worker"]
    rng.shuffle(names)
    nodes = [f"{service}-{n}" for service in ("kafka", "cassandra") for n in (1, 2, 3)]
    plan = []
    for name in names:
        target, duration = {
            "kill_kafka_leader": ("leader", rng.uniform(2.0, 6.0)),
            "kill_cassandra_node": (f"cassandra-{rng.randint(1, 3)}", rng.uniform(2.0, 6.0)),
            "pause_node": (rng.choice(nodes), rng.uniform(*PAUSE_SECONDS)),
            "rolling_restart": ("all", 0.0),
            "kill_worker": (rng.choice(workers), rng.uniform(1.0, 5.0)),
        }[name]
        plan.append(Fault(name, target, rng.uniform(4.0, 8.0), duration))
    return plan


class ClusterNemesis(Nemesis):
    """The nemesis with the cluster's faults; every node is ready again after each."""

    def _pid(self, node: str) -> int:
        pid = find_pid(Layout.from_settings(self.settings), node)
        assert pid is not None, f"{node} is not running"
        return pid

    async def hot_leader(self) -> str:
        """The Kafka node leading the event's partition of the seat commands."""
        admin = AIOKafkaAdminClient(**aiokafka_options(self.settings, "admin"))
        await admin.start()
        try:
            [described] = await admin.describe_topics([topics_for(self.settings).seat_commands])
        finally:
            await admin.close()
        leaders = {p["partition"]: p["leader"] for p in described["partitions"]}
        return f"kafka-{leaders[seat_partition(self.event_id)]}"

    async def _kill_node(self, node: str, down_for: float) -> None:
        os.kill(self._pid(node), signal.SIGKILL)
        try:
            await asyncio.sleep(down_for)
        finally:
            await asyncio.to_thread(start, node, self.settings)

    async def kill_kafka_leader(self, fault: Fault) -> None:
        node = await self.hot_leader()
        self.history.fault(fault.name, "target", node=node)
        await self._kill_node(node, fault.duration)

    async def kill_cassandra_node(self, fault: Fault) -> None:
        await self._kill_node(fault.target, fault.duration)

    async def pause_node(self, fault: Fault) -> None:
        pid = self._pid(fault.target)
        os.killpg(pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(fault.duration)
        finally:
            os.killpg(pid, signal.SIGCONT)
        await asyncio.to_thread(stack.up, [fault.target], self.settings)

    async def rolling_restart(self, fault: Fault) -> None:
        """Every node of each cluster in turn, the two clusters side by side (kafka-n with
        cassandra-n): stopped (SIGTERM), started, ready. Each cluster keeps its quorum."""
        by_cluster: dict[str, list[str]] = {}
        for name, spec in stack.specs(self.settings).items():
            by_cluster.setdefault(spec.service, []).append(name)
        for round_ in zip(*by_cluster.values(), strict=True):
            await asyncio.gather(*(self._restart(fault, node) for node in round_))

    async def _restart(self, fault: Fault, node: str) -> None:
        self.history.fault(fault.name, "node", node=node)
        await asyncio.to_thread(stack.stop, node, self.settings)
        await asyncio.to_thread(start, node, self.settings)
