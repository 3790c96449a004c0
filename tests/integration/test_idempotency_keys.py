"""The Idempotency-Key reservation in the real Cassandra, with routes that block or fail on
demand: one key runs one request at a time, a waiting request gets the first one's answer (or
409 when it keeps running), and a failed request releases its key."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from infra.cassandra import Row, Statements, connect
from infra.settings import Settings
from ingress import idempotency
from tests.support import eventually

pytestmark = pytest.mark.integration
KEY = {"Idempotency-Key": "k-1"}


class CountingStatements(Statements):
    """Counts the reads of the idempotency table (a waiting request polls it)."""

    polls = 0

    async def run(self, cql: str, *params: Any) -> list[Row]:
        if cql.startswith("SELECT") and "idempotency_keys" in cql:
            self.polls += 1
        return await super().run(cql, *params)


@dataclass
class Rig:
    q: CountingStatements
    http: httpx.AsyncClient
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    calls: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    async def stored(self) -> list[Row]:
        return await self.q.run("SELECT scope, status FROM idempotency_keys")


def app_for(rig_calls: list[str], gate: asyncio.Event, failures: list[str]) -> FastAPI:
    app = FastAPI()

    @app.post("/slow", status_code=201)
    async def slow() -> dict[str, int]:
        rig_calls.append("slow")
        await gate.wait()
        return {"run": len(rig_calls)}

    @app.post("/flaky", status_code=201)
    async def flaky() -> Any:
        rig_calls.append("flaky")
        if failures:
            failure = failures.pop(0)
            if failure == "raise":
                raise RuntimeError("the route broke")
            return JSONResponse({"error": {"code": "unavailable"}}, status_code=503)
        return {"run": len(rig_calls)}

    return app


@pytest.fixture
async def make_rig(settings: Settings) -> AsyncIterator[Any]:
    session = await asyncio.to_thread(connect, settings)
    clients: list[httpx.AsyncClient] = []

    async def make(wait_seconds: float = 30.0) -> Rig:
        gate, calls, failures = asyncio.Event(), [], []
        app = app_for(calls, gate, failures)
        idempotency.install(app, wait_seconds=wait_seconds)
        q = CountingStatements(session)
        app.state.ctx = SimpleNamespace(q=q)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url="http://test")
        clients.append(client)
        return Rig(q, client, gate, calls, failures)

    yield make
    for client in clients:
        await client.aclose()
    session.cluster.shutdown()


async def test_a_request_meeting_a_running_one_answers_with_its_response(make_rig: Any) -> None:
    rig: Rig = await make_rig()
    first = asyncio.create_task(rig.http.post("/slow", headers=KEY, json={"a": 1}))
    await eventually(lambda: rig.calls == ["slow"], what="the first request running")
    second = asyncio.create_task(rig.http.post("/slow", headers=KEY, json={"a": 1}))
    await eventually(lambda: rig.q.polls > 0, what="the second request waiting")
    assert not second.done()
    rig.gate.set()
    answers = await asyncio.wait_for(asyncio.gather(first, second), 10)
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json() == {"run": 1}
    assert rig.calls == ["slow"]
    assert [r["status"] for r in await rig.stored()] == [201]


async def test_a_request_still_running_after_the_wait_gets_409(make_rig: Any) -> None:
    rig: Rig = await make_rig(wait_seconds=0.5)
    first = asyncio.create_task(rig.http.post("/slow", headers=KEY, json={"a": 1}))
    await eventually(lambda: rig.calls == ["slow"], what="the first request running")
    second = await asyncio.wait_for(rig.http.post("/slow", headers=KEY, json={"a": 1}), 10)
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "idempotency_key_in_use"
    assert error["details"]["field"] == "Idempotency-Key"
    rig.gate.set()
    done = await asyncio.wait_for(first, 10)
    assert done.status_code == 201
    again = await rig.http.post("/slow", headers=KEY, json={"a": 1})
    assert again.status_code == 201 and again.json() == done.json()
    assert rig.calls == ["slow"]


async def test_another_body_while_the_first_runs_is_refused_at_once(make_rig: Any) -> None:
    rig: Rig = await make_rig()
    first = asyncio.create_task(rig.http.post("/slow", headers=KEY, json={"a": 1}))
    await eventually(lambda: rig.calls == ["slow"], what="the first request running")
    other = await asyncio.wait_for(rig.http.post("/slow", headers=KEY, json={"a": 2}), 10)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    rig.gate.set()
    assert (await first).status_code == 201
    assert rig.calls == ["slow"]


@pytest.mark.parametrize("failure", ["503", "raise"])
async def test_a_failed_request_releases_its_key(make_rig: Any, failure: str) -> None:
    rig: Rig = await make_rig()
    rig.failures.append(failure)
    failed = await rig.http.post("/flaky", headers=KEY, json={"a": 1})
    assert failed.status_code >= 500
    await eventually(lambda: _empty(rig), what="the key released")
    retried = await rig.http.post("/flaky", headers=KEY, json={"a": 1})
    assert retried.status_code == 201 and retried.json() == {"run": 2}
    assert rig.calls == ["flaky", "flaky"]


async def _empty(rig: Rig) -> bool:
    return await rig.stored() == []
