"""Workers killed (kill -9) again and again while freed seats are offered to a waiting list:
nobody loses their place, no entry is offered twice, no seat is held or sold twice.

70 buyers wait for one seat each of a sold-out event of 60 seats with a 15 s hold time; the
seats free up (two cancelled holds of 10, then lapsed holds, then lapsed offers) while a nemesis
kills a random worker every 1-2 s and starts it again. Half the waiters pay for their offer."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.cassandra import connect
from infra.settings import Settings
from seating import HoldStatus, WaitEntry, ids
from system.launch import System, settings_env, start_system
from tables import event_state
from tests.faults.final import bookings_of
from tests.faults.test_faults import setup_event, sign_up
from tests.integration.seed import persisted_holds

pytestmark = [pytest.mark.faults, pytest.mark.disruptive, pytest.mark.timeout(300, method="thread")]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
SEATS, WAITERS, TTL, FAULT_SECONDS = 60, 70, 15, 35.0


async def killer(system: System, settings: Settings, rng: random.Random, stop: float) -> int:
    """kill -9 a random worker every 1-2 s, starting it again after 0.5-1.5 s."""
    kills = 0
    workers = [n for n in system.processes if n.startswith("worker")]
    while time.monotonic() < stop:
        await asyncio.sleep(rng.uniform(1.0, 2.0))
        name = rng.choice(workers)
        system.kill(name, signal.SIGKILL)
        kills += 1
        await asyncio.sleep(rng.uniform(0.5, 1.5))
        system.spawn(name, "workers", settings_env(settings))
    return kills


def stored_line(settings: Settings, event_id: str) -> list[WaitEntry]:
    session = connect(settings)
    try:
        return event_state.waitlist_now(session, event_id)
    finally:
        session.cluster.shutdown()


async def waiter(
    http: httpx.AsyncClient,
    event_id: str,
    user: dict[str, Any],
    entry: str,
    pays: bool,
    stop: float,
) -> None:
    """Watch one's entry; pay for the offer when `pays` (503s and timeouts are tried again)."""
    headers = {"Authorization": f"Bearer {user['token']}"}
    while time.monotonic() < stop:
        await asyncio.sleep(1.0)
        try:
            shown = await http.get(f"/events/{event_id}/waitlist/{entry}", headers=headers)
            if pays and shown.status_code == 200 and shown.json()["status"] == "offered":
                holding_id = shown.json()["holding_id"]
                await http.post(
                    f"/{holding_id}/confirm", headers=headers, json={"payment_token": "tok_ok"}
                )
        except httpx.HTTPError:
            continue


async def test_killed_workers_while_offering_lose_no_place_and_sell_nothing_twice(
    fault_settings: Settings,
) -> None:
    seed = int(os.environ.get("EVENTLY_FAULT_SEED") or random.randrange(2**32))
    print(f"\nEVENTLY_FAULT_SEED={seed}")
    rng = random.Random(seed)
    logs = ARTIFACTS / "faults-logs" / f"waitlist-{seed}"
    system = await asyncio.to_thread(start_system, fault_settings, logs, 2, False)
    admin = {"Authorization": f"Bearer {fault_settings.admin_token}"}
    timeout = httpx.Timeout(fault_settings.command_timeout_seconds + 3.0)
    try:
        async with httpx.AsyncClient(base_url=system.base_url, timeout=timeout) as http:
            await run(fault_settings, system, http, admin, rng)
    finally:
        system.stop()


