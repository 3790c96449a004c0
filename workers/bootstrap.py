"""Wire a worker from settings: Cassandra, Kafka, the payment provider and the owner."""

from __future__ import annotations

import asyncio
import os
import socket
from contextlib import AsyncExitStack

from infra.cassandra import Statements, connect
from infra.kafka import make_consumer, make_producer, topics_for
from infra.logs import get_logger
from infra.settings import Settings
from workers.consumer import CommandLoop, Ownership
from workers.owner import SeatOwner
from workers.payment_desk import PaymentDesk
from workers.payments import SimulatedProvider
from workers.publisher import Publisher
from workers.store import Rules, SeatStore

log = get_logger("worker")


async def run_worker(settings: Settings) -> None:
    """Run one seat worker until cancelled."""
    name = f"{socket.gethostname()}-{os.getpid()}"
    topics = topics_for(settings)
    session = await asyncio.to_thread(connect, settings)
    statements = Statements(session)
    store = SeatStore(statements, owner=name, topic=topics.seat_commands)
    producer = make_producer(settings, "worker")
    consumer = make_consumer(
        settings,
        "worker",
        group_id=settings.worker_group_id,
        client_id=name,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        session_timeout_ms=settings.worker_session_timeout_ms,
        heartbeat_interval_ms=max(settings.worker_session_timeout_ms // 4, 500),
        max_poll_interval_ms=60_000,
    )
    publisher = Publisher(producer, topics, consumer_name=name)
    payments = PaymentDesk(
        SimulatedProvider(statements, settings.payment_failure_rate, settings.payment_latency_ms),
        publisher,
        inline_seconds=settings.payment_inline_ms / 1000,
    )
    owner = SeatOwner(
        store,
        publisher,
        Rules(settings.max_seats_per_hold, settings.max_active_holds_per_user),
        payments,
    )
    ownership = Ownership(owner, store)
    loop = CommandLoop(consumer, owner, publisher, ownership)
    consumer.subscribe([topics.seat_commands], listener=ownership)
    async with AsyncExitStack() as stack:
        await producer.start()
        stack.push_async_callback(producer.stop)
        await consumer.start()
        stack.push_async_callback(consumer.stop)
        stack.push_async_callback(payments.close)
        stack.callback(session.cluster.shutdown)
        log.info("worker started", name=name, topic=topics.seat_commands)
        ticks = [
            asyncio.create_task(loop.expire_due()),
            asyncio.create_task(loop.commit_finished()),
        ]
        try:
            await loop.run()
        finally:
            for tick in ticks:
                tick.cancel()
