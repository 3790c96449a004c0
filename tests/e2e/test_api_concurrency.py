"""Many customers at once on a few seats: exactly the available seats are won, once each."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from system.launch import System
from tests.e2e.conftest import bearer, seat_statuses

pytestmark = pytest.mark.e2e
CROWD = 500
SEATS = [f"A-{n}" for n in range(1, 11)]


def big_pool(system: System) -> httpx.AsyncClient:
    """A client able to keep every request of the crowd in flight at once."""
    limits = httpx.Limits(max_connections=CROWD + 50, max_keepalive_connections=CROWD + 50)
    return httpx.AsyncClient(base_url=system.base_url, timeout=60.0, limits=limits)


@pytest.fixture
async def crowd_client(system: System) -> AsyncIterator[httpx.AsyncClient]:
    """A fresh pool per test: no keep-alive connection the server may be closing."""
    async with big_pool(system) as client:
        yield client


@pytest.fixture(scope="module")
async def crowd(system: System) -> list[dict[str, str]]:
    """CROWD customers' auth headers (each a different customer)."""
    gate = asyncio.Semaphore(100)
    async with big_pool(system) as client:

        async def sign_up(index: int) -> dict[str, str]:
            body = {"name": f"Fan {index}", "email": f"{uuid.uuid4().hex[:16]}@crowd.evently.dev"}
            async with gate:
                response = await client.post("/user", json=body)
            assert response.status_code == 201, response.text
            return bearer(response.json()["token"])

        return list(await asyncio.gather(*(sign_up(i) for i in range(CROWD))))


async def rush(
    client: httpx.AsyncClient,
    event_id: str,
    crowd: list[dict[str, str]],
    bodies: list[dict[str, Any]],
) -> tuple[list[httpx.Response], float]:
    path = f"/events/{event_id}/hold"
    started = time.monotonic()
    answers = await asyncio.gather(
        *(
            client.post(path, json=body, headers=who)
            for who, body in zip(crowd, bodies, strict=True)
        )
    )
    return list(answers), time.monotonic() - started


def tally(
    label: str, answers: list[httpx.Response], took: float
) -> tuple[list[dict[str, Any]], Counter[int]]:
    statuses = Counter(a.status_code for a in answers)
    won = [a.json() for a in answers if a.status_code == 201]
    other = {status: n for status, n in statuses.items() if status not in (201, 409)}
    print(
        f"\n[concurrency] {label}: attempts={len(answers)} successes={statuses[201]} "
        f"conflicts={statuses[409]} other={other} "
        f"duration={took:.2f}s ({len(answers) / took:.0f} req/s)"
    )
    assert set(statuses) <= {201, 409}, [
        a.text for a in answers if a.status_code not in (201, 409)
    ][:5]
    for answer in answers:
        if answer.status_code == 409:
            error = answer.json()["error"]
            assert error["code"] in ("seats_unavailable", "not_enough_seats"), error
    return won, statuses


def assert_no_seat_twice(won: list[dict[str, Any]]) -> set[str]:
    seats = [seat for hold in won for seat in hold["seat_ids"]]
    assert len(seats) == len(set(seats)), Counter(seats).most_common(3)
    return set(seats)


async def test_500_customers_each_grab_one_random_seat_of_ten(
    http: httpx.AsyncClient,
    make_event,
    crowd_client: httpx.AsyncClient,
    crowd: list[dict[str, str]],
) -> None:
    event = await make_event(rows="A", per_row=10)
    picks = random.Random(7).choices(SEATS, k=CROWD)
    answers, took = await rush(
        crowd_client, event["event_id"], crowd, [{"seat_ids": [s]} for s in picks]
    )
    won, statuses = tally("1 random seat of 10", answers, took)
    seats = assert_no_seat_twice(won)
    assert statuses[201] == len(seats) == len(set(picks))
    assert statuses[409] == CROWD - len(seats)
    for answer, seat in zip(answers, picks, strict=True):
        if answer.status_code == 409:
            assert answer.json()["error"]["details"]["unavailable_seat_ids"] == [seat]
    statuses_now = await seat_statuses(http, event["event_id"])
    assert {s for s, now in statuses_now.items() if now == "held"} == seats


async def test_500_customers_all_want_the_same_two_seats(
    http: httpx.AsyncClient,
    make_event,
    crowd_client: httpx.AsyncClient,
    crowd: list[dict[str, str]],
) -> None:
    event = await make_event(rows="A", per_row=10)
    body = {"seat_ids": ["A-5", "A-6"]}
    answers, took = await rush(crowd_client, event["event_id"], crowd, [body] * CROWD)
    won, statuses = tally("the same 2 seats", answers, took)
    assert statuses[201] == 1 and statuses[409] == CROWD - 1
    assert won[0]["seat_ids"] == ["A-5", "A-6"]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["error"]["details"]["unavailable_seat_ids"] == ["A-5", "A-6"]
    statuses_now = await seat_statuses(http, event["event_id"])
    assert {s for s, now in statuses_now.items() if now == "held"} == {"A-5", "A-6"}


async def test_100_customers_ask_for_the_best_two_of_ten(
    http: httpx.AsyncClient,
    make_event,
    crowd_client: httpx.AsyncClient,
    crowd: list[dict[str, str]],
) -> None:
    event = await make_event(rows="A", per_row=10)
    body = {"seat_type": "VIP", "quantity": 2}
    answers, took = await rush(crowd_client, event["event_id"], crowd[:100], [body] * 100)
    won, statuses = tally("best 2 of 10", answers, took)
    assert statuses[201] == 5 and statuses[409] == 100 - 5
    assert assert_no_seat_twice(won) == set(SEATS)
    statuses_now = await seat_statuses(http, event["event_id"])
    assert set(statuses_now.values()) == {"held"}
