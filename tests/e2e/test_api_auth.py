"""Auth over HTTP: 401 for a missing, malformed or unknown token; roles; others' objects."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.conftest import MakeUser, MakeVenue, error_of, seat_statuses

pytestmark = pytest.mark.e2e

FAKE_EVENT = uuid.uuid4().hex
FAKE_HOLD = f"{FAKE_EVENT}-h{'0' * 20}"
FAKE_BOOKING = f"{FAKE_EVENT}-b{'0' * 20}"
PROTECTED = [
    ("POST", "/venue", {"name": "X", "city": "Y", "seat_types": ["A"]}),
    (
        "POST",
        f"/venue/{FAKE_EVENT}/seats",
        {"seats": [{"row": "A", "number": 1, "seat_type": "A"}]},
    ),
    ("POST", "/events", {"venue_id": FAKE_EVENT, "name": "X", "starts_at": "2030-01-01T00:00:00Z"}),
    ("POST", f"/events/{FAKE_EVENT}/hold", {"seat_ids": ["A-1"]}),
    ("POST", f"/{FAKE_HOLD}/confirm", {"payment_token": "tok_ok"}),
    ("POST", f"/{FAKE_HOLD}/cancel", None),
    ("POST", f"/bookings/{FAKE_BOOKING}/cancel", None),
    ("GET", f"/user/{FAKE_EVENT}", None),
    ("GET", f"/user/{FAKE_EVENT}/bookings", None),
]
BAD_HEADERS = {
    "missing": {},
    "empty": {"Authorization": ""},
    "no scheme": {"Authorization": "evt_abc"},
    "wrong scheme": {"Authorization": "Basic dXNlcjpwYXNz"},
    "bearer without token": {"Authorization": "Bearer"},
    "two tokens": {"Authorization": "Bearer a b"},
    "too long": {"Authorization": "Bearer " + "x" * 300},
    "unknown token": {"Authorization": f"Bearer evt_{uuid.uuid4().hex}"},
}


@pytest.mark.parametrize("how", list(BAD_HEADERS))
async def test_every_protected_route_refuses_a_bad_token(http: httpx.AsyncClient, how: str) -> None:
    for method, path, body in PROTECTED:
        response = await http.request(method, path, json=body, headers=BAD_HEADERS[how])
        error = error_of(response, 401, "unauthorized")
        assert error["message"], (method, path)
        assert response.headers.get("www-authenticate") == "Bearer", (method, path)


async def test_public_routes_need_no_token(http: httpx.AsyncClient, make_event) -> None:
    event = await make_event(rows="A", per_row=2)
    for path in (
        "/health",
        "/venue",
        f"/venue/{event['venue_id']}",
        "/events",
        f"/events/{event['event_id']}",
        f"/events/{event['event_id']}/seats",
    ):
        response = await http.get(path)
        assert response.status_code == 200, (path, response.text)


async def test_signing_up_as_organizer_or_admin_needs_the_admin_token(
    http: httpx.AsyncClient, make_user: MakeUser
) -> None:
    customer = await make_user()
    organizer = await make_user("organizer")
    for role in ("organizer", "admin"):
        body = {"name": "Sneaky", "email": f"{uuid.uuid4().hex[:10]}@test.evently.dev"}
        body["role"] = role
        error_of(await http.post("/user", json=body), 401, "unauthorized")
        bad = {"Authorization": "Bearer nope"}
        error_of(await http.post("/user", json=body, headers=bad), 401, "unauthorized")
        for who in (customer, organizer):
            error_of(await http.post("/user", json=body, headers=who["headers"]), 403)
        # none of the refused attempts took the email
        assert (await http.post("/user", json=body | {"role": "customer"})).status_code == 201


async def test_customers_cannot_create_venues_or_events(
    http: httpx.AsyncClient, make_user: MakeUser, make_venue: MakeVenue
) -> None:
    customer = await make_user()
    venue = await make_venue(seat_types=("Regular",), seats=[("A", 1, "Regular")])
    body = {"name": "Mine", "city": "Porto", "seat_types": ["Regular"]}
    error_of(await http.post("/venue", json=body, headers=customer["headers"]), 403, "forbidden")
    seats = {"seats": [{"row": "Z", "number": 1, "seat_type": "Regular"}]}
    path = f"/venue/{venue['venue_id']}/seats"
    error_of(await http.post(path, json=seats, headers=customer["headers"]), 403, "forbidden")
    event = {
        "venue_id": venue["venue_id"],
        "name": "Mine",
        "starts_at": "2030-01-01T20:00:00Z",
        "prices": {"Regular": 1.0},
    }
    error_of(await http.post("/events", json=event, headers=customer["headers"]), 403, "forbidden")
    detail = (await http.get(f"/venue/{venue['venue_id']}")).json()
    assert detail["seat_count"] == 1


async def test_organizers_cannot_touch_another_organizers_venue(
    http: httpx.AsyncClient, make_user: MakeUser, make_venue: MakeVenue
) -> None:
    venue = await make_venue(seat_types=("Regular",), seats=[("A", 1, "Regular")])
    stranger = await make_user("organizer")
    seats = {"seats": [{"row": "Z", "number": 1, "seat_type": "Regular"}]}
    path = f"/venue/{venue['venue_id']}/seats"
    response = await http.post(path, json=seats, headers=stranger["headers"])
    assert response.status_code in (403, 404), response.text
    error_of(response, response.status_code)
    event = {
        "venue_id": venue["venue_id"],
        "name": "Squat",
        "starts_at": "2030-01-01T20:00:00Z",
        "prices": {"Regular": 1.0},
    }
    response = await http.post("/events", json=event, headers=stranger["headers"])
    assert response.status_code in (403, 404), response.text
    error_of(response, response.status_code)
    assert (await http.get(f"/venue/{venue['venue_id']}")).json()["seat_count"] == 1


async def test_organizers_cannot_hold_seats(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=2)
    organizer = await make_user("organizer")
    path = f"/events/{event['event_id']}/hold"
    before = await seat_statuses(http, event["event_id"])
    response = await http.post(path, json={"seat_ids": ["A-1"]}, headers=organizer["headers"])
    error_of(response, 403, "forbidden")
    assert await seat_statuses(http, event["event_id"]) == before


async def test_admin_may_read_any_user(
    http: httpx.AsyncClient, make_user: MakeUser, admin: dict[str, str]
) -> None:
    customer = await make_user()
    response = await http.get(f"/user/{customer['user_id']}", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["email"] == customer["email"]
    bookings = await http.get(f"/user/{customer['user_id']}/bookings", headers=admin)
    assert bookings.status_code == 200 and bookings.json()["items"] == []
