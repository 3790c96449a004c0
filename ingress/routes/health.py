"""GET /health and GET /db-test."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from infra.cassandra import execute
from ingress.deps import Ctx
from ingress.errors import error_response

router = APIRouter(tags=["health"])
PROBE_SECONDS = 3.0


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/db-test", response_model=None)
async def db_test(ctx: Ctx) -> dict[str, object] | object:
    """200 when Cassandra and Kafka both answer; 503 naming what does not."""

    async def cassandra() -> None:
        await execute(ctx.q.session, "SELECT release_version FROM system.local")

    async def kafka() -> None:
        await ctx.bus.producer.client.fetch_all_metadata()

    results = await asyncio.gather(
        *(asyncio.wait_for(probe(), PROBE_SECONDS) for probe in (cassandra, kafka)),
        return_exceptions=True,
    )
    status = {
        name: "ok" if not isinstance(result, BaseException) else f"down: {type(result).__name__}"
        for name, result in zip(("cassandra", "kafka"), results, strict=True)
    }
    down = [name for name, state in status.items() if state != "ok"]
    if down:
        return error_response(
            503,
            "dependency_unavailable",
            f"{' and '.join(n.capitalize() for n in down)} not answering",
            {"down": down, "checks": status},
        )
    return {"status": "ok", "checks": status}