async def run(
    settings: Settings,
    system: System,
    http: httpx.AsyncClient,
    admin: dict[str, str],
    rng: random.Random,
) -> None:
    event_id, seat_ids, _ = await setup_event(http, admin, TTL)
    users = [await sign_up(http, "customer", admin) for _ in range(WAITERS)]
    # 60 Regular seats, held in holds of 10 by six buyers
    holds: dict[str, dict[str, str]] = {}
    for first in range(0, SEATS, 10):
        buyer = await sign_up(http, "customer", admin)
        headers = {"Authorization": f"Bearer {buyer['token']}"}
        held = await http.post(
            f"/events/{event_id}/hold",
            headers=headers,
            json={"seat_ids": seat_ids[first : first + 10]},
        )
        assert held.status_code == 201, held.text
        holds[held.json()["holding_id"]] = headers
    answers = await asyncio.gather(  # all at once, before the hold time is up
        *(
            http.post(
                f"/events/{event_id}/waitlist",
                headers={"Authorization": f"Bearer {user['token']}"},
                json={"seat_type": "Regular", "quantity": 1},
            )
            for user in users
        )
    )
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
    # the line's order: the place (seq) each entry was given when its join was decided
    seq = {e.waitlist_id: e.seq for e in await asyncio.to_thread(stored_line, settings, event_id)}
    line = sorted(zip(answers, users, strict=True), key=lambda au: seq[au[0].json()["waitlist_id"]])
    users = [u for _, u in line]
    entries = [a.json()["waitlist_id"] for a, _ in line]
    stop = time.monotonic() + FAULT_SECONDS
    nemesis = asyncio.create_task(killer(system, settings, rng, stop))
    watchers = [
        asyncio.create_task(waiter(http, event_id, u, e, n % 2 == 0, stop + 15))
        for n, (u, e) in enumerate(zip(users, entries, strict=True))
    ]
    for holding_id in rng.sample(sorted(holds), 2):  # the other four lapse
        await asyncio.sleep(1.0)
        try:
            await http.post(f"/{holding_id}/cancel", headers=holds[holding_id])
        except httpx.HTTPError:
            pass
    kills = await nemesis
    await asyncio.gather(*watchers)
    await asyncio.sleep(TTL + 8)  # the last offers lapse and pass on
    final_entries = [
        (
            await http.get(
                f"/events/{event_id}/waitlist/{e}",
                headers={"Authorization": f"Bearer {u['token']}"},
            )
        ).json()
        for u, e in zip(users, entries, strict=True)
    ]
    stored = await asyncio.to_thread(persisted_holds, settings, event_id)
    bookings = await asyncio.to_thread(bookings_of, settings, event_id)
    print("kills:", kills, "entries:", [e["status"] for e in final_entries])
    check(final_entries, stored, bookings)
    assert kills >= 5


def check(
    entries: list[dict[str, Any]], stored: list[dict[str, Any]], bookings: list[dict[str, Any]]
) -> None:
    # no entry offered twice: the only hold made for an entry is its one offer id
    offer_ids = {ids.offer_holding_id(e["waitlist_id"]) for e in entries}
    offers = [h for h in stored if h["holding_id"] in offer_ids]
    for shown in entries:
        if shown["status"] != "waiting":
            assert shown["holding_id"] == ids.offer_holding_id(shown["waitlist_id"]), shown
    # nobody loses their place: every entry wants one seat, so the entries ever offered are
    # the first ones of the line, and nobody waits while a seat is free
    ever = [shown["status"] != "waiting" for shown in entries]
    assert ever == sorted(ever, reverse=True), f"offers out of line order: {ever}"
    assert sum(ever) > SEATS, "freed seats did not pass on to the next in line"
    # no seat held or sold twice
    taken: dict[str, str] = {}
    for hold in stored:
        live = hold["status"] in ("held", "confirming")
        if live or (hold["status"] == "confirmed" and not hold["booking_cancelled"]):
            for line in hold["seats"]:
                seat_id = line["seat_id"]
                assert seat_id not in taken, f"{seat_id} in {taken[seat_id]} and {hold}"
                taken[seat_id] = hold["holding_id"]
    sold = [s for b in bookings if b["status"] == "confirmed" for s in b["seat_ids"]]
    assert len(sold) == len(set(sold)), "a seat sold twice"
    by_id = {h["holding_id"]: h for h in stored}
    for shown in entries:
        hold = by_id.get(shown.get("holding_id") or "")
        if shown["status"] == "booked":
            assert hold is not None and hold["status"] == HoldStatus.CONFIRMED, (shown, hold)
        if shown["status"] == "lapsed":
            assert hold is not None and hold["status"] == HoldStatus.EXPIRED, (shown, hold)
    assert len(offers) == sum(ever)
