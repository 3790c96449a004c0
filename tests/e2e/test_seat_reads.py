"""Seat maps and event pages from the ingress's read model (issue 12): every write is seen by
the very next read, lapsed holds show available at their expiry, added seats show up, ETag and
304; and under concurrent holds, cancels and confirms, each read after a write agrees with it
and the final map is what the successful commands add up to."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import MakeUser, seat_statuses
from tests.e2e.test_api_holds import confirm, held

pytestmark = pytest.mark.e2e


async def seats_left(http: httpx.AsyncClient, event_id: str) -> dict[str, int]:
    response = await http.get(f"/events/{event_id}")
    assert response.status_code == 200, response.text
    left: dict[str, int] = response.json()["seats_left"]
    return left


async def test_each_write_is_seen_by_the_next_read(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=4, prices={"VIP": 10.0})
    event_id, buyer = event["event_id"], await make_user()
    assert (await seat_statuses(http, event_id))["A-1"] == "available"  # loaded now
    for _ in range(5):
        holding_id = await held(http, event_id, buyer, "A-1", "A-2")
        statuses = await seat_statuses(http, event_id)
        assert (statuses["A-1"], statuses["A-2"], statuses["A-3"]) == ("held", "held", "available")
        assert await seats_left(http, event_id) == {"VIP": 2}
        cancelled = await http.post(f"/{holding_id}/cancel", headers=buyer["headers"])
        assert cancelled.status_code == 200, cancelled.text
        assert (await seat_statuses(http, event_id))["A-1"] == "available"
        assert await seats_left(http, event_id) == {"VIP": 4}
    confirmed = await confirm(http, await held(http, event_id, buyer, "A-3"), buyer)
    assert confirmed.status_code == 201, confirmed.text
    assert (await seat_statuses(http, event_id))["A-3"] == "booked"
    booking_id = confirmed.json()["booking_id"]
    cancelled = await http.post(f"/bookings/{booking_id}/cancel", headers=buyer["headers"])
    assert cancelled.status_code == 200, cancelled.text
    assert (await seat_statuses(http, event_id))["A-3"] == "available"


async def test_a_lapsed_hold_shows_available_at_its_expiry(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=2, prices={"VIP": 10.0}, ttl=2)
    event_id, buyer = event["event_id"], await make_user()
    response = await http.post(
        f"/events/{event_id}/hold", json={"seat_ids": ["A-1"]}, headers=buyer["headers"]
    )
    assert response.status_code == 201, response.text
    expires_at = datetime.fromisoformat(response.json()["expires_at"]).timestamp()
    assert (await seat_statuses(http, event_id))["A-1"] == "held"
    await asyncio.sleep(max(0.0, expires_at - time.time()) + 0.01)
    assert (await seat_statuses(http, event_id))["A-1"] == "available"
    assert await seats_left(http, event_id) == {"VIP": 2}


async def test_added_seats_show_up_and_unknown_events_are_404(
    http: httpx.AsyncClient, make_event, admin: dict[str, str]
) -> None:
    event = await make_event(rows="A", per_row=2, prices={"VIP": 10.0})
    event_id = event["event_id"]
    assert len(await seat_statuses(http, event_id)) == 2
    added = await http.post(
        f"/venue/{event['venue_id']}/seats",
        headers=event["organizer"]["headers"],
        json={"seats": [{"row": "B", "number": 1, "seat_type": "VIP"}]},
    )
    assert added.status_code == 201, added.text
    assert (await seat_statuses(http, event_id))["B-1"] == "available"
    page = (await http.get(f"/events/{event_id}")).json()
    assert page["capacity"] == 3 and page["seats_left"] == {"VIP": 3}
    for path in ("/events/e0000000000000000000000000000000", "/events/not-an-id"):
        for suffix in ("", "/seats"):
            response = await http.get(path + suffix)
            assert response.status_code == 404, response.text
            assert response.json()["error"]["code"] == "event_not_found"


async def test_etag_and_304(http: httpx.AsyncClient, make_event, make_user: MakeUser) -> None:
    event = await make_event(rows="A", per_row=2, prices={"VIP": 10.0})
    event_id, buyer = event["event_id"], await make_user()
    for path in (f"/events/{event_id}/seats", f"/events/{event_id}"):
        first = await http.get(path)
        etag = first.headers["etag"]
        again = await http.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        other = await http.get(path, headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200 and other.json() == first.json()
    tags = {p: (await http.get(p)).headers["etag"] for p in (f"/events/{event_id}/seats",)}
    await held(http, event_id, buyer, "A-1")
    for path, etag in tags.items():
        changed = await http.get(path, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_concurrent_writes_and_reads_agree_over_the_whole_history(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    """8 buyers hold, cancel and confirm over 12 seats while reading the map after each write.
    Every read right after a write shows that write's seats as it left them (no other buyer
    can take a seat the writer still holds or booked), and the final map is exactly the seats
    of the holds and bookings still standing."""
    event = await make_event(rows="AB", per_row=6, prices={"VIP": 10.0})
    event_id = event["event_id"]
    seats = [f"{r}-{n}" for r in "AB" for n in range(1, 7)]
    buyers = [await make_user() for _ in range(8)]
    standing: dict[str, str] = {}  # seat -> held|booked, from successful commands
    violations: list[str] = []

    async def buyer_loop(buyer: dict[str, Any], rng: random.Random) -> None:
        for _ in range(6):
            wanted = rng.sample(seats, 2)
            response = await http.post(
                f"/events/{event_id}/hold", json={"seat_ids": wanted}, headers=buyer["headers"]
            )
            if response.status_code != 201:
                assert response.status_code == 409, response.text
                continue
            holding_id = response.json()["holding_id"]
            for seat in wanted:
                standing[seat] = "held"
            seen = await seat_statuses(http, event_id)
            violations.extend(f"{s} {seen[s]} after hold" for s in wanted if seen[s] != "held")
            if rng.random() < 0.5:
                answer = await http.post(f"/{holding_id}/cancel", headers=buyer["headers"])
                assert answer.status_code == 200, answer.text
                for seat in wanted:
                    del standing[seat]
                expected = "available"
            else:
                answer = await confirm(http, holding_id, buyer)
                assert answer.status_code == 201, answer.text
                for seat in wanted:
                    standing[seat] = "booked"
                expected = "booked"
            seen = await seat_statuses(http, event_id)
            wrong = [s for s in wanted if seen[s] != expected and seen[s] != "held"]
            if expected == "booked":
                wrong = [s for s in wanted if seen[s] != "booked"]
            violations.extend(f"{s} {seen[s]} after {expected}" for s in wrong)

    await asyncio.gather(*(buyer_loop(b, random.Random(i)) for i, b in enumerate(buyers)))
    assert violations == []
    final = await seat_statuses(http, event_id)
    assert {s: st for s, st in final.items() if st != "available"} == standing
