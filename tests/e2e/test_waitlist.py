"""The waiting list (API.md, On-sales) over HTTP: a sold-out type's freed seats go to the line
first, in order; offers are holds like any other; lapses pass on; leaving ends an entry."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tests.e2e.conftest import MakeUser, error_of, seat_statuses
from tests.e2e.test_analytics import figures_until

MakeEvent = Callable[..., Awaitable[dict[str, Any]]]
ORGANIZERS: dict[str, dict[str, str]] = {}  # event id -> its organizer's headers


async def sold_out(
    http: httpx.AsyncClient, make_event: MakeEvent, make_user: MakeUser, seats: int, ttl: int = 60
) -> tuple[str, dict[str, Any], list[str]]:
    """An event of `seats` Regular seats in row A, each held by `buyer` one seat a hold."""
    event = await make_event(rows="A", per_row=seats, prices={"Regular": 40.0}, ttl=ttl)
    ORGANIZERS[event["event_id"]] = event["organizer"]["headers"]
    buyer = await make_user()
    holds = []
    for n in range(1, seats + 1):
        held = await http.post(
            f"/events/{event['event_id']}/hold",
            headers=buyer["headers"],
            json={"seat_ids": [f"A-{n}"]},
        )
        assert held.status_code == 201, held.text
        holds.append(held.json()["holding_id"])
    return event["event_id"], buyer, holds


async def join(
    http: httpx.AsyncClient, event_id: str, user: dict[str, Any], quantity: int = 1
) -> httpx.Response:
    return await http.post(
        f"/events/{event_id}/waitlist",
        headers=user["headers"],
        json={"seat_type": "Regular", "quantity": quantity},
    )


async def entry(
    http: httpx.AsyncClient, event_id: str, user: dict[str, Any], waitlist_id: str
) -> dict[str, Any]:
    response = await http.get(f"/events/{event_id}/waitlist/{waitlist_id}", headers=user["headers"])
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def until(
    http: httpx.AsyncClient,
    event_id: str,
    user: dict[str, Any],
    waitlist_id: str,
    status: str,
    within: float = 15.0,
) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        shown = await entry(http, event_id, user, waitlist_id)
        if shown["status"] == status or time.monotonic() > deadline:
            assert shown["status"] == status, shown
            return shown
        await asyncio.sleep(0.2)


async def test_freed_seats_are_offered_first_and_the_offer_is_booked(
    http: httpx.AsyncClient, make_event: MakeEvent, make_user: MakeUser
) -> None:
    event_id, buyer, holds = await sold_out(http, make_event, make_user, seats=2)
    ann, bob, carl = await make_user(), await make_user(), await make_user()
    first = await join(http, event_id, ann)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "waiting" and first.json()["position"] == 1
    assert set(first.json()) == {"waitlist_id", "position", "status"}
    second = await join(http, event_id, bob)
    assert second.json()["position"] == 2
    cancelled = await http.post(f"/{holds[0]}/cancel", headers=buyer["headers"])
    assert cancelled.status_code == 200, cancelled.text
    # the freed seat went to ann in the cancel's own decision: nobody can snatch it
    snatch = await http.post(
        f"/events/{event_id}/hold", headers=carl["headers"], json={"seat_ids": ["A-1"]}
    )
    error_of(snatch, 409, "seats_unavailable")
    shown = await entry(http, event_id, ann, first.json()["waitlist_id"])
    assert shown["status"] == "offered", shown
    assert shown["holding_id"] and shown["expires_at"]
    assert (await entry(http, event_id, bob, second.json()["waitlist_id"]))["position"] == 1
    confirmed = await http.post(
        f"/{shown['holding_id']}/confirm", headers=ann["headers"], json={"payment_token": "tok_ok"}
    )
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["seat_ids"] == ["A-1"]
    booked = await entry(http, event_id, ann, first.json()["waitlist_id"])
    assert booked["status"] == "booked"
    ended = await http.post(
        f"/events/{event_id}/waitlist/{first.json()['waitlist_id']}/leave", headers=ann["headers"]
    )
    error_of(ended, 409, "waitlist_ended")
    expected = {"waitlist_size": 1, "waitlist_offers_taken": 1}
    await figures_until(http, event_id, ORGANIZERS[event_id], expected)


async def test_a_lapsed_offer_passes_to_the_next_in_line(
    http: httpx.AsyncClient, make_event: MakeEvent, make_user: MakeUser
) -> None:
    event_id, buyer, holds = await sold_out(http, make_event, make_user, seats=1, ttl=2)
    ann, bob = await make_user(), await make_user()
    # the buyer's own hold lapses after 2 s: its seat goes to ann, then (ann never pays) bob
    a = (await join(http, event_id, ann)).json()["waitlist_id"]
    b = (await join(http, event_id, bob)).json()["waitlist_id"]
    offered = await until(http, event_id, ann, a, "offered")
    lapsed = await until(http, event_id, ann, a, "lapsed")
    assert lapsed["holding_id"] == offered["holding_id"]
    passed = await until(http, event_id, bob, b, "offered")
    assert passed["holding_id"] != offered["holding_id"]
    assert (await seat_statuses(http, event_id))["A-1"] == "held"


async def test_leave_and_cancelling_an_offer_end_the_entry(
    http: httpx.AsyncClient, make_event: MakeEvent, make_user: MakeUser
) -> None:
    event_id, buyer, holds = await sold_out(http, make_event, make_user, seats=1)
    ann, bob, carl = await make_user(), await make_user(), await make_user()
    a = (await join(http, event_id, ann)).json()["waitlist_id"]
    b = (await join(http, event_id, bob)).json()["waitlist_id"]
    c = (await join(http, event_id, carl)).json()["waitlist_id"]
    left = await http.post(f"/events/{event_id}/waitlist/{a}/leave", headers=ann["headers"])
    assert left.status_code == 200, left.text
    assert left.json()["status"] == "left"
    again = await http.post(f"/events/{event_id}/waitlist/{a}/leave", headers=ann["headers"])
    error_of(again, 409, "waitlist_ended")
    await http.post(f"/{holds[0]}/cancel", headers=buyer["headers"])
    offer = await entry(http, event_id, bob, b)
    assert offer["status"] == "offered"
    cancelled = await http.post(f"/{offer['holding_id']}/cancel", headers=bob["headers"])
    assert cancelled.status_code == 200, cancelled.text
    assert (await entry(http, event_id, bob, b))["status"] == "left"
    assert (await entry(http, event_id, carl, c))["status"] == "offered"


async def test_join_refusals_and_someone_elses_entry(
    http: httpx.AsyncClient, make_event: MakeEvent, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=2, prices={"Regular": 40.0})
    event_id, ann, bob = event["event_id"], await make_user(), await make_user()
    error_of(await join(http, event_id, ann, 2), 409, "seats_available")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"seat_type": "Balcony", "quantity": 1}, "seat_type"),
        ({"seat_type": "Regular", "quantity": 0}, "quantity"),
        ({"seat_type": "Regular", "quantity": 11}, "quantity"),
        ({"seat_type": "Regular"}, "quantity"),
        ({"quantity": 1}, "seat_type"),
    ]
    for body, field in cases:
        refused = await http.post(f"/events/{event_id}/waitlist", headers=ann["headers"], json=body)
        assert error_of(refused, 422)["details"]["field"] == field, (body, refused.text)
    unknown = await http.post(
        "/events/" + "0" * 32 + "/waitlist",
        headers=ann["headers"],
        json={"seat_type": "Regular", "quantity": 1},
    )
    error_of(unknown, 404)
    joined = await join(http, event_id, ann, 3)  # 3 of 2 seats: never available, may wait
    assert joined.status_code == 201, joined.text
    waitlist_id = joined.json()["waitlist_id"]
    theirs = await http.get(f"/events/{event_id}/waitlist/{waitlist_id}", headers=bob["headers"])
    error_of(theirs, 404)
    leave = await http.post(
        f"/events/{event_id}/waitlist/{waitlist_id}/leave", headers=bob["headers"]
    )
    error_of(leave, 404)
    error_of(await http.get(f"/events/{event_id}/waitlist/junk", headers=ann["headers"]), 404)


async def test_concurrent_joins_of_one_user_make_one_entry(
    http: httpx.AsyncClient, make_event: MakeEvent, make_user: MakeUser
) -> None:
    event_id, _, _ = await sold_out(http, make_event, make_user, seats=1)
    ann = await make_user()
    answers = await asyncio.gather(*(join(http, event_id, ann) for _ in range(8)))
    assert sorted(a.status_code for a in answers) == [200] * 7 + [201]
    assert len({a.json()["waitlist_id"] for a in answers}) == 1
    assert {a.json()["position"] for a in answers} == {1}
    bob = await make_user()
    assert (await join(http, event_id, bob)).json()["position"] == 2


async def test_an_entry_that_does_not_fit_is_skipped(
    http: httpx.AsyncClient, make_event: MakeEvent, make_user: MakeUser
) -> None:
    event_id, buyer, holds = await sold_out(http, make_event, make_user, seats=3)
    ann, bob = await make_user(), await make_user()
    a = (await join(http, event_id, ann, 2)).json()["waitlist_id"]
    b = (await join(http, event_id, bob, 1)).json()["waitlist_id"]
    await http.post(f"/{holds[1]}/cancel", headers=buyer["headers"])
    assert (await entry(http, event_id, ann, a))["status"] == "waiting"
    offer = await entry(http, event_id, bob, b)
    assert offer["status"] == "offered"
    await http.post(f"/{holds[0]}/cancel", headers=buyer["headers"])
    await http.post(f"/{holds[2]}/cancel", headers=buyer["headers"])
    assert (await entry(http, event_id, ann, a))["status"] == "offered"
    statuses = await seat_statuses(http, event_id)
    assert statuses == {"A-1": "held", "A-2": "held", "A-3": "held"}
