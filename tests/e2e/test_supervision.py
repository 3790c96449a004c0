"""The run command as a user starts it: a seat worker killed with SIGKILL during a stream of holds
is restarted and counted, answers resume, no seat is held twice, and SIGTERM stops it all."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.cassandra import connect
from infra.settings import Settings
from seating import HoldStatus
from system.launch import settings_env
from tables.event_state import hold_from_row
from tests.e2e.conftest import ARTIFACTS, bearer
from tests.support import drop_deployment, isolated_settings
from topics.partitioning import seat_partition

pytestmark = pytest.mark.e2e
RESUME_WITHIN_S = 60.0  # session timeout (6 s) + rebalance + restart with its first backoff
CLIENTS = 4
ROWS = "ABCDEFGHIJKLMNOPQRST"  # 2,000 seats: the stream cannot sell out
LIVE = (HoldStatus.HELD, HoldStatus.CONFIRMING, HoldStatus.CONFIRMED)
RESTARTS = re.compile(r'^evently_process_restarts_total\{process="([^"]+)"\} (\S+)$', re.M)


@pytest.fixture
def run_settings(dev_stack: None) -> Iterator[Settings]:
    settings = isolated_settings(
        devstack_dir=ARTIFACTS / "supervision",
        kafka_credentials_dir=Settings().credentials_dir,  # the shared stack's logins
        max_active_holds_per_user=1000,
        command_timeout_seconds=5.0,
        hold_ttl_seconds=3600,
    )
    yield settings
    drop_deployment(settings)


@pytest.fixture
def run_command(run_settings: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m system.run` in the background, on its own keyspace, topics and port."""
    run_settings.devstack_dir.mkdir(parents=True, exist_ok=True)
    out = (run_settings.devstack_dir / "run.out").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "system.run"],
        env=settings_env(run_settings),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield process
    if process.poll() is None:  # SIGTERM: the run stops its children (SIGKILL would orphan them)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    out.close()


