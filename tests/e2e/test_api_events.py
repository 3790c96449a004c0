"""POST /events, GET /events, GET /events/{id}, GET /events/{id}/seats."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import MakeUser, MakeVenue, error_of, seat_statuses

pytestmark = pytest.mark.e2e


def event_body(venue_id: str, **changes: Any) -> dict[str, Any]:
    body = {
        "venue_id": venue_id,
        "name": "Fado Night",
        "description": "songs of longing",
        "artists": ["Ana Moura"],
        "tags": ["fado"],
        "starts_at": "2030-06-01T21:00:00Z",
        "prices": {"VIP": 120.0, "Regular": 60.0},
    }
    return body | changes


async def test_create_and_read_an_event(http: httpx.AsyncClient, make_venue: MakeVenue) -> None:
    venue = await make_venue(seats=[("A", 1, "VIP"), ("A", 2, "VIP"), ("B", 1, "Regular")])
    created = await http.post(
        "/events",
        json=event_body(venue["venue_id"], hold_ttl_seconds=60),
        headers=venue["owner"]["headers"],
    )
    assert created.status_code == 201, created.text
    event_id = created.json()["event_id"]
    assert created.json()["hold_ttl_seconds"] == 60

    read = await http.get(f"/events/{event_id}")
    assert read.status_code == 200, read.text
    event = read.json()
    assert event["event_id"] == event_id and event["name"] == "Fado Night"
    assert event["prices"] == {"VIP": 120.0, "Regular": 60.0}
    assert event["seats_left"] == {"VIP": 2, "Regular": 1}

    seats = (await http.get(f"/events/{event_id}/seats")).json()
    assert seats["event_id"] == event_id
    assert seats["seats"] == [
        {
            "seat_id": "A-1",
            "row": "A",
            "number": 1,
            "seat_type": "VIP",
            "price": 120.0,
            "status": "available",
        },
        {
            "seat_id": "A-2",
            "row": "A",
            "number": 2,
            "seat_type": "VIP",
            "price": 120.0,
            "status": "available",
        },
        {
            "seat_id": "B-1",
            "row": "B",
            "number": 1,
            "seat_type": "Regular",
            "price": 60.0,
            "status": "available",
        },
    ]


async def test_hold_ttl_defaults_to_the_setting(
    http: httpx.AsyncClient, make_venue: MakeVenue, e2e_settings
) -> None:
    venue = await make_venue()
    created = await http.post(
        "/events", json=event_body(venue["venue_id"]), headers=venue["owner"]["headers"]
    )
    assert created.status_code == 201, created.text
    assert created.json()["hold_ttl_seconds"] == e2e_settings.hold_ttl_seconds


async def test_admin_may_create_an_event_at_any_venue(
    http: httpx.AsyncClient, make_venue: MakeVenue, admin: dict[str, str]
) -> None:
    venue = await make_venue()
    created = await http.post("/events", json=event_body(venue["venue_id"]), headers=admin)
    assert created.status_code == 201, created.text


async def test_seats_left_per_type_goes_down_after_a_booking(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="AB", per_row=3, types_by_row={"B": "Regular"})
    event_id = event["event_id"]
    assert (await http.get(f"/events/{event_id}")).json()["seats_left"] == {"VIP": 3, "Regular": 3}
    buyer = await make_user()
    hold = await http.post(
        f"/events/{event_id}/hold", json={"seat_ids": ["A-1", "A-2"]}, headers=buyer["headers"]
    )
    assert hold.status_code == 201, hold.text
    assert (await http.get(f"/events/{event_id}")).json()["seats_left"] == {"VIP": 1, "Regular": 3}
    confirm = await http.post(
        f"/{hold.json()['holding_id']}/confirm",
        json={"payment_token": "tok_ok"},
        headers=buyer["headers"],
    )
    assert confirm.status_code == 201, confirm.text
    assert (await http.get(f"/events/{event_id}")).json()["seats_left"] == {"VIP": 1, "Regular": 3}


async def test_new_events_are_listed(http: httpx.AsyncClient, make_event) -> None:
    event = await make_event(rows="A", per_row=2)
    deadline = time.monotonic() + 5.0
    while True:
        listed = await http.get("/events", params={"venue_id": event["venue_id"]})
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert "next_cursor" in body
        ids = [item["event_id"] for item in body["items"]]
        if ids or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert ids == [event["event_id"]]
    everything = await http.get("/events", params={"limit": 500})
    assert everything.status_code == 200 and everything.json()["items"]


async def test_unknown_event_is_404(http: httpx.AsyncClient, make_user: MakeUser) -> None:
    buyer = await make_user()
    for event_id in (uuid.uuid4().hex, "nope"):
        error_of(await http.get(f"/events/{event_id}"), 404, "event_not_found")
        error_of(await http.get(f"/events/{event_id}/seats"), 404, "event_not_found")
        response = await http.post(
            f"/events/{event_id}/hold", json={"seat_ids": ["A-1"]}, headers=buyer["headers"]
        )
        error_of(response, 404, "event_not_found")


async def test_unknown_venue_for_an_event_is_404(
    http: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await http.post("/events", json=event_body(uuid.uuid4().hex), headers=admin)
    error = error_of(response, 404, "venue_not_found")
    assert error["details"].get("field") == "venue_id"


@pytest.mark.parametrize(
    ("changes", "drop", "field"),
    [
        ({}, "venue_id", "venue_id"),
        ({}, "name", "name"),
        ({}, "starts_at", "starts_at"),
        ({}, "prices", "prices"),
        ({"name": ""}, None, "name"),
        ({"name": 7}, None, "name"),
        ({"artists": "Ana Moura"}, None, "artists"),
        ({"tags": [1]}, None, "tags.0"),
        ({"starts_at": "next friday"}, None, "starts_at"),
        ({"prices": {"VIP": "lots", "Regular": 1}}, None, "prices.VIP"),
        ({"prices": {"VIP": -1, "Regular": 1}}, None, "prices.VIP"),
        ({"hold_ttl_seconds": 0}, None, "hold_ttl_seconds"),
        ({"hold_ttl_seconds": 3601}, None, "hold_ttl_seconds"),
        ({"hold_ttl_seconds": -5}, None, "hold_ttl_seconds"),
        ({"hold_ttl_seconds": "soon"}, None, "hold_ttl_seconds"),
        ({"capacity": 100}, None, "capacity"),
        ({"prices": {"VIP": 120.0}}, None, "prices"),
        ({"prices": {"VIP": 1.0, "Regular": 1.0, "Balcony": 1.0}}, None, "prices"),
    ],
)
async def test_bad_event_bodies_are_422_naming_the_field(
    http: httpx.AsyncClient,
    make_venue: MakeVenue,
    changes: dict[str, Any],
    drop: str | None,
    field: str,
) -> None:
    venue = await make_venue()
    body = event_body(venue["venue_id"], **changes)
    if drop:
        del body[drop]
    response = await http.post("/events", json=body, headers=venue["owner"]["headers"])
    error = error_of(response, 422)
    assert error["details"]["field"].startswith(field), error
    if field == "prices" and list(body.get("prices", {})) == ["VIP"]:
        assert error["details"].get("missing_seat_types") == ["Regular"], error


async def test_hold_ttl_bounds_are_accepted(http: httpx.AsyncClient, make_venue: MakeVenue) -> None:
    venue = await make_venue()
    for ttl in (1, 3600):
        response = await http.post(
            "/events",
            json=event_body(venue["venue_id"], hold_ttl_seconds=ttl),
            headers=venue["owner"]["headers"],
        )
        assert response.status_code == 201, response.text


async def test_the_seat_map_is_public_and_consistent(http: httpx.AsyncClient, make_event) -> None:
    event = await make_event(rows="AB", per_row=2)
    statuses = await seat_statuses(http, event["event_id"])
    assert statuses == {
        "A-1": "available",
        "A-2": "available",
        "B-1": "available",
        "B-2": "available",
    }
