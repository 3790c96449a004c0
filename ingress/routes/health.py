"""GET /health and GET /db-test."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter

from infra.cassandra import nodes, quorum_read
from ingress.deps import Context, Ctx
from ingress.errors import error_response

router = APIRouter(tags=["health"])
PROBE_SECONDS = 3.0
BROKER_SECONDS = 1.0


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


async def cassandra(ctx: Context) -> list[dict[str, Any]]:
    """A quorum read in the keyspace; the nodes the driver sees."""
    await quorum_read(ctx.q.session)
    return nodes(ctx.q.session)


async def kafka(ctx: Context) -> list[dict[str, Any]]:
    """The brokers of the cluster's metadata, each up if it takes a connection within a second;
    fewer up than min.insync.replicas, or a seat-commands partition without a leader, and
    commands cannot be written: raises."""
    client = ctx.bus.producer.client
    metadata = await client.fetch_all_metadata()

    async def up(node_id: int) -> bool:
        try:
            return bool(await asyncio.wait_for(client.ready(node_id), BROKER_SECONDS))
        except (TimeoutError, OSError):
            return False

    brokers = sorted(metadata.brokers(), key=lambda b: b.nodeId)
    alive = await asyncio.gather(*(up(b.nodeId) for b in brokers))
    seen = [
        {"node_id": b.nodeId, "address": f"{b.host}:{b.port}", "up": ok}
        for b, ok in zip(brokers, alive, strict=True)
    ]
    topic = ctx.topics.seat_commands
    partitions = metadata.partitions_for_topic(topic) or set()
    led = metadata.available_partitions_for_topic(topic) or set()
    if sum(alive) < ctx.settings.kafka_min_isr or led != partitions:
        raise ConnectionError(f"{sum(alive)} brokers up, {len(partitions - led)} leaderless")
    return seen


@router.get("/db-test", response_model=None)
async def db_test(ctx: Ctx) -> dict[str, object] | object:
    """200 when Cassandra and Kafka both answer (a quorum of each on a cluster); 503 naming
    what does not. Both list the nodes they see."""
    results = await asyncio.gather(
        *(asyncio.wait_for(probe(ctx), PROBE_SECONDS) for probe in (cassandra, kafka)),
        return_exceptions=True,
    )
    names = ("cassandra", "kafka")
    status = {
        name: "ok" if not isinstance(result, BaseException) else f"down: {type(result).__name__}"
        for name, result in zip(names, results, strict=True)
    }
    seen = {
        name: result
        for name, result in zip(names, results, strict=True)
        if not isinstance(result, BaseException)
    }
    down = [name for name, state in status.items() if state != "ok"]
    if down:
        return error_response(
            503,
            "dependency_unavailable",
            f"{' and '.join(n.capitalize() for n in down)} not answering",
            {"down": down, "checks": status, "nodes": seen},
        )
    return {"status": "ok", "checks": status, "nodes": seen}
