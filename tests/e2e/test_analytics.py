"""Analytics end to end: exact figures, authorisation, lag, a restart mid-stream, dead letters,
and the reconciliation CLI agreeing after each."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from typing import Any

import httpx
import orjson
import pytest

from infra.kafka import make_consumer, make_producer, topics_for
from infra.settings import Settings
from system.launch import System, settings_env
from tests.e2e.conftest import MakeUser

pytestmark = pytest.mark.e2e
TWO_TYPES = {"rows": "AB", "per_row": 4, "types_by_row": {"A": "VIP", "B": "Regular"}}


async def hold(http: httpx.AsyncClient, event: dict[str, Any], buyer: dict, seats: list[str]):
    response = await http.post(
        f"/events/{event['event_id']}/hold", headers=buyer["headers"], json={"seat_ids": seats}
    )
    assert response.status_code == 201, response.text
    return response.json()["holding_id"]


async def confirm(http: httpx.AsyncClient, buyer: dict, holding_id: str, token: str = "tok_ok"):
    return await http.post(
        f"/{holding_id}/confirm", headers=buyer["headers"], json={"payment_token": token}
    )


async def figures_until(
    http: httpx.AsyncClient, event_id: str, headers: dict, expected: dict, timeout: float = 15.0
) -> dict[str, Any]:
    """Poll the endpoint until it shows `expected` (a subset); returns the last body."""
    deadline = time.monotonic() + timeout
    while True:
        response = await http.get(f"/events/{event_id}/analytics", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if {k: body.get(k) for k in expected} == expected or time.monotonic() > deadline:
            assert {k: body.get(k) for k in expected} == expected
            return body
        await asyncio.sleep(0.02)


def reconcile(settings: Settings, event_id: str | None = None) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "analytics.reconcile"]
    args += ["--event-id", event_id] if event_id else []
    return subprocess.run(args, env=settings_env(settings), capture_output=True, text=True)


async def assert_reconciled(settings: Settings, event_id: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        done = await asyncio.to_thread(reconcile, settings, event_id)
        if done.returncode == 0 or time.monotonic() > deadline:
            assert done.returncode == 0, done.stdout + done.stderr
            return
        await asyncio.sleep(0.5)


async def test_scripted_scenario_across_two_events(
    http: httpx.AsyncClient, make_event, make_user: MakeUser, admin: dict, e2e_settings: Settings
) -> None:
    a = await make_event(prices={"VIP": 100.0, "Regular": 50.0}, **TWO_TYPES)
    b = await make_event(
        rows="GF",
        per_row=4,
        prices={"Gold": 80.5, "Floor": 30.25},
        ttl=2,
        types_by_row={"G": "Gold", "F": "Floor"},
    )
    c1, c2, c3 = await make_user(), await make_user(), await make_user()

    h1 = await hold(http, a, c1, ["A-1", "A-2"])
    assert (await confirm(http, c1, h1)).status_code == 201
    h2 = await hold(http, a, c2, ["B-1", "B-2"])
    assert (await confirm(http, c2, h2, "tok_declined")).status_code == 402
    booking = await confirm(http, c2, h2)
    assert booking.status_code == 201, booking.text
    cancelled = await http.post(
        f"/bookings/{booking.json()['booking_id']}/cancel", headers=c2["headers"]
    )
    assert cancelled.status_code == 200, cancelled.text
    h3 = await hold(http, a, c3, ["B-3"])
    assert (await http.post(f"/{h3}/cancel", headers=c3["headers"])).status_code == 200
    await hold(http, a, c1, ["A-3"])

    g1 = await hold(http, b, c1, ["G-1", "F-1"])
    assert (await confirm(http, c1, g1)).status_code == 201
    await hold(http, b, c2, ["F-2"])  # lapses after 2 s

    body_a = await figures_until(
        http,
        a["event_id"],
        admin,
        {
            "capacity": 8,
            "booked": 2,
            "held": 1,
            "available": 5,
            "utilization": 0.25,
            "revenue": 200.0,
            "revenue_by_seat_type": {"VIP": 200.0},
            "holds_created": 4,
            "holds_confirmed": 2,
            "holds_expired": 0,
            "holds_cancelled": 1,
            "booking_success_rate": 0.5,
            "cancellation_rate": 0.5,
            "payment_failures": 1,
        },
    )
    assert body_a["users"] == {
        c1["user_id"]: {"bookings": 1, "seats": 2, "spend": 200.0, "cancellations": 0},
        c2["user_id"]: {"bookings": 1, "seats": 0, "spend": 0.0, "cancellations": 1},
    }
    assert body_a["seats"]["B-1"] == {"times_held": 1, "times_booked": 1, "conversion": 1.0}
    assert body_a["seats"]["A-3"] == {"times_held": 1, "times_booked": 0, "conversion": 0.0}
    assert sum(p["bookings"] for p in body_a["per_minute"]) == 2
    await figures_until(
        http,
        b["event_id"],
        b["organizer"]["headers"],
        {
            "capacity": 8,
            "booked": 2,
            "held": 0,
            "available": 6,
            "revenue": 110.75,
            "revenue_by_seat_type": {"Floor": 30.25, "Gold": 80.5},
            "holds_created": 2,
            "holds_confirmed": 1,
            "holds_expired": 1,
            "booking_success_rate": 0.5,
            "cancellation_rate": 0.0,
            "payment_failures": 0,
        },
    )
    for event in (a, b):
        await assert_reconciled(e2e_settings, event["event_id"])


async def test_authorisation(
    http: httpx.AsyncClient, make_event, make_user: MakeUser, admin: dict
) -> None:
    event = await make_event()
    owner, stranger = event["organizer"], await make_user("organizer")
    url = f"/events/{event['event_id']}/analytics"
    assert (await http.get(url, headers=owner["headers"])).status_code == 200
    assert (await http.get(url, headers=admin)).status_code == 200
    assert (await http.get(url, headers=stranger["headers"])).status_code == 404
    assert (await http.get(url, headers=(await make_user())["headers"])).status_code == 403
    assert (await http.get(url)).status_code == 401
    unknown = await http.get("/events/" + "0" * 32 + "/analytics", headers=admin)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "event_not_found"
    mine = (await http.get("/analytics/events", headers=owner["headers"])).json()["items"]
    assert [i["event_id"] for i in mine] == [event["event_id"]]
    assert {"capacity", "booked", "revenue"} <= set(mine[0])
    everyone = (await http.get("/analytics/events", headers=admin)).json()["items"]
    assert event["event_id"] in {i["event_id"] for i in everyone}
    assert (await http.get("/analytics/events", headers=stranger["headers"])).json() == {
        "items": []
    }


async def test_a_booking_shows_within_two_seconds(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event, buyer = await make_event(), await make_user()
    lags = []
    for n in range(1, 6):
        holding_id = await hold(http, event, buyer, [f"A-{n}"])
        assert (await confirm(http, buyer, holding_id)).status_code == 201
        booked_at = time.monotonic()
        await figures_until(
            http, event["event_id"], event["organizer"]["headers"], {"booked": n}, timeout=2.0
        )
        lags.append(time.monotonic() - booked_at)
    print(f"booking -> endpoint lag: max {max(lags):.3f}s, all {[round(x, 3) for x in lags]}")
    assert max(lags) < 2.0


async def test_a_restart_mid_stream_counts_nothing_twice_or_missed(
    http: httpx.AsyncClient,
    make_event,
    make_user: MakeUser,
    system: System,
    e2e_settings: Settings,
) -> None:
    event = await make_event(rows="ABCD", per_row=6)
    buyers = [await make_user() for _ in range(3)]

    async def buy(buyer: dict, row: str) -> int:
        booked = 0
        for n in range(1, 7):
            holding_id = await hold(http, event, buyer, [f"{row}-{n}"])
            token = "tok_declined" if n % 3 == 0 else "tok_ok"
            booked += (await confirm(http, buyer, holding_id, token)).status_code == 201
        return booked

    async def restart() -> None:
        await asyncio.sleep(0.8)
        system.kill("analytics", signal.SIGKILL)
        # Down until the group drops the dead member: bookings made meanwhile must be counted
        # once the new instance starts (a faster restart can leave the dead member's partitions
        # unread until faust rebalances; see docs/analytics.md).
        await asyncio.sleep(e2e_settings.worker_session_timeout_ms / 1000 + 1.0)
        system.spawn("analytics", "analytics", settings_env(e2e_settings))

    *booked, _ = await asyncio.gather(
        *(buy(b, r) for b, r in zip(buyers, "ABC", strict=True)), restart()
    )
    await figures_until(
        http,
        event["event_id"],
        event["organizer"]["headers"],
        {"booked": sum(booked), "holds_created": 18, "payment_failures": 6},
        timeout=60.0,
    )
    await assert_reconciled(e2e_settings, event["event_id"])


async def test_bad_messages_are_dead_lettered_and_change_nothing(
    http: httpx.AsyncClient, make_event, make_user: MakeUser, e2e_settings: Settings
) -> None:
    event, buyer = await make_event(), await make_user()
    holding_id = await hold(http, event, buyer, ["A-1"])
    assert (await confirm(http, buyer, holding_id)).status_code == 201
    topics = topics_for(e2e_settings)
    key = event["event_id"].encode()
    forged = {
        "message_id": "x#0",
        "type": "HoldConfirmed",
        "event_id": event["event_id"],
        "command_id": "x",
        "occurred_at": "2030-01-01T00:00:00Z",
        "data": {},
    }
    producer = make_producer(e2e_settings, "worker")
    await producer.start()
    try:
        for value in (b"{oops", orjson.dumps(forged), orjson.dumps(forged | {"type": "Nope"})):
            await producer.send_and_wait(topics.booking_events, value, key=key)
    finally:
        await producer.stop()
    consumer = make_consumer(
        e2e_settings,
        "admin",
        topics.dead_letters,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    reasons: list[str] = []
    try:
        deadline = time.monotonic() + 20
        while len(reasons) < 3 and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    letter = orjson.loads(record.value)
                    if letter["source_topic"] == topics.booking_events and letter["key"] == str(
                        event["event_id"]
                    ):
                        reasons.append(letter["reason"])
    finally:
        await consumer.stop()
    assert sorted(reasons) == ["bad_json", "invalid_fields", "unknown_type"]
    await figures_until(http, event["event_id"], event["organizer"]["headers"], {"booked": 1})
    await assert_reconciled(e2e_settings, event["event_id"])
