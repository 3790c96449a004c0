"""Helpers for tests: isolated settings, free ports, waiting on a condition."""

from __future__ import annotations

import asyncio
import inspect
import socket
import time
import uuid
from collections.abc import Awaitable, Callable

from infra.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def eventually(
    condition: Callable[[], bool | Awaitable[bool]],
    timeout: float = 10.0,
    interval: float = 0.01,
    what: str = "the condition",
) -> None:
    """Wait until `condition()` holds (it may be a coroutine function); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        met = condition()
        if inspect.isawaitable(met):
            met = await met
        if met:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} did not hold within {timeout} s")
        await asyncio.sleep(interval)


def isolated_settings(**overrides: object) -> Settings:
    """Settings with a keyspace and topic prefix of their own, so tests do not meet."""
    run = uuid.uuid4().hex[:8]
    values: dict[str, object] = {
        "cassandra_keyspace": f"evently_t{run}",
        "topic_prefix": f"t{run}.",
        "worker_group_id": f"workers-{run}",
        "gateway_group_id": f"gateway-{run}",
        "http_port": free_port(),
        "admin_token": f"adm_{uuid.uuid4().hex}",
        "queue_pass_secret": uuid.uuid4().hex,
        "worker_session_timeout_ms": 6000,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def drop_deployment(settings: Settings) -> None:
    """Drop the keyspace and topics of an isolated test deployment (each table costs heap)."""
    import asyncio

    from aiokafka.admin import AIOKafkaAdminClient

    from infra.cassandra import connect
    from infra.kafka_auth import aiokafka_options

    session = connect(settings, keyspace=False, timeout=30.0)
    try:
        session.execute(f"DROP KEYSPACE IF EXISTS {settings.cassandra_keyspace}", timeout=60.0)
    finally:
        session.cluster.shutdown()

    async def delete_topics() -> None:
        admin = AIOKafkaAdminClient(**aiokafka_options(settings, "admin"))
        await admin.start()
        try:
            existing = await admin.list_topics()
            mine = [n for n in existing if n.startswith(settings.topic_prefix)]
            if mine:
                await admin.delete_topics(mine)
        finally:
            await admin.close()

    if settings.topic_prefix:
        asyncio.run(delete_topics())
        forget_principals(settings)


def forget_principals(settings: Settings) -> None:
    """Delete the Kafka users and ACLs of an isolated deployment (services and partners)."""
    from infra.kafka_admin import SecurityAdmin

    if settings.kafka_security_protocol == "PLAINTEXT":
        return
    admin = SecurityAdmin(settings, "admin")
    principals = {g.principal for g in admin.describe()}
    mine = [p for p in principals if p.startswith(f"User:{settings.topic_prefix}")]
    for principal in mine:
        admin.revoke_principal(principal)
    admin.delete_users([p.removeprefix("User:") for p in mine])
