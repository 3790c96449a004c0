"""GET /events over HTTP: filters, typo-tolerant search, seats left, pages and 422s."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import MakeUser


@pytest.fixture
async def venue(http: httpx.AsyncClient, make_user: MakeUser) -> dict[str, Any]:
    """A venue of its own (2 seats, one city of its own) and its organizer."""
    organizer = await make_user("organizer")
    city = f"Testville {uuid.uuid4().hex[:6]}"
    made = await http.post(
        "/venue",
        headers=organizer["headers"],
        json={"name": "Disco Hall", "city": city, "seat_types": ["VIP", "Regular"]},
    )
    assert made.status_code == 201, made.text
    venue_id = made.json()["venue_id"]
    seats = [{"row": "A", "number": n, "seat_type": t} for n, t in ((1, "VIP"), (2, "Regular"))]
    added = await http.post(
        f"/venue/{venue_id}/seats", headers=organizer["headers"], json={"seats": seats}
    )
    assert added.status_code == 201, added.text
    return {"venue_id": venue_id, "city": city, "organizer": organizer}


async def create(http: httpx.AsyncClient, venue: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {
        "venue_id": venue["venue_id"],
        "name": "Quiet Evening",
        "description": "",
        "artists": [],
        "tags": [],
        "starts_at": "2031-03-01T20:00:00Z",
        "prices": {"VIP": 100.0, "Regular": 40.0},
    } | fields
    made = await http.post("/events", headers=venue["organizer"]["headers"], json=body)
    assert made.status_code == 201, made.text
    event: dict[str, Any] = made.json()
    return event


async def names(http: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await http.get("/events", params=params)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


async def test_typo_tolerant_search_finds_new_events_at_once(
    http: httpx.AsyncClient, venue: dict[str, Any]
) -> None:
    await create(http, venue, name="Metallica World Tour", artists=["Metallica"])
    await create(http, venue, name="The Eras Tour", artists=["Taylor Swift"])
    await create(http, venue, name="Lisbon Jazz Festival", description="Três dias de jazz")
    where = {"venue_id": venue["venue_id"]}
    assert await names(http, q="metalica", **where) == ["Metallica World Tour"]
    assert await names(http, q="tylor swift", **where) == ["The Eras Tour"]
    assert await names(http, q="jaz festvl", **where) == ["Lisbon Jazz Festival"]
    assert await names(http, q="TRES DIAS", **where) == ["Lisbon Jazz Festival"]
    # Both names hold "tour" equally: their order is a tie (broken by id), not a ranking.
    assert set((await names(http, q="tour", **where))[:2]) == {
        "Metallica World Tour",
        "The Eras Tour",
    }


async def test_filters_combine(http: httpx.AsyncClient, venue: dict[str, Any]) -> None:
    await create(http, venue, name="Early Rock", tags=["rock"], starts_at="2031-01-10T20:00:00Z")
    await create(
        http,
        venue,
        name="Late Jazz",
        tags=["jazz", "Outdoor"],
        starts_at="2031-06-10T20:00:00Z",
        prices={"VIP": 300.0, "Regular": 150.0},
    )
    city = {"city": venue["city"].upper()}
    assert await names(http, date_from="2031-06-01", **city) == ["Late Jazz"]
    assert await names(http, date_to="2031-01-10", **city) == ["Early Rock"]
    assert await names(http, min_price=120, max_price=200, **city) == ["Late Jazz"]
    assert await names(http, min_price=50, max_price=60, **city) == []
    assert await names(http, tag=["rock", "outdoor"], **city) == ["Early Rock", "Late Jazz"]
    assert await names(http, tag="jazz,outdoor", tag_mode="all", **city) == ["Late Jazz"]
    assert await names(http, sort="price", **city) == ["Early Rock", "Late Jazz"]
    items = (await http.get("/events", params=city)).json()["items"]
    assert items[0]["min_price"] == 40.0 and items[0]["seats_left"] == 2
    assert items[0]["prices"] == {"VIP": 100.0, "Regular": 40.0}


async def test_pages_return_every_match_once(
    http: httpx.AsyncClient, venue: dict[str, Any]
) -> None:
    made = [await create(http, venue, name=f"Gig {n}") for n in range(11)]
    seen: list[str] = []
    params: dict[str, Any] = {"venue_id": venue["venue_id"], "q": "gig", "limit": 4}
    while True:
        body = (await http.get("/events", params=params)).json()
        seen += [item["event_id"] for item in body["items"]]
        if len(seen) == 4:
            await create(http, venue, name="Gig late")  # added while paging
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen)) and {e["event_id"] for e in made} <= set(seen)


async def test_available_follows_holds(
    http: httpx.AsyncClient, venue: dict[str, Any], make_user: MakeUser
) -> None:
    event = await create(http, venue, name="Tiny Show")
    buyer = await make_user()
    held = await http.post(
        f"/events/{event['event_id']}/hold",
        headers=buyer["headers"],
        json={"seat_ids": ["A-1", "A-2"]},
    )
    assert held.status_code == 201, held.text
    where = {"venue_id": venue["venue_id"], "available": "true"}
    for _ in range(40):
        if await names(http, **where) == []:
            break
        await asyncio.sleep(0.05)
    assert await names(http, **where) == []
    assert await names(http, venue_id=venue["venue_id"], available="false") == ["Tiny Show"]
    cancel = await http.post(f"/{held.json()['holding_id']}/cancel", headers=buyer["headers"])
    assert cancel.status_code == 200, cancel.text
    for _ in range(40):
        if await names(http, **where) == ["Tiny Show"]:
            break
        await asyncio.sleep(0.05)
    assert await names(http, **where) == ["Tiny Show"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2031-13-01"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2031-02-01", "date_to": "2031-01-01"}, "date_from"),
        ({"min_price": "10", "max_price": "5"}, "min_price"),
        ({"min_price": "cheap"}, "min_price"),
        ({"sort": "popularity"}, "sort"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"tag_mode": "some"}, "tag_mode"),
        ({"available": "maybe"}, "available"),
    ],
)
async def test_invalid_values_name_the_parameter(
    http: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await http.get("/events", params=params)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error" and error["details"]["field"] == field


async def test_a_cursor_from_another_query_is_refused(http: httpx.AsyncClient) -> None:
    first = (await http.get("/events", params={"limit": 1})).json()
    assert first["next_cursor"]
    other = await http.get(
        "/events", params={"limit": 1, "sort": "price", "cursor": first["next_cursor"]}
    )
    assert other.status_code == 422 and other.json()["error"]["details"]["field"] == "cursor"
