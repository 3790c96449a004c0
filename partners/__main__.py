"""`python -m partners`: run the partner gateway."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from contextlib import AsyncExitStack

from prometheus_client import start_http_server

from infra.cassandra import Statements, connect
from infra.kafka import make_consumer, make_producer, topics_for
from infra.logs import configure_logging, get_logger
from infra.settings import Settings, get_settings
from partners.gateway import Directory, Gateway, PartnerSender
from partners.limits import RateLimits

log = get_logger("gateway")


async def run_gateway(settings: Settings) -> None:
    """Run the gateway until cancelled."""
    name = f"gateway-{socket.gethostname()}-{os.getpid()}"
    topics = topics_for(settings)
    session = await asyncio.to_thread(connect, settings)
    common = {
        "client_id": name,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "session_timeout_ms": settings.worker_session_timeout_ms,
        "heartbeat_interval_ms": max(settings.worker_session_timeout_ms // 4, 500),
    }
    # A new partner's topic is found by the next metadata refresh: keep it short.
    commands = make_consumer(
        settings,
        "gateway",
        group_id=settings.gateway_group_id,
        metadata_max_age_ms=2000,
        **common,
    )
    commands.subscribe(pattern=topics.partner_commands_pattern)
    results = make_consumer(
        settings,
        "gateway",
        topics.seat_results,
        group_id=f"{settings.gateway_group_id}.results",
        **common,
    )
    producer = make_producer(settings, "gateway")
    sender = PartnerSender(producer, topics, consumer_name=name)
    gateway = Gateway(
        commands, results, sender, Directory(Statements(session), time.monotonic), RateLimits()
    )
    async with AsyncExitStack() as stack:
        await producer.start()
        stack.push_async_callback(producer.stop)
        for consumer in (commands, results):
            await consumer.start()
            stack.push_async_callback(consumer.stop)
        stack.callback(session.cluster.shutdown)
        log.info("gateway started", name=name, pattern=topics.partner_commands_pattern)
        await gateway.run()


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    if settings.gateway_metrics_port:
        start_http_server(settings.gateway_metrics_port, addr=settings.http_host)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_gateway(settings))


if __name__ == "__main__":
    main()
