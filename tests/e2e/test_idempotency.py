"""Idempotency-Key: the same key and body give the same response and change nothing more."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from infra.cassandra import connect
from infra.settings import Settings
from tests.e2e.conftest import MakeUser

pytestmark = pytest.mark.e2e


async def test_same_key_same_venue(http: httpx.AsyncClient, make_user: MakeUser) -> None:
    organizer = await make_user("organizer")
    headers = organizer["headers"] | {"Idempotency-Key": "venue-1"}
    body = {"name": "Once Hall", "city": "Porto", "seat_types": ["Regular"]}
    first = await http.post("/venue", headers=headers, json=body)
    second = await http.post("/venue", headers=headers, json=body)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    mine = [
        v
        for v in (await http.get("/venue", params={"limit": 500})).json()["items"]
        if v["owner_id"] == organizer["user_id"]
    ]
    assert len(mine) == 1


async def test_same_key_other_body_is_refused(http: httpx.AsyncClient, make_user: MakeUser) -> None:
    organizer = await make_user("organizer")
    headers = organizer["headers"] | {"Idempotency-Key": "venue-2"}
    body = {"name": "A", "city": "Porto", "seat_types": ["Regular"]}
    assert (await http.post("/venue", headers=headers, json=body)).status_code == 201
    other = await http.post("/venue", headers=headers, json=body | {"name": "B"})
    assert other.status_code == 422
    assert other.json()["error"]["details"]["field"] == "Idempotency-Key"


async def test_same_key_same_hold(http: httpx.AsyncClient, make_event, make_user: MakeUser) -> None:
    event = await make_event()
    buyer = await make_user()
    headers = buyer["headers"] | {"Idempotency-Key": "hold-1"}
    path = f"/events/{event['event_id']}/hold"
    first = await http.post(path, headers=headers, json={"seat_ids": ["B-1"]})
    second = await http.post(path, headers=headers, json={"seat_ids": ["B-1"]})
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["holding_id"] == second.json()["holding_id"]


def rows(settings: Settings, cql: str, *params: Any) -> list[dict[str, Any]]:
    """Read the deployment's tables directly."""
    session = connect(settings)
    try:
        return [dict(r) for r in session.execute(cql, params)]
    finally:
        session.cluster.shutdown()


async def test_concurrent_requests_with_one_key_make_one_venue(
    http: httpx.AsyncClient, make_user: MakeUser
) -> None:
    organizer = await make_user("organizer")
    headers = organizer["headers"] | {"Idempotency-Key": "venue-race"}
    body = {"name": "Race Hall", "city": "Porto", "seat_types": ["Regular"]}
    answers = await asyncio.gather(
        *(http.post("/venue", headers=headers, json=body) for _ in range(4))
    )
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    assert len({a.json()["venue_id"] for a in answers}) == 1
    mine = [
        v
        for v in (await http.get("/venue", params={"limit": 500})).json()["items"]
        if v["owner_id"] == organizer["user_id"]
    ]
    assert [v["venue_id"] for v in mine] == [answers[0].json()["venue_id"]]


async def test_concurrent_requests_with_one_key_make_one_event(
    http: httpx.AsyncClient, make_venue: Any, e2e_settings: Settings
) -> None:
    venue = await make_venue(seat_types=("Regular",), seats=[("A", 1, "Regular")])
    headers = venue["owner"]["headers"] | {"Idempotency-Key": "event-race"}
    body = {
        "venue_id": venue["venue_id"],
        "name": "Race Night",
        "description": "one of it",
        "artists": ["The Racers"],
        "tags": ["race"],
        "starts_at": "2030-01-01T20:00:00Z",
        "prices": {"Regular": 10.0},
    }
    answers = await asyncio.gather(
        *(http.post("/events", headers=headers, json=body) for _ in range(4))
    )
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    assert len({a.json()["event_id"] for a in answers}) == 1
    stored = rows(
        e2e_settings,
        "SELECT event_id FROM events WHERE venue_id = %s ALLOW FILTERING",
        venue["venue_id"],
    )
    assert [r["event_id"] for r in stored] == [answers[0].json()["event_id"]]


async def test_concurrent_sign_ups_with_one_key_make_one_user(
    http: httpx.AsyncClient, e2e_settings: Settings
) -> None:
    body = {"name": "Racer", "email": f"{uuid.uuid4().hex[:12]}@test.evently.dev"}
    headers = {"Idempotency-Key": f"signup-{uuid.uuid4().hex}"}
    answers = await asyncio.gather(
        *(http.post("/user", headers=headers, json=body) for _ in range(4))
    )
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    assert len({a.json()["user_id"] for a in answers}) == 1
    stored = rows(
        e2e_settings, "SELECT user_id FROM users WHERE email = %s ALLOW FILTERING", body["email"]
    )
    assert [r["user_id"] for r in stored] == [answers[0].json()["user_id"]]


async def test_same_key_other_body_while_the_first_runs_is_refused(
    http: httpx.AsyncClient, make_user: MakeUser
) -> None:
    organizer = await make_user("organizer")
    headers = organizer["headers"] | {"Idempotency-Key": "venue-race-2"}
    body = {"name": "A", "city": "Porto", "seat_types": ["Regular"]}
    first, other = await asyncio.gather(
        http.post("/venue", headers=headers, json=body),
        http.post("/venue", headers=headers, json=body | {"name": "B"}),
    )
    statuses = sorted([first.status_code, other.status_code])
    assert statuses == [201, 422], [first.text, other.text]
    refused = first if first.status_code == 422 else other
    assert refused.json()["error"]["code"] == "idempotency_key_reused"
    mine = [
        v
        for v in (await http.get("/venue", params={"limit": 500})).json()["items"]
        if v["owner_id"] == organizer["user_id"]
    ]
    assert len(mine) == 1


async def test_a_sign_up_replay_neither_shows_nor_stores_the_token(
    http: httpx.AsyncClient, e2e_settings: Settings
) -> None:
    """Tokens are shown once and stored only hashed: the stored response has no token, and a
    replay answers the same user with `token: null`."""
    body = {"name": "Once", "email": f"{uuid.uuid4().hex[:12]}@test.evently.dev"}
    headers = {"Idempotency-Key": f"signup-{uuid.uuid4().hex}"}
    first = await http.post("/user", headers=headers, json=body)
    assert first.status_code == 201, first.text
    token, user_id = first.json()["token"], first.json()["user_id"]
    assert token
    replay = await http.post("/user", headers=headers, json=body)
    assert replay.status_code == 201, replay.text
    assert token not in replay.text
    assert replay.json() == first.json() | {"token": None}
    stored = rows(e2e_settings, "SELECT scope, request_hash, status, body FROM idempotency_keys")
    assert any(user_id in (r["body"] or "") for r in stored), "the sign-up's response is stored"
    for row in stored:
        assert all(token not in str(value) for value in row.values()), row
    profile = await http.get(f"/user/{user_id}", headers={"Authorization": f"Bearer {token}"})
    assert profile.status_code == 200
