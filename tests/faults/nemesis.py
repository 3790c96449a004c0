"""The nemesis: a schedule of faults drawn from a seeded random generator, then carried out.

Each fault heals itself before the next begins (a killed worker is started again, a stopped
broker or database restarted, a paused worker resumed); `heal` puts everything back however a
run ends."""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from devstack import stack
from devstack.errors import DevstackError
from infra.cassandra import connect
from infra.settings import Settings
from system.launch import System, settings_env
from tests.faults.history import History
from tests.faults.proxy import CassandraProxy
from topics.partitioning import seat_partition

FAULTS = (
    "kill_worker",
    "restart_kafka",
    "restart_cassandra",
    "pause_worker",
    "duplicate",
    "kill_gateway",
    "late_writes",
    "lost_answers",
)
MODULES = {"gateway": "partners"}  # process name -> module; workers otherwise


@dataclass(frozen=True)
class Fault:
    """One fault: what, against whom, after how long a calm, and for how long."""

    name: str
    target: str
    calm: float
    duration: float


def schedule(rng: random.Random, workers: list[str], session_timeout_s: float) -> list[Fault]:
    """Every kind of fault once, plus two more drawn at random, in a random order."""
    names = [*FAULTS, *rng.choices(("kill_worker", "pause_worker", "duplicate"), k=2)]
    rng.shuffle(names)
    plan = []
    for name in names:
        duration = {
            "kill_worker": rng.uniform(1.0, 5.0),
            "pause_worker": session_timeout_s + rng.uniform(2.0, 5.0),
            "restart_kafka": rng.uniform(1.0, 5.0),
            "restart_cassandra": rng.uniform(1.0, 5.0),
            "duplicate": 0.0,
            "kill_gateway": rng.uniform(1.0, 5.0),
            "late_writes": session_timeout_s + rng.uniform(2.0, 4.0),
            "lost_answers": rng.uniform(1.0, 3.0),
        }[name]
        on_worker = name.endswith("_worker") or name in ("late_writes", "lost_answers")
        target = rng.choice(workers) if on_worker else name.split("_")[-1]
        plan.append(Fault(name, target, rng.uniform(3.0, 6.0), duration))
    return plan


def partition_owner(settings: Settings, event_id: str) -> str | None:
    """The name of the worker whose epoch owns the event's shard (`<host>-<pid>`)."""
    session = connect(settings)
    try:
        row = session.execute(
            "SELECT owner FROM seat_state WHERE shard = %s LIMIT 1", (seat_partition(event_id),)
        ).one()
        return row["owner"] if row else None
    finally:
        session.cluster.shutdown()


def start(service: str, attempts: int = 3) -> None:
    """Start a dev stack service and wait until it answers. The stack is shared: when another
    engineer starts it at the same moment, ours exits and theirs answers, which is as good."""
    for _ in range(attempts - 1):
        try:
            stack.start(service)
            return
        except DevstackError:
            if stack.is_ready(service):
                return
            time.sleep(5.0)
    stack.start(service)


class Nemesis:
    """Carries out a schedule against a running system and the dev stack."""

    def __init__(
        self,
        system: System,
        settings: Settings,
        history: History,
        duplicate: Callable[[], None],
        proxies: dict[str, CassandraProxy],
        event_id: str,
    ) -> None:
        self.system = system
        self.proxies = proxies
        self.event_id = event_id
        self.settings = settings
        self.history = history
        self.on_duplicate = duplicate
        self.paused: set[str] = set()
        self.workers = [n for n in system.processes if n.startswith("worker")]

    async def run(self, plan: list[Fault]) -> None:
        try:
            for fault in plan:
                await asyncio.sleep(fault.calm)
                self.history.fault(fault.name, "start", target=fault.target)
                await getattr(self, fault.name)(fault)
                self.history.fault(fault.name, "healed", target=fault.target)
        finally:
            for proxy in self.proxies.values():
                proxy.release()
                proxy.cut()
            await asyncio.to_thread(self.heal)

    async def kill_worker(self, fault: Fault) -> None:
        self.system.kill(fault.target, signal.SIGKILL)
        try:
            await asyncio.sleep(fault.duration)
        finally:
            self._spawn(fault.target)

    async def kill_gateway(self, fault: Fault) -> None:
        """kill -9 of the partner gateway mid-stream: partners' commands wait, none is lost."""
        await self.kill_worker(fault)

    def _spawn(self, name: str) -> None:
        if name in self.system.started_as:
            self.system.respawn(name)  # as first started: through its Cassandra proxy
        else:
            self.system.spawn(name, MODULES.get(name, "workers"), settings_env(self.settings))

    async def late_writes(self, fault: Fault) -> None:
        """The owner stops with its Cassandra requests held back; its partitions move on and
        the new owner writes; only then do the held requests land, and the owner resumes:
        every batch it had on its way must be refused."""
        target = await self._hot_owner(fault.target)
        proxy = self.proxies[target]
        proxy.stall()
        await asyncio.sleep(0.5)  # let the owner put a batch on the wire
        process = self.system.processes[target]
        process.send_signal(signal.SIGSTOP)
        self.paused.add(target)
        try:
            await asyncio.sleep(fault.duration)
        finally:
            proxy.release()
            self.history.fault(fault.name, "landed", target=target, bytes=proxy.held_bytes)
            await asyncio.sleep(1.0)
            process.send_signal(signal.SIGCONT)
            self.paused.discard(target)

    async def lost_answers(self, fault: Fault) -> None:
        """Cassandra takes the owner's requests but its answers are lost, then the connections
        drop: batches land that the owner must treat as unknown."""
        target = await self._hot_owner(fault.target)
        proxy = self.proxies[target]
        proxy.lose_answers()
        try:
            await asyncio.sleep(fault.duration)
        finally:
            self.history.fault(fault.name, "lost", target=target, bytes=proxy.dropped_bytes)
            proxy.cut()

    async def _hot_owner(self, drawn: str) -> str:
        """The worker owning the contended event's partition now (else the one drawn)."""
        owner = await asyncio.to_thread(partition_owner, self.settings, self.event_id)
        for name in self.workers:
            process = self.system.processes.get(name)
            if process is not None and owner is not None and owner.endswith(f"-{process.pid}"):
                return name
        return drawn

    async def pause_worker(self, fault: Fault) -> None:
        process = self.system.processes[fault.target]
        process.send_signal(signal.SIGSTOP)
        self.paused.add(fault.target)
        try:
            await asyncio.sleep(fault.duration)
        finally:
            process.send_signal(signal.SIGCONT)
            self.paused.discard(fault.target)

    async def restart_kafka(self, fault: Fault) -> None:
        await self._restart("kafka", fault.duration)

    async def restart_cassandra(self, fault: Fault) -> None:
        await self._restart("cassandra", fault.duration)

    async def _restart(self, service: str, down_for: float) -> None:
        try:
            await asyncio.to_thread(stack.stop, service)
            await asyncio.sleep(down_for)
        finally:
            await asyncio.to_thread(start, service)

    async def duplicate(self, fault: Fault) -> None:
        """Ask the partner clients to send their recent commands again."""
        self.on_duplicate()

    def heal(self) -> None:
        """Everything running again: paused workers resumed, Kafka and Cassandra ready, every
        worker process alive."""
        for name in list(self.paused):
            self.system.processes[name].send_signal(signal.SIGCONT)
        self.paused.clear()
        for service in ("kafka", "cassandra"):
            if not stack.is_ready(service):
                start(service)
        for name in [*self.workers, "gateway"]:
            process = self.system.processes.get(name)
            if process is None or process.poll() is not None:
                self._spawn(name)
