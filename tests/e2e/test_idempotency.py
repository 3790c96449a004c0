"""Idempotency-Key: the same key and body give the same response and change nothing more."""

from __future__ import annotations

import httpx
import pytest

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
