"""The waiting room (API.md, On-sales): tickets, positions, admission at the rate from the sale
start, passes checked at the hold route, and the refusals."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser

from infra.cassandra import Statements, connect
from infra.settings import Settings
from system.launch import System
from tables import queue
from tests.e2e.conftest import MakeUser, MakeVenue, error_of
from tests.support import eventually
from waitroom import passes


async def room_event(
    http: httpx.AsyncClient,
    make_venue: MakeVenue,
    *,
    opens_in: float = 0.0,
    admit_per_minute: int | None = None,
    waiting_room: bool = True,
) -> dict[str, Any]:
    venue = await make_venue(
        seat_types=("Regular",), seats=[("A", n, "Regular") for n in range(1, 11)]
    )
    body: dict[str, Any] = {
        "venue_id": venue["venue_id"],
        "name": "Queue Night",
        "starts_at": "2030-01-01T20:00:00Z",
        "prices": {"Regular": 30.0},
        "sale_starts_at": (datetime.now(UTC) + timedelta(seconds=opens_in)).isoformat(),
        "waiting_room": waiting_room,
    }
    if admit_per_minute is not None:
        body["admit_per_minute"] = admit_per_minute
    created = await http.post("/events", headers=venue["owner"]["headers"], json=body)
    assert created.status_code == 201, created.text
    event: dict[str, Any] = created.json()
    return event | {"organizer": venue["owner"]}


async def join(http: httpx.AsyncClient, event_id: str, user: dict[str, Any]) -> httpx.Response:
    return await http.post(f"/events/{event_id}/queue", headers=user["headers"])


async def ticket_now(
    http: httpx.AsyncClient, event_id: str, user: dict[str, Any], ticket_id: str
) -> dict[str, Any]:
    response = await http.get(f"/events/{event_id}/queue/{ticket_id}", headers=user["headers"])
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def admitted(
    http: httpx.AsyncClient, event_id: str, user: dict[str, Any], ticket_id: str
) -> dict[str, Any]:
    """The ticket once admitted (waits for it)."""
    seen: dict[str, Any] = {}

    async def let_in() -> bool:
        seen.update(await ticket_now(http, event_id, user, ticket_id))
        return bool(seen["status"] == "admitted")

    await eventually(let_in, timeout=20, interval=0.1, what="admission")
    return seen


async def hold(
    http: httpx.AsyncClient, event_id: str, user: dict[str, Any], token: str | None, seat: int
) -> httpx.Response:
    headers = dict(user["headers"])
    if token is not None:
        headers["Evently-Queue-Pass"] = token
    return await http.post(
        f"/events/{event_id}/hold", headers=headers, json={"seat_ids": [f"A-{seat}"]}
    )


async def test_the_event_shows_its_waiting_room_and_rate(
    http: httpx.AsyncClient, make_venue: MakeVenue
) -> None:
    event = await room_event(http, make_venue, opens_in=3600, admit_per_minute=90)
    shown = (await http.get(f"/events/{event['event_id']}")).json()
    assert shown["waiting_room"] is True and shown["admit_per_minute"] == 90
    plain = await room_event(http, make_venue, waiting_room=False)
    shown = (await http.get(f"/events/{plain['event_id']}")).json()
    assert shown["waiting_room"] is False and shown["admit_per_minute"] > 0


@pytest.mark.parametrize(("field", "value"), [("admit_per_minute", 0), ("waiting_room", "yes")])
async def test_bad_room_settings_are_a_422_naming_the_field(
    http: httpx.AsyncClient, make_venue: MakeVenue, field: str, value: object
) -> None:
    venue = await make_venue(seat_types=("Regular",), seats=[("A", 1, "Regular")])
    body = {
        "venue_id": venue["venue_id"],
        "name": "Bad",
        "starts_at": "2030-01-01T20:00:00Z",
        "prices": {"Regular": 1.0},
        field: value,
    }
    refused = await http.post("/events", headers=venue["owner"]["headers"], json=body)
    assert error_of(refused, 422)["details"]["field"] == field


async def test_joining_gives_a_ticket_and_joining_again_the_same_one(
    http: httpx.AsyncClient, make_venue: MakeVenue, make_user: MakeUser
) -> None:
    event = await room_event(http, make_venue, opens_in=3600)
    buyer = await make_user()
    first = await join(http, event["event_id"], buyer)
    assert first.status_code == 201, first.text
    ticket = first.json()
    assert ticket["event_id"] == event["event_id"] and ticket["user_id"] == buyer["user_id"]
    assert ticket["status"] == "waiting" and ticket["position"] == 0
    assert ticket["estimated_wait_s"] > 3000  # the sale opens in an hour
    assert "pass" not in ticket
    again = await join(http, event["event_id"], buyer)
    assert again.status_code == 200 and again.json()["ticket_id"] == ticket["ticket_id"]
    read = await ticket_now(http, event["event_id"], buyer, ticket["ticket_id"])
    assert read["ticket_id"] == ticket["ticket_id"] and read["status"] == "waiting"


async def test_concurrent_joins_of_one_user_make_one_ticket(
    http: httpx.AsyncClient, make_venue: MakeVenue, make_user: MakeUser
) -> None:
    event = await room_event(http, make_venue, opens_in=3600)
    buyer = await make_user()
    answers = await asyncio.gather(*(join(http, event["event_id"], buyer) for _ in range(12)))
    assert sorted(a.status_code for a in answers) == [200] * 11 + [201], [a.text for a in answers]
    assert len({a.json()["ticket_id"] for a in answers}) == 1


async def test_refusals_no_room_unknown_event_someone_elses_ticket(
    http: httpx.AsyncClient, make_venue: MakeVenue, make_user: MakeUser
) -> None:
    buyer, other = await make_user(), await make_user()
    plain = await room_event(http, make_venue, waiting_room=False)
    error_of(await join(http, plain["event_id"], buyer), 409, "no_waiting_room")
    error_of(await join(http, "0" * 32, buyer), 404)
    error_of(await join(http, "not-an-event", buyer), 404)
    event = await room_event(http, make_venue, opens_in=3600)
    ticket = (await join(http, event["event_id"], buyer)).json()
    path = f"/events/{event['event_id']}/queue/{ticket['ticket_id']}"
    error_of(await http.get(path, headers=other["headers"]), 404)
    error_of(await http.get(path), 401)
    bogus = f"/events/{event['event_id']}/queue/{'f' * 32}"
    error_of(await http.get(bogus, headers=buyer["headers"]), 404)
    error_of(await http.get(f"/events/{event['event_id']}/queue/x", headers=buyer["headers"]), 404)


async def test_nobody_is_let_in_before_the_sale_then_pre_sale_joiners_first(
    http: httpx.AsyncClient, make_venue: MakeVenue, make_user: MakeUser
) -> None:
    opens_in = 4.0
    event = await room_event(http, make_venue, opens_in=opens_in, admit_per_minute=600)
    event_id = event["event_id"]
    opens = datetime.fromisoformat(event["sale_starts_at"]).timestamp()
    early = [await make_user() for _ in range(5)]
    tickets = [(await join(http, event_id, u)).json() for u in early]
    for user, ticket in zip(early, tickets, strict=True):
        assert (await ticket_now(http, event_id, user, ticket["ticket_id"]))["status"] == "waiting"
    await asyncio.sleep(max(0.0, opens + 0.1 - time.time()))
    late = [await make_user() for _ in range(3)]
    late_tickets = [(await join(http, event_id, u)).json() for u in late]
    everyone = [*zip(early, tickets, strict=True), *zip(late, late_tickets, strict=True)]
    seen = [await admitted(http, event_id, u, t["ticket_id"]) for u, t in everyone]
    times = [datetime.fromisoformat(s["admitted_at"]).timestamp() for s in seen]
    assert min(times) >= opens  # nobody before the sale
    early_last = max(times[:5])
    assert all(t >= early_last for t in times[5:]), times  # pre-sale joiners ahead
    assert times[5:] == sorted(times[5:]), times  # then first come, first served
    assert all(s["position"] == 0 and s["pass"] for s in seen)


async def test_admission_is_spread_at_the_rate_and_positions_count_down(
    http: httpx.AsyncClient, make_venue: MakeVenue, make_user: MakeUser
) -> None:
    users = [await make_user() for _ in range(4)]
    event = await room_event(http, make_venue, opens_in=3.0, admit_per_minute=60)  # 1 a second
    event_id = event["event_id"]
    opens = datetime.fromisoformat(event["sale_starts_at"]).timestamp()
    tickets = [(await join(http, event_id, u)).json()["ticket_id"] for u in users]
    await asyncio.sleep(max(0.0, opens + 1.3 - time.time()))  # drawn; one or two let in
    now = [await ticket_now(http, event_id, u, t) for u, t in zip(users, tickets, strict=True)]
    waiting = [n for n in now if n["status"] == "waiting"]
    assert 2 <= len(waiting) <= 3, now
    # Distinct and consecutive (an admission between two of the reads may shift them by one).
    first = min(n["position"] for n in waiting)
    assert first <= 1, now
    assert sorted(n["position"] for n in waiting) == list(range(first, first + len(waiting)))
    assert all(n["estimated_wait_s"] <= n["position"] * 1.0 + 0.1 for n in waiting), now
    seen = [await admitted(http, event_id, u, t) for u, t in zip(users, tickets, strict=True)]
    starts = sorted(datetime.fromisoformat(s["admitted_at"]).timestamp() for s in seen)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert all(0.99 <= g <= 1.5 for g in gaps), starts  # one a second, evenly
    by_position = sorted(waiting, key=lambda n: n["position"])
    let_in = {s["ticket_id"]: s["admitted_at"] for s in seen}
    order = [let_in[n["ticket_id"]] for n in by_position]
    assert order == sorted(order), (by_position, let_in)  # let in in the order of positions


async def test_the_pass_lets_its_holder_hold_and_nothing_else_does(
    http: httpx.AsyncClient, make_venue: MakeVenue, make_user: MakeUser
) -> None:
    event = await room_event(http, make_venue, admit_per_minute=6000)
    other_event = await room_event(http, make_venue, admit_per_minute=6000)
    buyer, stranger = await make_user(), await make_user()
    event_id = event["event_id"]
    ticket = (await join(http, event_id, buyer)).json()
    let_in = await admitted(http, event_id, buyer, ticket["ticket_id"])
    token = let_in["pass"]
    error_of(await hold(http, event_id, buyer, None, 1), 403, "queue_pass_required")
    error_of(await hold(http, event_id, stranger, token, 1), 403, "queue_pass_invalid")
    error_of(await hold(http, other_event["event_id"], buyer, token, 1), 403, "queue_pass_invalid")
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    error_of(await hold(http, event_id, buyer, forged, 1), 403, "queue_pass_invalid")
    error_of(await hold(http, event_id, buyer, "nonsense", 1), 403, "queue_pass_invalid")
    first = await hold(http, event_id, buyer, token, 1)
    second = await hold(http, event_id, buyer, token, 2)  # a pass covers several holds
    assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
    again = await join(http, event_id, buyer)  # the pass is valid: the same ticket
    assert again.status_code == 200 and again.json()["ticket_id"] == ticket["ticket_id"]
    assert again.json()["pass"] == token


async def test_an_event_without_a_room_needs_no_pass(
    http: httpx.AsyncClient, make_venue: MakeVenue, make_user: MakeUser
) -> None:
    plain = await room_event(http, make_venue, waiting_room=False)
    buyer = await make_user()
    assert (await hold(http, plain["event_id"], buyer, None, 1)).status_code == 201


async def test_killing_the_admitter_mid_admission_loses_nobody_their_place(
    http: httpx.AsyncClient, make_venue: MakeVenue, make_user: MakeUser, system: System
) -> None:
    """kill -9 of the admitter while it lets buyers in: after its restart everyone is let in,
    once, in the order they held before (and those let in keep their passes)."""
    users = [await make_user() for _ in range(10)]
    event = await room_event(http, make_venue, opens_in=4.0, admit_per_minute=120)
    event_id = event["event_id"]
    opens = datetime.fromisoformat(event["sale_starts_at"]).timestamp()
    tickets = [(await join(http, event_id, u)).json()["ticket_id"] for u in users]
    assert time.time() < opens, "joined after the sale opened: the machine is too slow"
    await asyncio.sleep(max(0.0, opens + 2.0 - time.time()))
    system.kill("admitter", signal.SIGKILL)
    try:
        before = [
            await ticket_now(http, event_id, u, t) for u, t in zip(users, tickets, strict=True)
        ]
        let_in = [b for b in before if b["status"] == "admitted"]
        waiting = sorted(
            (b for b in before if b["status"] == "waiting"), key=lambda b: b["position"]
        )
        assert let_in and len(waiting) >= 4, before
        assert [w["position"] for w in waiting] == list(range(len(waiting))), before
        await asyncio.sleep(1.0)
        still = [
            await ticket_now(http, event_id, u, t) for u, t in zip(users, tickets, strict=True)
        ]
        assert still == before  # nobody is let in (or moved) while no admitter runs
    finally:
        system.respawn("admitter")
    after = [await admitted(http, event_id, u, t) for u, t in zip(users, tickets, strict=True)]
    by_ticket = {a["ticket_id"]: a for a in after}
    for b in let_in:
        assert by_ticket[b["ticket_id"]]["pass"] == b["pass"]
    resumed = [by_ticket[w["ticket_id"]]["admitted_at"] for w in waiting]
    assert resumed == sorted(resumed) and len(set(resumed)) == len(resumed), (waiting, after)
    assert min(resumed) > max(b["admitted_at"] for b in let_in)


async def test_the_dashboard_shows_the_queue_and_those_let_in(
    browser: Browser,
    system: System,
    http: httpx.AsyncClient,
    make_venue: MakeVenue,
    make_user: MakeUser,
) -> None:
    event = await room_event(http, make_venue, opens_in=3600)
    organizer_token = event["organizer"]["token"]
    for buyer in [await make_user() for _ in range(3)]:
        assert (await join(http, event["event_id"], buyer)).status_code == 201
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    url = f"{system.base_url}/dashboard?token={organizer_token}&event_id={event['event_id']}"
    await page.goto(url)
    await page.wait_for_selector('#card-in_queue[data-value="3"]', timeout=10_000)
    await page.wait_for_selector('#card-admitted[data-value="0"]')
    await page.wait_for_selector('#card-waitlist_size[data-value="0"]')
    assert errors == []
    await page.close()


async def test_metrics_show_each_rooms_queue_and_those_let_in(
    http: httpx.AsyncClient, make_venue: MakeVenue, make_user: MakeUser
) -> None:
    event = await room_event(http, make_venue, opens_in=3600)
    for buyer in [await make_user() for _ in range(2)]:
        await join(http, event["event_id"], buyer)
    label = f'{{event_id="{event["event_id"]}"}}'

    async def shown() -> bool:
        text = (await http.get("/metrics")).text
        return f"evently_queue_length{label} 2.0" in text and (
            f"evently_queue_admitted{label} 0.0" in text
        )

    await eventually(shown, timeout=10, interval=0.2, what="the queue on /metrics")


async def test_a_pass_past_its_expiry_is_refused_and_joining_again_goes_to_the_back(
    http: httpx.AsyncClient, make_venue: MakeVenue, make_user: MakeUser, e2e_settings: Settings
) -> None:
    event = await room_event(http, make_venue, admit_per_minute=6000)
    event_id = event["event_id"]
    buyer, later = await make_user(), await make_user()
    secret = (e2e_settings.queue_pass_secret or "").encode()
    stale = passes.sign(secret, passes.Claims(buyer["user_id"], event_id, int(time.time()) - 1))
    error_of(await hold(http, event_id, buyer, stale, 1), 403, "queue_pass_invalid")
    ticket = (await join(http, event_id, buyer)).json()
    await admitted(http, event_id, buyer, ticket["ticket_id"])
    other = (await join(http, event_id, later)).json()
    # Eleven minutes pass (the admission is moved back: the pass has lapsed).
    session = await asyncio.to_thread(connect, e2e_settings)
    try:
        lapsed = datetime.now(UTC) - timedelta(minutes=11)
        await queue.record_decisions(
            Statements(session), event_id, [], [(uuid.UUID(ticket["ticket_id"]), lapsed)]
        )
    finally:
        session.cluster.shutdown()
    old = await ticket_now(http, event_id, buyer, ticket["ticket_id"])
    error_of(await hold(http, event_id, buyer, old["pass"], 1), 403, "queue_pass_invalid")
    again = await join(http, event_id, buyer)
    assert again.status_code == 201, again.text
    renewed = again.json()
    assert renewed["ticket_id"] != ticket["ticket_id"] and renewed["status"] == "waiting"
    assert renewed["joined_at"] > other["joined_at"]  # behind the one who joined meanwhile
    let_in = await admitted(http, event_id, buyer, renewed["ticket_id"])
    assert (await hold(http, event_id, buyer, let_in["pass"], 1)).status_code == 201
