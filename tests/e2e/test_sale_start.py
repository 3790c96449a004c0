"""`sale_starts_at` (API.md, On-sales): before it a hold gets 409 sale_not_started and changes
nothing; from it the event sells."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.e2e.conftest import MakeUser, MakeVenue, error_of, seat_statuses


async def event_opening(
    http: httpx.AsyncClient, make_venue: MakeVenue, sale_starts_at: Any
) -> httpx.Response:
    venue = await make_venue(seat_types=("Regular",), seats=[("A", n, "Regular") for n in (1, 2)])
    return await http.post(
        "/events",
        headers=venue["owner"]["headers"],
        json={
            "venue_id": venue["venue_id"],
            "name": "On-sale Night",
            "starts_at": "2030-01-01T20:00:00Z",
            "prices": {"Regular": 30.0},
            "sale_starts_at": sale_starts_at,
        },
    )


async def test_a_hold_before_the_sale_opens_gets_409_and_changes_nothing(
    http: httpx.AsyncClient, make_venue: MakeVenue, make_user: MakeUser
) -> None:
    opens = datetime.now(UTC) + timedelta(hours=1)
    created = await event_opening(http, make_venue, opens.isoformat())
    assert created.status_code == 201, created.text
    event_id = created.json()["event_id"]
    shown = (await http.get(f"/events/{event_id}")).json()["sale_starts_at"]
    assert datetime.fromisoformat(shown.replace("Z", "+00:00")) == opens.replace(
        microsecond=opens.microsecond // 1000 * 1000
    )
    buyer = await make_user()
    early = await http.post(
        f"/events/{event_id}/hold", headers=buyer["headers"], json={"seat_ids": ["A-1"]}
    )
    error_of(early, 409, "sale_not_started")
    assert set((await seat_statuses(http, event_id)).values()) == {"available"}


async def test_an_event_whose_sale_opened_sells(
    http: httpx.AsyncClient, make_venue: MakeVenue, make_user: MakeUser
) -> None:
    opened = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    created = await event_opening(http, make_venue, opened)
    buyer = await make_user()
    held = await http.post(
        f"/events/{created.json()['event_id']}/hold",
        headers=buyer["headers"],
        json={"seat_ids": ["A-1"]},
    )
    assert held.status_code == 201, held.text


async def test_a_sale_start_that_is_not_a_time_is_a_422_naming_the_field(
    http: httpx.AsyncClient, make_venue: MakeVenue
) -> None:
    refused = await event_opening(http, make_venue, "soon")
    assert "sale_starts_at" in str(error_of(refused, 422))
