"""Scenario 3: the partner path, as a partner has it. A partner made like POST /partners makes
one (SCRAM login, its own topics, no practical limits) produces to its command topic over the
authenticated listener; the gateway forwards to the seat workers and answers on the partner's
result topic: decisions a second and produce-to-outcome latency."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from benchmarks.procs import CpuMeter
from benchmarks.seed import Layout
from benchmarks.stats import Recorder
from infra.cassandra import Statements, connect
from infra.kafka_auth import aiokafka_options_for
from infra.settings import KafkaLogin, Settings
from partners.provision import Provisioned, provision
from topics.codec import encode
from topics.names import PARTNER_RESULTS
from topics.partners import PartnerCommand, PartnerConfirmHoldV1, PartnerHoldSeatsV1


class PartnerLoad:
    """Keeps `window` commands in flight; 80% of created holds are confirmed (5% declined)."""

    def __init__(self, settings: Settings, layouts: list[Layout], partner: Provisioned) -> None:
        self.settings = settings
        self.partner = partner
        self.layouts = layouts
        self.rng = random.Random(3)
        self.recorder = Recorder()
        self.in_flight: dict[str, tuple[str, float, str]] = {}
        self.done = 0

    def _hold(self) -> PartnerHoldSeatsV1:
        layout = self.rng.choice(self.layouts)
        common = {"command_id": uuid.uuid4().hex, "event_id": layout.event_id}
        if self.rng.random() < 0.5:
            return PartnerHoldSeatsV1(
                **common, seat_type="Regular", quantity=self.rng.randint(1, 3)
            )
        row = self.rng.choice(list(layout.rows))
        start = self.rng.randrange(len(layout.rows[row]) - 2)
        seats = layout.rows[row][start : start + self.rng.randint(1, 2)]
        return PartnerHoldSeatsV1(**common, seat_ids=seats)

    async def _send(self, producer: Any, command: PartnerCommand, op: str) -> None:
        self.in_flight[command.command_id] = (op, time.perf_counter(), "")
        await producer.send(
            self.partner.partner.command_topic, encode(command), key=command.event_id.encode()
        )

    async def run(self, holds: int, window: int, seconds: float, rate: float | None = None) -> None:
        """Send `holds` holds (for at most `seconds`) with at most `window` commands in
        flight; with a `rate`, paced at that many holds a second (an open loop)."""
        made = self.partner.partner
        login = KafkaLogin(username=made.kafka_username, password=self.partner.password)
        options = aiokafka_options_for(self.settings, login)
        producer = AIOKafkaProducer(**options, acks="all", linger_ms=1)
        consumer = AIOKafkaConsumer(
            **options, group_id=None, enable_auto_commit=False, fetch_max_wait_ms=20
        )
        await producer.start()
        await consumer.start()
        try:
            parts = [
                TopicPartition(made.result_topic, p) for p in range(PARTNER_RESULTS.partitions)
            ]
            consumer.assign(parts)
            await consumer.seek_to_end(*parts)
            for tp in parts:
                await consumer.position(tp)
            slots = asyncio.Semaphore(window)
            reader = asyncio.create_task(self._read(consumer, producer, slots))
            self.recorder = Recorder()
            began = time.perf_counter()
            deadline = began + seconds
            for sent in range(holds):
                if time.perf_counter() > deadline:
                    break
                if rate:
                    await asyncio.sleep(max(0.0, began + sent / rate - time.perf_counter()))
                await slots.acquire()
                await self._send(producer, self._hold(), "hold")
            async with asyncio.timeout(120):
                while self.in_flight:
                    await asyncio.sleep(0.05)
            reader.cancel()
        finally:
            await consumer.stop()
            await producer.stop()

    async def _read(
        self, consumer: AIOKafkaConsumer, producer: Any, slots: asyncio.Semaphore
    ) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=100, max_records=1000)
            now = time.perf_counter()
            for records in batches.values():
                for record in records:
                    outcome = orjson.loads(record.value or b"{}")
                    sent = self.in_flight.pop(outcome.get("command_id") or "", None)
                    if sent is None:
                        continue
                    op, began, _ = sent
                    status = outcome["status"]
                    label = (
                        status if status != "rejected" else f"rejected {outcome['error']['code']}"
                    )
                    self.recorder.add(op, began, label, ended=now)
                    if op == "hold":
                        self.done += 1
                    if op == "hold" and status == "created" and self.rng.random() < 0.8:
                        token = "tok_declined" if self.rng.random() < 0.05 else "tok_ok"  # noqa: S105
                        confirm = PartnerConfirmHoldV1(
                            command_id=uuid.uuid4().hex,
                            event_id=outcome["event_id"],
                            holding_id=outcome["result"]["holding_id"],
                            payment_token=token,
                        )
                        await self._send(producer, confirm, "confirm")
                    else:
                        slots.release()


async def run(
    settings: Settings,
    layouts: list[Layout],
    holds: int,
    window: int,
    seconds: float,
    meter: CpuMeter,
    watch: dict[str, PartnerLoad],
    rate: float | None = None,
) -> dict[str, Any]:
    """The partner path's figures: as fast as it goes with `window` commands in flight, or
    (with `rate`) at that many holds a second. A partner already in `watch` (from a run
    before) sends again, so no run waits for the gateway to find a new partner's topic."""
    earlier = watch.get("partner")
    if earlier is not None:  # the partner of the run before: the gateway already reads it
        partner = earlier.partner
    else:
        session = await asyncio.to_thread(connect, settings)
        try:  # as fast as the channel goes: the limits are not what is measured
            partner = await provision(settings, Statements(session), "benchmark", 1e6, 10**9)
        finally:
            session.cluster.shutdown()
    load = watch["partner"] = PartnerLoad(settings, layouts, partner)
    meter.start()
    cpu = time.process_time()
    async with asyncio.timeout(seconds + 150):  # a broker outage must not hang the run
        await load.run(holds, window, seconds, rate)
    rec = load.recorder
    wall = time.perf_counter() - rec.started
    everything = Recorder(rec.started, [("any", *s[1:]) for s in rec.samples])
    decided = everything.summary("any", ok=("created", "ok"))
    return {
        "holds_sent": rec.summary("hold").get("count", 0),
        "holds_planned": holds,
        "window": window,
        "hold_rate": rate,
        "decisions": decided["count"],
        "decisions_per_s": decided["per_s"],
        "latency": decided,
        "hold": rec.summary("hold", ok=("created",)),
        "confirm": rec.summary("confirm", ok=("created", "ok")),
        "cores": meter.stop(),
        "generator_cores": round((time.process_time() - cpu) / wall, 2),
        "timeline": {"decision": everything.timeline("any")},
    }
