"""The load generator's HTTP client (aiohttp: several times cheaper per request than httpx)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import orjson

from benchmarks.stats import Recorder


def session(base_url: str, connections: int) -> aiohttp.ClientSession:
    """A client keeping up to `connections` keep-alive connections to `base_url`."""
    return aiohttp.ClientSession(
        base_url=base_url,
        connector=aiohttp.TCPConnector(limit=connections, force_close=False),
        timeout=aiohttp.ClientTimeout(total=120),
        json_serialize=lambda value: orjson.dumps(value).decode(),
    )


async def call(
    http: aiohttp.ClientSession,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
) -> tuple[int, Any]:
    """(status, parsed JSON body or None); a transport failure is status 0."""
    try:
        async with http.request(method, path, json=body, headers=headers) as response:
            raw = await response.read()
            return response.status, orjson.loads(raw) if raw else None
    except (aiohttp.ClientError, TimeoutError, orjson.JSONDecodeError) as exc:
        return 0, {"error": {"code": type(exc).__name__}}


async def noop_ceiling(base_url: str, connections: int, seconds: float) -> dict[str, Any]:
    """GET /health as fast as `connections` closed-loop clients can: what the generator plus
    uvicorn can do for a request that does no work, the ceiling for any endpoint."""
    recorder = Recorder()
    deadline = time.perf_counter() + seconds
    cpu = time.process_time()

    async with session(base_url, connections) as http:

        async def client() -> None:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                status, _ = await call(http, "GET", "/health")
                recorder.add("health", began, str(status))

        await asyncio.gather(*(client() for _ in range(connections)))
    summary = recorder.summary("health")
    summary["generator_cores"] = round((time.process_time() - cpu) / seconds, 2)
    return summary
