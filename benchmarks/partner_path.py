"""Scenario 3: the partner path. Seat commands produced straight to the command topic, outcomes
read from the results topic: decisions a second and produce-to-outcome latency."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from benchmarks.procs import CpuMeter
from benchmarks.seed import Buyer, Layout
from benchmarks.stats import Recorder
from infra.kafka import make_producer, topics_for
from infra.settings import Settings
from topics.codec import encode
from topics.commands import ConfirmHoldV1, HoldSeatsV1, SeatCommand
from topics.names import SEAT_RESULTS


class PartnerLoad:
    """Keeps `window` commands in flight; 80% of created holds are confirmed (5% declined)."""

    def __init__(self, settings: Settings, layouts: list[Layout], buyers: list[Buyer]) -> None:
        self.settings = settings
        self.topics = topics_for(settings)
        self.layouts, self.buyers = layouts, buyers
        self.rng = random.Random(3)
        self.recorder = Recorder()
        self.in_flight: dict[str, tuple[str, float, str]] = {}
        self.done = 0

    def _hold(self) -> HoldSeatsV1:
        layout = self.rng.choice(self.layouts)
        common = {
            "command_id": uuid.uuid4().hex,
            "event_id": layout.event_id,
            "user_id": self.rng.choice(self.buyers).user_id,
        }
        if self.rng.random() < 0.5:
            return HoldSeatsV1(**common, seat_type="Regular", quantity=self.rng.randint(1, 3))
        row = self.rng.choice(list(layout.rows))
        start = self.rng.randrange(len(layout.rows[row]) - 2)
        seats = layout.rows[row][start : start + self.rng.randint(1, 2)]
        return HoldSeatsV1(**common, seat_ids=seats)

    async def _send(self, producer: Any, command: SeatCommand, op: str) -> None:
        command = command.model_copy(update={"correlation_id": command.command_id})
        self.in_flight[command.command_id] = (op, time.perf_counter(), command.user_id or "")
        await producer.send(
            self.topics.seat_commands, encode(command), key=command.event_id.encode()
        )

    async def run(self, holds: int, window: int, seconds: float) -> None:
        producer = make_producer(self.settings)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            fetch_max_wait_ms=20,
        )
        await producer.start()
        await consumer.start()
        try:
            parts = [
                TopicPartition(self.topics.seat_results, p) for p in range(SEAT_RESULTS.partitions)
            ]
            consumer.assign(parts)
            await consumer.seek_to_end(*parts)
            for tp in parts:
                await consumer.position(tp)
            slots = asyncio.Semaphore(window)
            reader = asyncio.create_task(self._read(consumer, producer, slots))
            self.recorder = Recorder()
            deadline = time.perf_counter() + seconds
            for _ in range(holds):
                if time.perf_counter() > deadline:
                    break
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
                    sent = self.in_flight.pop(outcome.get("correlation_id") or "", None)
                    if sent is None:
                        continue
                    op, began, user_id = sent
                    status = outcome["status"]
                    label = (
                        status if status != "rejected" else f"rejected {outcome['error']['code']}"
                    )
                    self.recorder.add(op, began, label, ended=now)
                    if op == "hold":
                        self.done += 1
                    if op == "hold" and status == "created" and self.rng.random() < 0.8:
                        token = "tok_declined" if self.rng.random() < 0.05 else "tok_ok"  # noqa: S105
                        confirm = ConfirmHoldV1(
                            command_id=uuid.uuid4().hex,
                            event_id=outcome["event_id"],
                            user_id=user_id,
                            holding_id=outcome["result"]["holding_id"],
                            payment_token=token,
                        )
                        await self._send(producer, confirm, "confirm")
                    else:
                        slots.release()


async def run(
    settings: Settings,
    layouts: list[Layout],
    buyers: list[Buyer],
    holds: int,
    window: int,
    seconds: float,
    meter: CpuMeter,
    watch: dict[str, PartnerLoad],
) -> dict[str, Any]:
    load = watch["partner"] = PartnerLoad(settings, layouts, buyers)
    meter.start()
    cpu = time.process_time()
    async with asyncio.timeout(seconds + 150):  # a broker outage must not hang the run
        await load.run(holds, window, seconds)
    rec = load.recorder
    wall = time.perf_counter() - rec.started
    everything = Recorder(rec.started, [("any", *s[1:]) for s in rec.samples])
    decided = everything.summary("any", ok=("created", "ok"))
    return {
        "holds_sent": rec.summary("hold").get("count", 0),
        "holds_planned": holds,
        "window": window,
        "decisions": decided["count"],
        "decisions_per_s": decided["per_s"],
        "latency": decided,
        "hold": rec.summary("hold", ok=("created",)),
        "confirm": rec.summary("confirm", ok=("created", "ok")),
        "cores": meter.stop(),
        "generator_cores": round((time.process_time() - cpu) / wall, 2),
        "timeline": {"decision": everything.timeline("any")},
    }
