"""The admitter: one process (supervised like the others) that serves every waiting room it
holds the lease of. Each tick it ranks settled arrivals and lets in whoever is due; a room whose
write failed is dropped and read again from Cassandra, as after a restart."""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid

from prometheus_client import Counter, Gauge

from infra.cassandra import Statements, connect
from infra.logs import get_logger
from infra.settings import Settings
from tables import queue
from waitroom.room import Room

TICK_SECONDS = 0.05
LEASE_SECONDS = 5
RENEW_EVERY_SECONDS = 1.0
# A lease is trusted this long after its last renewal (well inside its TTL), so a paused
# admitter stops before another can take over.
TRUST_SECONDS = 3.0

log = get_logger("waitroom.admitter")
ADMITTED = Counter("evently_queue_admitted_total", "Buyers let in", ["event_id"])
WAITING = Gauge("evently_queue_waiting", "Buyers in the queue, not yet let in", ["event_id"])
JOINED = Gauge("evently_queue_joined", "Tickets taken", ["event_id"])


class Admitter:
    """Rooms under lease and their admission."""

    def __init__(self, q: Statements) -> None:
        self.q = q
        self.owner = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.rooms: dict[str, Room] = {}
        self.leased_until: dict[str, float] = {}
        self.renewed_at = 0.0

    async def renew(self) -> None:
        """Take or renew the lease of every room; forget those another admitter holds."""
        self.renewed_at = time.monotonic()
        for row in await queue.rooms(self.q):
            event_id = row["event_id"]
            started = time.monotonic()
            try:
                held = await queue.take_lease(self.q, event_id, self.owner, LEASE_SECONDS)
            except Exception as exc:  # noqa: BLE001 - Cassandra away: trust the lease less
                log.warning("lease_failed", event_id=event_id, error=repr(exc))
                continue
            if held:
                self.leased_until[event_id] = started + TRUST_SECONDS
                if event_id not in self.rooms:
                    self.rooms[event_id] = Room.of(row)
            else:
                self.leased_until.pop(event_id, None)
                self.rooms.pop(event_id, None)

    async def tick(self) -> None:
        """One step of every room whose lease is still trusted."""
        if time.monotonic() - self.renewed_at >= RENEW_EVERY_SECONDS:
            await self.renew()
        for event_id, room in list(self.rooms.items()):
            if time.monotonic() >= self.leased_until.get(event_id, 0.0):
                continue
            try:
                if not room.loaded:
                    await room.load(self.q)
                admitted = await room.step(self.q, time.time())
            except Exception as exc:  # noqa: BLE001 - read the room again next tick
                log.warning("room_failed", event_id=event_id, error=repr(exc))
                self.rooms[event_id] = Room(event_id, room.sale_starts_at, room.admit_per_minute)
                continue
            ADMITTED.labels(event_id).inc(admitted)
            WAITING.labels(event_id).set(len(room.waiting) + len(room.unranked))
            JOINED.labels(event_id).set(len(room.known))


async def run_admitter(settings: Settings) -> None:
    """Admit until cancelled."""
    session = await asyncio.to_thread(connect, settings)
    admitter = Admitter(Statements(session))
    log.info("admitter_started", owner=admitter.owner)
    try:
        while True:
            started = time.monotonic()
            try:
                await admitter.tick()
            except Exception as exc:  # noqa: BLE001 - Cassandra away: keep trying
                log.warning("tick_failed", error=repr(exc))
            await asyncio.sleep(max(0.0, TICK_SECONDS - (time.monotonic() - started)))
    finally:
        session.cluster.shutdown()