def wait_serving(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(f"{base_url}/events", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(log.read_text()[-3000:])


async def new_event(http: httpx.AsyncClient, admin: dict[str, str]) -> str:
    venue = await http.post(
        "/venue", headers=admin, json={"name": "Hall", "city": "Porto", "seat_types": ["Regular"]}
    )
    venue_id = venue.json()["venue_id"]
    for row in ROWS:  # a row a request: all at once would pass the body limit
        seats = [{"row": row, "number": n, "seat_type": "Regular"} for n in range(1, 101)]
        added = await http.post(f"/venue/{venue_id}/seats", headers=admin, json={"seats": seats})
        assert added.status_code == 201, added.text
    event = await http.post(
        "/events",
        headers=admin,
        json={
            "venue_id": venue_id,
            "name": "Restart Night",
            "starts_at": "2031-01-01T20:00:00Z",
            "prices": {"Regular": 10.0},
        },
    )
    assert event.status_code == 201, event.text
    return str(event.json()["event_id"])


def owner_pid(settings: Settings, event_id: str) -> int:
    """The pid of the worker process that owns the event's partition now."""
    session = connect(settings)
    try:
        owner = session.execute(
            "SELECT owner FROM seat_state WHERE shard = %s LIMIT 1", (seat_partition(event_id),)
        ).one()
        if owner is not None and owner["owner"]:
            return int(owner["owner"].rsplit("-", 1)[1])
    finally:
        session.cluster.shutdown()
    raise AssertionError(f"no owner for {event_id}")


def active_holds(settings: Settings, event_id: str) -> list[tuple[str, tuple[str, ...]]]:
    """(holding id, seat ids) of every held or confirmed hold the workers stored."""
    session = connect(settings)
    try:
        rows = session.execute(
            "SELECT data FROM seat_state WHERE shard = %s AND event_id = %s AND kind = 'hold'",
            (seat_partition(event_id), event_id),
        )
        holds = [hold_from_row(r["data"])[0] for r in rows]
    finally:
        session.cluster.shutdown()
    return [(h.holding_id, h.seat_ids) for h in holds if h.status in LIVE]


async def test_a_killed_worker_is_restarted_and_holds_resume(
    run_settings: Settings, run_command: subprocess.Popen[bytes]
) -> None:
    base_url = f"http://{run_settings.http_host}:{run_settings.http_port}"
    log = run_settings.devstack_dir / "run.out"
    await asyncio.to_thread(wait_serving, base_url, run_command, log)
    admin = bearer(run_settings.admin_token or "")
    async with httpx.AsyncClient(base_url=base_url, timeout=30.0) as http:
        event_id = await new_event(http, admin)
        buyers = []
        for i in range(CLIENTS):
            user = await http.post(
                "/user", json={"name": f"b{i}", "email": f"b{i}-{event_id}@t.dev"}
            )
            buyers.append(bearer(user.json()["token"]))
        answers: list[tuple[float, int, dict[str, Any]]] = []
        stop = asyncio.Event()

        async def stream(headers: dict[str, str]) -> None:
            while not stop.is_set():
                try:
                    response = await http.post(
                        f"/events/{event_id}/hold",
                        headers=headers,
                        json={"seat_type": "Regular", "quantity": 1},
                    )
                    answers.append((time.monotonic(), response.status_code, response.json()))
                except httpx.HTTPError as exc:
                    answers.append((time.monotonic(), 0, {"error": repr(exc)}))
                    await asyncio.sleep(0.2)
                await asyncio.sleep(0.25)

        streams = [asyncio.create_task(stream(h)) for h in buyers]
        while not any(status == 201 for _, status, _ in answers):
            await asyncio.sleep(0.1)
        victim = await asyncio.to_thread(owner_pid, run_settings, event_id)
        await asyncio.sleep(1.0)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()

        resumed_at = None
        while time.monotonic() - killed_at < RESUME_WITHIN_S:
            # Answers resume: a hold made after the kill was answered by the new owner.
            later = [t for t, status, _ in answers if status == 201 and t > killed_at + 1.0]
            if len(later) >= 5:
                resumed_at = later[0]
                break
            assert run_command.poll() is None, log.read_text()[-3000:]
            await asyncio.sleep(0.2)
        stop.set()
        await asyncio.gather(*streams)
        assert resumed_at is not None, f"no hold succeeded within {RESUME_WITHIN_S}s of the kill"
        print(f"holds resumed {resumed_at - killed_at:.1f}s after the kill")

        # The restart is counted at the ingress's /metrics.
        deadline = time.monotonic() + 30
        while True:
            restarts = dict(RESTARTS.findall((await http.get("/metrics")).text))
            if any(float(v) >= 1 for v in restarts.values()) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        assert {k: float(v) for k, v in restarts.items() if float(v)} in (
            {"worker-1": 1.0},
            {"worker-2": 1.0},
        ), restarts

        # Nothing sold twice: no seat in two held or confirmed holds, and every 201 is one of them.
        holds = await asyncio.to_thread(active_holds, run_settings, event_id)
        seats = [seat for _, seat_ids in holds for seat in seat_ids]
        assert len(seats) == len(set(seats)), "a seat is in two holds"
        answered = {
            body["holding_id"]: tuple(body["seat_ids"]) for _, s, body in answers if s == 201
        }
        stored = dict(holds)
        assert all(stored.get(h) == s for h, s in answered.items())
        statuses = {
            s["seat_id"]: s["status"]
            for s in (await http.get(f"/events/{event_id}/seats")).json()["seats"]
        }
        assert {s for s, status in statuses.items() if status != "available"} == set(seats)
        codes = {status for _, status, _ in answers}
        assert codes <= {201, 503, 0}, codes

    # SIGTERM stops everything, with exit status 0.
    run_command.send_signal(signal.SIGTERM)
    assert run_command.wait(60) == 0, log.read_text()[-3000:]
    assert "worker" in log.read_text() and "restarted" in log.read_text()
