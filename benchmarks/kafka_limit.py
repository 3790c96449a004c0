"""Baseline (b): the limit of this box for the partner path's shape. Raw aiokafka round trips
client -> topic -> relay process(es) -> topic -> client on the same broker, over the same
authenticated listener (SCRAM, as the super user), with the workers' producer and consumer
settings and no decision, no Cassandra."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from typing import Any

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from benchmarks.procs import CpuMeter
from benchmarks.stats import Recorder
from infra.kafka import make_consumer, make_producer
from infra.kafka_auth import aiokafka_options
from infra.settings import Settings

PARTITIONS = 12
PAYLOAD = (
    b'{"schema_version":1,"command_id":"%s","event_id":"0123456789abcdef0123456789abcdef",'
    b'"correlation_id":"%s","type":"hold_seats","user_id":"0123456789abcdef0123456789abcdef",'
    b'"seat_ids":["K-17","K-18"],"quantity":0}'
)


def relay_main(settings: Settings, source: str, target: str, partitions: list[int]) -> None:
    """A relay process: what a worker does with a poll, minus deciding and Cassandra."""
    asyncio.run(_relay(settings, source, target, partitions))


async def _relay(settings: Settings, source: str, target: str, partitions: list[int]) -> None:
    producer = make_producer(settings, "admin")
    consumer = make_consumer(
        settings,
        "admin",
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await producer.start()
    await consumer.start()
    consumer.assign([TopicPartition(source, p) for p in partitions])
    while True:
        batches = await consumer.getmany(timeout_ms=100, max_records=500)
        sends = [
            await producer.send(target, r.value, key=r.key) for rs in batches.values() for r in rs
        ]
        await asyncio.gather(*sends)


async def _topics(settings: Settings, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(**aiokafka_options(settings, "admin"))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, PARTITIONS, 1) for n in names])
    finally:
        await admin.close()


async def round_trips(
    settings: Settings,
    messages: int,
    window: int,
    relays: int,
    meter: CpuMeter,
    watch: dict[str, Recorder],
) -> dict[str, Any]:
    source = f"{settings.topic_prefix}bench.relay-in"
    target = f"{settings.topic_prefix}bench.relay-out"
    await _topics(settings, [source, target])
    spawn = multiprocessing.get_context("spawn")
    procs = [
        spawn.Process(
            target=relay_main,
            args=(settings, source, target, list(range(i, PARTITIONS, relays))),
            daemon=True,
        )
        for i in range(relays)
    ]
    for proc in procs:
        proc.start()
    try:
        meter.pids.update({f"relay-{i + 1}": p.pid for i, p in enumerate(procs) if p.pid})
        async with asyncio.timeout(120):
            await _exchange(settings, source, target, 100, window, Recorder())  # warm up
        recorder = watch["kafka"] = Recorder()
        meter.start()
        cpu = time.process_time()
        async with asyncio.timeout(300):  # a broker outage must not hang the run
            await _exchange(settings, source, target, messages, window, recorder)
        cores = meter.stop()
        wall = time.perf_counter() - recorder.started
    finally:
        for proc in procs:
            proc.terminate()
            proc.join(10)
    summary = recorder.summary("round_trip", ok=("ok",))
    return {
        "messages": messages,
        "window": window,
        "relays": relays,
        "round_trips_per_s": summary["per_s"],
        "latency": summary,
        "cores": cores,
        "generator_cores": round((time.process_time() - cpu) / wall, 2),
        "timeline": {"round_trip": recorder.timeline("round_trip")},
    }


async def _exchange(
    settings: Settings, source: str, target: str, messages: int, window: int, recorder: Recorder
) -> None:
    producer = make_producer(settings, "admin")
    consumer = make_consumer(
        settings,
        "admin",
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="latest",
        fetch_max_wait_ms=20,
    )
    await producer.start()
    await consumer.start()
    try:
        parts = [TopicPartition(target, p) for p in range(PARTITIONS)]
        consumer.assign(parts)
        await consumer.seek_to_end(*parts)
        for tp in parts:
            await consumer.position(tp)
        slots = asyncio.Semaphore(window)
        sent: dict[bytes, float] = {}

        async def read() -> None:
            while True:
                batches = await consumer.getmany(timeout_ms=100, max_records=1000)
                now = time.perf_counter()
                for records in batches.values():
                    for record in records:
                        began = sent.pop(record.key or b"", None)
                        if began is not None:
                            recorder.add("round_trip", began, "ok", ended=now)
                            slots.release()

        reader = asyncio.create_task(read())
        for _ in range(messages):
            await slots.acquire()
            key = uuid.uuid4().hex.encode()
            sent[key] = time.perf_counter()
            await producer.send(source, PAYLOAD % (key, key), key=key)
        async with asyncio.timeout(120):
            while sent:
                await asyncio.sleep(0.02)
        reader.cancel()
    finally:
        await consumer.stop()
        await producer.stop()
