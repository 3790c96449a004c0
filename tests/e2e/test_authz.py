"""OWASP API Top 10 (2023) authorisation checks that test_api_auth, test_api_holds,
test_api_users and test_analytics do not already make: object level (API1) on command outcomes
and confirmed holds, function level (API5) on bookings, analytics and the dashboard stream,
property level (API3) on request bodies, and authentication (API2): tokens stored hashed."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import httpx
import pytest

from infra.cassandra import connect
from infra.settings import Settings
from tests.e2e.conftest import MakeUser, error_of, seat_statuses

pytestmark = pytest.mark.e2e


def command_id(user_id: str, path: str, key: str) -> str:
    """The command id the ingress derives from an Idempotency-Key."""
    return hashlib.sha256(f"{user_id}\n{path}\n{key}".encode()).hexdigest()[:32]


async def hold_with_key(
    http: httpx.AsyncClient, event_id: str, buyer: dict[str, Any], seat: str
) -> tuple[str, str]:
    """(holding id, command id) of a new hold of `seat`."""
    path, key = f"/events/{event_id}/hold", uuid.uuid4().hex
    headers = buyer["headers"] | {"Idempotency-Key": key}
    response = await http.post(path, json={"seat_ids": [seat]}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["holding_id"], command_id(buyer["user_id"], path, key)


async def test_only_the_buyer_and_admin_read_a_command_outcome(
    http: httpx.AsyncClient, make_event, make_user: MakeUser, admin: dict[str, str]
) -> None:
    event = await make_event(rows="A", per_row=2)
    buyer, stranger = await make_user(), await make_user()
    holding_id, command = await hold_with_key(http, event["event_id"], buyer, "A-1")
    url = f"/events/{event['event_id']}/commands/{command}"
    mine = await http.get(url, headers=buyer["headers"])
    assert mine.status_code == 200, mine.text
    assert mine.json()["result"]["holding_id"] == holding_id
    assert (await http.get(url, headers=admin)).status_code == 200
    for who in (stranger, event["organizer"]):
        error_of(await http.get(url, headers=who["headers"]), 404, "command_not_found")
    error_of(await http.get(url), 401)


async def test_a_stranger_learns_nothing_from_a_confirmed_hold(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=2)
    buyer, stranger = await make_user(), await make_user()
    holding_id, _ = await hold_with_key(http, event["event_id"], buyer, "A-1")
    ok = {"payment_token": "tok_ok"}
    booked = await http.post(f"/{holding_id}/confirm", json=ok, headers=buyer["headers"])
    assert booked.status_code == 201, booked.text
    again = await http.post(f"/{holding_id}/confirm", json=ok, headers=stranger["headers"])
    error_of(again, 404, "hold_not_found")
    assert booked.json()["booking_id"] not in again.text
    error_of(await http.post(f"/{holding_id}/cancel", headers=stranger["headers"]), 404)
    assert await seat_statuses(http, event["event_id"]) == {"A-1": "booked", "A-2": "available"}


async def test_the_organizer_of_an_event_cannot_cancel_its_bookings(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event, buyer = await make_event(rows="A", per_row=1), await make_user()
    holding_id, _ = await hold_with_key(http, event["event_id"], buyer, "A-1")
    ok = {"payment_token": "tok_ok"}
    booking = (await http.post(f"/{holding_id}/confirm", json=ok, headers=buyer["headers"])).json()
    organizer = event["organizer"]["headers"]
    response = await http.post(f"/bookings/{booking['booking_id']}/cancel", headers=organizer)
    assert response.status_code in (403, 404), response.text
    error_of(response, response.status_code)
    for path in (f"/user/{buyer['user_id']}", f"/user/{buyer['user_id']}/bookings"):
        assert (await http.get(path, headers=organizer)).status_code in (403, 404)
    assert await seat_statuses(http, event["event_id"]) == {"A-1": "booked"}


async def test_customers_cannot_list_analytics_or_watch_the_dashboard(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event, customer = await make_event(rows="A", per_row=1), await make_user()
    error_of(await http.get("/analytics/events", headers=customer["headers"]), 403, "forbidden")
    stream = f"/dashboard-stream/{event['event_id']}"
    error_of(await http.get(stream, params={"token": customer["token"]}), 403, "forbidden")
    stranger = await make_user("organizer")
    error_of(await http.get(stream, params={"token": stranger["token"]}), 404)
    error_of(await http.get(stream, params={"token": f"evt_{uuid.uuid4().hex}"}), 401)


async def test_request_bodies_cannot_set_protected_fields(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=2)
    buyer, victim = await make_user(), await make_user()
    path = f"/events/{event['event_id']}/hold"
    for extra in ({"user_id": victim["user_id"]}, {"total_price": 0}, {"expires_at": 9e9}):
        body = {"seat_ids": ["A-1"]} | extra
        error_of(await http.post(path, json=body, headers=buyer["headers"]), 422)
    assert set((await seat_statuses(http, event["event_id"])).values()) == {"available"}
    holding_id, _ = await hold_with_key(http, event["event_id"], buyer, "A-2")
    body = {"payment_token": "tok_ok", "amount": 0.01}
    error_of(await http.post(f"/{holding_id}/confirm", json=body, headers=buyer["headers"]), 422)
    signup = {"name": "X", "email": f"{uuid.uuid4().hex[:10]}@test.evently.dev", "user_id": "admin"}
    assert (await http.post("/user", json=signup)).status_code == 422


async def test_tokens_are_stored_hashed_and_shown_once(
    http: httpx.AsyncClient, make_user: MakeUser, e2e_settings: Settings
) -> None:
    user = await make_user()
    token = user["token"]
    profile = await http.get(f"/user/{user['user_id']}", headers=user["headers"])
    assert profile.status_code == 200 and token not in profile.text
    session = connect(e2e_settings)
    try:
        stored = [dict(r) for r in session.execute("SELECT * FROM users_by_token")]
        users = [dict(r) for r in session.execute("SELECT * FROM users")]
    finally:
        session.cluster.shutdown()
    assert stored, "sign-ups store a token row"
    for row in stored + users:
        assert all(token not in str(value) for value in row.values()), row
        assert all(e2e_settings.admin_token not in str(v) for v in row.values()), row
    mine = [r for r in stored if r["user_id"] == user["user_id"]]
    assert [r["token_hash"] for r in mine] == [hashlib.sha256(token.encode()).hexdigest()]
