"""One path end to end: HTTP, ingress, Kafka, worker, Cassandra, reply, HTTP."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import MakeUser


async def test_health_and_db_test(http: httpx.AsyncClient) -> None:
    assert (await http.get("/health")).json() == {"status": "ok"}
    response = await http.get("/db-test")
    assert response.status_code == 200, response.text
    assert response.json()["checks"] == {"cassandra": "ok", "kafka": "ok"}


async def test_hold_and_confirm(http: httpx.AsyncClient, make_event, make_user: MakeUser) -> None:
    event = await make_event()
    buyer = await make_user()
    hold = await http.post(
        f"/events/{event['event_id']}/hold",
        headers=buyer["headers"],
        json={"seat_ids": ["A-1", "A-2"]},
    )
    assert hold.status_code == 201, hold.text
    body = hold.json()
    assert body["seat_ids"] == ["A-1", "A-2"] and body["total_price"] == 200.0
    seats = (await http.get(f"/events/{event['event_id']}/seats")).json()["seats"]
    assert {s["seat_id"]: s["status"] for s in seats}["A-1"] == "held"
    confirm = await http.post(
        f"/{body['holding_id']}/confirm", headers=buyer["headers"], json={"payment_token": "tok_ok"}
    )
    assert confirm.status_code == 201, confirm.text
    assert confirm.json()["status"] == "confirmed"
    seats = (await http.get(f"/events/{event['event_id']}/seats")).json()["seats"]
    assert {s["seat_id"]: s["status"] for s in seats}["A-2"] == "booked"
