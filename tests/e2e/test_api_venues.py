"""POST /venue, GET /venue, GET /venue/{id}, POST /venue/{id}/seats."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import MakeUser, MakeVenue, error_of

pytestmark = pytest.mark.e2e


def seats(*spec: tuple[str, int, str]) -> dict[str, list[dict[str, Any]]]:
    return {"seats": [{"row": r, "number": n, "seat_type": t} for r, n, t in spec]}


async def all_venues(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(100):
        params: dict[str, Any] = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = await http.get("/venue", params=params)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("GET /venue never ended")


async def test_create_list_and_read_a_venue(
    http: httpx.AsyncClient, make_user: MakeUser, admin: dict[str, str]
) -> None:
    organizer = await make_user("organizer")
    body = {
        "name": "Coliseu",
        "city": "Porto",
        "address": "R. Passos Manuel",
        "seat_types": ["VIP", "Regular"],
    }
    created = await http.post("/venue", json=body, headers=organizer["headers"])
    assert created.status_code == 201, created.text
    venue_id = created.json()["venue_id"]
    added = await http.post(
        f"/venue/{venue_id}/seats",
        json=seats(("A", 1, "VIP"), ("A", 2, "VIP"), ("B", 1, "Regular")),
        headers=organizer["headers"],
    )
    assert added.status_code == 201 and added.json() == {"added": 3}
    by_admin = await http.post(
        f"/venue/{venue_id}/seats", json=seats(("B", 2, "Regular")), headers=admin
    )
    assert by_admin.status_code == 201 and by_admin.json() == {"added": 1}

    listed = [v for v in await all_venues(http) if v["venue_id"] == venue_id]
    assert len(listed) == 1 and listed[0]["name"] == "Coliseu"

    detail = await http.get(f"/venue/{venue_id}")
    assert detail.status_code == 200, detail.text
    venue = detail.json()
    assert venue["seat_count"] == 4
    assert venue["seat_types"] == ["VIP", "Regular"]
    assert venue["city"] == "Porto" and venue["address"] == "R. Passos Manuel"


async def test_list_pages_with_a_cursor(http: httpx.AsyncClient, make_venue: MakeVenue) -> None:
    for _ in range(3):
        await make_venue()
    first = (await http.get("/venue", params={"limit": 2})).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = (await http.get("/venue", params={"limit": 2, "cursor": first["next_cursor"]})).json()
    ids = {v["venue_id"] for v in first["items"]} & {v["venue_id"] for v in second["items"]}
    assert not ids, "pages overlap"


async def test_unknown_venue_is_404(http: httpx.AsyncClient, admin: dict[str, str]) -> None:
    for venue_id in (uuid.uuid4().hex, "nope"):
        error_of(await http.get(f"/venue/{venue_id}"), 404, "venue_not_found")
        response = await http.post(
            f"/venue/{venue_id}/seats", json=seats(("A", 1, "VIP")), headers=admin
        )
        error_of(response, 404, "venue_not_found")


async def test_duplicate_seat_is_409_and_adds_nothing(
    http: httpx.AsyncClient, make_venue: MakeVenue
) -> None:
    venue = await make_venue(seats=[("A", 1, "VIP")])
    path, headers = f"/venue/{venue['venue_id']}/seats", venue["owner"]["headers"]
    existing = await http.post(
        path, json=seats(("A", 2, "VIP"), ("A", 1, "Regular")), headers=headers
    )
    error = error_of(existing, 409)
    assert error["details"].get("duplicate_seat_ids") == ["A-1"], error
    twice = await http.post(path, json=seats(("C", 1, "VIP"), ("C", 1, "VIP")), headers=headers)
    error_of(twice, 409)
    assert (await http.get(f"/venue/{venue['venue_id']}")).json()["seat_count"] == 1


async def test_unknown_seat_type_is_422_and_adds_nothing(
    http: httpx.AsyncClient, make_venue: MakeVenue
) -> None:
    venue = await make_venue(seats=[("A", 1, "VIP")])
    response = await http.post(
        f"/venue/{venue['venue_id']}/seats",
        json=seats(("B", 1, "Regular"), ("B", 2, "Balcony")),
        headers=venue["owner"]["headers"],
    )
    error = error_of(response, 422)
    assert "seat_type" in error["details"]["field"], error
    assert (await http.get(f"/venue/{venue['venue_id']}")).json()["seat_count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"city": "Porto", "seat_types": ["VIP"]}, "name"),
        ({"name": "X", "seat_types": ["VIP"]}, "city"),
        ({"name": "X", "city": "Porto"}, "seat_types"),
        ({"name": "X", "city": "Porto", "seat_types": []}, "seat_types"),
        ({"name": "X", "city": "Porto", "seat_types": "VIP"}, "seat_types"),
        ({"name": "X", "city": "Porto", "seat_types": ["VIP", "VIP"]}, "seat_types"),
        ({"name": "X", "city": "Porto", "seat_types": ["VIP"], "capacity": 9}, "capacity"),
    ],
)
async def test_bad_venue_bodies_are_422_naming_the_field(
    http: httpx.AsyncClient, admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    error = error_of(await http.post("/venue", json=body, headers=admin), 422, "validation_error")
    assert error["details"]["field"] == field, error


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "seats"),
        ({"seats": []}, "seats"),
        ({"seats": [{"row": "A", "seat_type": "VIP"}]}, "seats.0.number"),
        ({"seats": [{"row": "A", "number": "one", "seat_type": "VIP"}]}, "seats.0.number"),
        ({"seats": [{"row": "A", "number": 0, "seat_type": "VIP"}]}, "seats.0.number"),
        ({"seats": [{"number": 1, "seat_type": "VIP"}]}, "seats.0.row"),
        ({"seats": [{"row": "A", "number": 1}]}, "seats.0.seat_type"),
        ({"seats": [{"row": "A", "number": 1, "seat_type": "VIP", "x": 1}]}, "seats.0.x"),
    ],
)
async def test_bad_seat_bodies_are_422_naming_the_field(
    http: httpx.AsyncClient, make_venue: MakeVenue, body: dict[str, Any], field: str
) -> None:
    venue = await make_venue()
    response = await http.post(
        f"/venue/{venue['venue_id']}/seats", json=body, headers=venue["owner"]["headers"]
    )
    error = error_of(response, 422, "validation_error")
    assert error["details"]["field"] == field, error
    assert (await http.get(f"/venue/{venue['venue_id']}")).json()["seat_count"] == 0


async def test_concurrent_adds_of_one_seat_add_it_once(
    http: httpx.AsyncClient, make_venue: MakeVenue
) -> None:
    """Each request adds the shared seat A-1 and 40 of its own: exactly one request wins, and no
    loser leaves its own seats behind. A few rounds, as a race need not show in every one."""
    requests, own = 12, 40
    for _ in range(4):
        venue = await make_venue()
        path, headers = f"/venue/{venue['venue_id']}/seats", venue["owner"]["headers"]
        bodies = [
            seats(("A", 1, "VIP"), *((f"B{i}", n, "Regular") for n in range(1, own + 1)))
            for i in range(requests)
        ]
        answers = await asyncio.gather(*(http.post(path, json=b, headers=headers) for b in bodies))
        assert sorted(a.status_code for a in answers) == [201] + [409] * (requests - 1)
        for answer in answers:
            if answer.status_code == 409:
                error = error_of(answer, 409, "duplicate_seats")
                assert error["details"]["duplicate_seat_ids"] == ["A-1"], error
        read = (await http.get(f"/venue/{venue['venue_id']}")).json()
        assert read["seat_count"] == 1 + own
        assert read["seats_by_type"] == {"VIP": 1, "Regular": own}


async def test_a_request_with_one_duplicate_adds_nothing(
    http: httpx.AsyncClient, make_venue: MakeVenue
) -> None:
    venue = await make_venue(seats=[("C", 7, "VIP")])
    path, headers = f"/venue/{venue['venue_id']}/seats", venue["owner"]["headers"]
    many = [(row, n, "Regular") for row in "AB" for n in range(1, 301)] + [("C", 7, "Regular")]
    error = error_of(await http.post(path, json=seats(*many), headers=headers), 409)
    assert error["details"]["duplicate_seat_ids"] == ["C-7"], error
    assert (await http.get(f"/venue/{venue['venue_id']}")).json()["seat_count"] == 1


async def test_seats_added_after_the_event_reach_the_listing(
    http: httpx.AsyncClient, make_event: Any, make_user: MakeUser
) -> None:
    """GET /events counts seats added to the venue of a listed event (seats_left, available)."""
    event = await make_event(rows="A", per_row=2, prices={"VIP": 10.0})
    venue_id, organizer = event["venue_id"], event["organizer"]
    buyer = await make_user()
    held = await http.post(
        f"/events/{event['event_id']}/hold",
        headers=buyer["headers"],
        json={"seat_ids": ["A-1", "A-2"]},
    )
    assert held.status_code == 201, held.text

    async def listed(**params: str) -> list[Any]:
        page = await http.get("/events", params={"venue_id": venue_id, **params})
        assert page.status_code == 200, page.text
        return [item["seats_left"] for item in page.json()["items"]]

    deadline = time.monotonic() + 5.0
    while await listed() != [0] and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert await listed() == [0]
    assert await listed(available="true") == []

    added = await http.post(
        f"/venue/{venue_id}/seats",
        json=seats(("B", 1, "VIP"), ("B", 2, "VIP"), ("B", 3, "VIP")),
        headers=organizer["headers"],
    )
    assert added.status_code == 201, added.text
    deadline = time.monotonic() + 5.0
    while await listed() != [3] and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert await listed() == [3]
    assert await listed(available="true") == [3]
    read = (await http.get(f"/events/{event['event_id']}")).json()
    assert read["seats_left"] == {"VIP": 3} and read["capacity"] == 5
