"""Holds and bookings: POST /events/{id}/hold, /{holding_id}/confirm and /cancel,
/bookings/{booking_id}/cancel, and the seat map after each."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime
from typing import Any

import httpx
import orjson
import pytest
from cassandra.cluster import Session

from infra.cassandra import connect, execute
from infra.settings import Settings
from tests.e2e.conftest import MakeUser, error_of, seat_statuses
from tests.support import eventually
from topics.partitioning import seat_partition

pytestmark = pytest.mark.e2e


async def hold(
    http: httpx.AsyncClient, event_id: str, buyer: dict[str, Any], **body: Any
) -> httpx.Response:
    return await http.post(f"/events/{event_id}/hold", json=body, headers=buyer["headers"])


async def held(http: httpx.AsyncClient, event_id: str, buyer: dict[str, Any], *seats: str) -> str:
    response = await hold(http, event_id, buyer, seat_ids=list(seats))
    assert response.status_code == 201, response.text
    holding_id: str = response.json()["holding_id"]
    return holding_id


async def confirm(
    http: httpx.AsyncClient, holding_id: str, buyer: dict[str, Any], token: str = "tok_ok"
) -> httpx.Response:
    return await http.post(
        f"/{holding_id}/confirm", json={"payment_token": token}, headers=buyer["headers"]
    )


async def booked(
    http: httpx.AsyncClient, event_id: str, buyer: dict[str, Any], *seats: str
) -> dict[str, Any]:
    response = await confirm(http, await held(http, event_id, buyer, *seats), buyer)
    assert response.status_code == 201, response.text
    booking: dict[str, Any] = response.json()
    return booking


def only(statuses: dict[str, str], status: str) -> set[str]:
    return {seat for seat, now in statuses.items() if now == status}


# -- holding --------------------------------------------------------------------------------


async def test_hold_answers_the_contract(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="AB", per_row=3, types_by_row={"B": "Regular"})
    buyer = await make_user()
    started = time.time()
    response = await hold(http, event["event_id"], buyer, seat_ids=["A-1", "B-2"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["event_id"] == event["event_id"] and body["user_id"] == buyer["user_id"]
    assert body["seat_ids"] == ["A-1", "B-2"] and body["total_price"] == 150.0
    assert body["holding_id"]
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00")).timestamp()
    assert started + 170 < expires < time.time() + 190  # the default ttl, 180 s
    statuses = await seat_statuses(http, event["event_id"])
    assert only(statuses, "held") == {"A-1", "B-2"}


async def test_taken_seats_are_409_listing_exactly_those_and_nothing_changes(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=5)
    first, second = await make_user(), await make_user()
    await held(http, event["event_id"], first, "A-2")
    await booked(http, event["event_id"], first, "A-4")
    before = await seat_statuses(http, event["event_id"])
    response = await hold(http, event["event_id"], second, seat_ids=["A-1", "A-2", "A-3", "A-4"])
    error = error_of(response, 409, "seats_unavailable")
    assert sorted(error["details"]["unavailable_seat_ids"]) == ["A-2", "A-4"]
    assert await seat_statuses(http, event["event_id"]) == before
    # all or nothing: the free seats are still free for anyone
    await held(http, event["event_id"], second, "A-1", "A-3")


async def test_best_available_is_adjacent_in_one_row_front_first(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(
        rows="ABCD", per_row=5, types_by_row={"A": "Regular", "B": "VIP", "C": "VIP", "D": "VIP"}
    )
    buyer = await make_user()
    picks = []
    for _ in range(2):
        response = await hold(http, event["event_id"], buyer, seat_type="VIP", quantity=3)
        assert response.status_code == 201, response.text
        picks.append(response.json()["seat_ids"])
    for seats, row in zip(picks, "BC", strict=True):
        assert {s.split("-")[0] for s in seats} == {row}, picks
        numbers = sorted(int(s.split("-")[1]) for s in seats)
        assert numbers == list(range(numbers[0], numbers[0] + 3)), picks
    assert response.json()["total_price"] == 300.0


async def test_best_available_refuses_when_too_few_are_left(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=3)
    buyer = await make_user()
    await held(http, event["event_id"], buyer, "A-2")
    before = await seat_statuses(http, event["event_id"])
    response = await hold(http, event["event_id"], buyer, seat_type="VIP", quantity=3)
    error_of(response, 409, "not_enough_seats")
    assert await seat_statuses(http, event["event_id"]) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "seat_ids"),
        ({"seat_ids": []}, "seat_ids"),
        ({"seat_ids": "A-1"}, "seat_ids"),
        ({"seat_ids": [1]}, "seat_ids.0"),
        ({"seat_ids": ["A-1"], "seat_type": "VIP"}, "seat_type"),
        ({"seat_ids": ["A-1"], "quantity": 1}, "quantity"),
        ({"seat_ids": ["A-1"], "seat_type": "VIP", "quantity": 1}, "seat_type"),
        ({"seat_type": "VIP"}, "quantity"),
        ({"quantity": 2}, "seat_type"),
        ({"seat_type": "VIP", "quantity": 0}, "quantity"),
        ({"seat_type": "VIP", "quantity": "two"}, "quantity"),
        ({"seat_type": "VIP", "quantity": 11}, "quantity"),
        ({"seat_ids": [f"A-{n}" for n in range(1, 12)]}, "seat_ids"),
        ({"seat_ids": ["A-1"], "vip": True}, "vip"),
        ({"seat_ids": ["A-1", "A-1"]}, "seat_ids"),
        ({"seat_ids": ["A-1", "Z-99"]}, "seat_ids"),
        ({"seat_type": "Balcony", "quantity": 1}, "seat_type"),
    ],
)
async def test_bad_hold_bodies_are_422_naming_the_field_and_change_nothing(
    http: httpx.AsyncClient, make_event, make_user: MakeUser, body: dict[str, Any], field: str
) -> None:
    event = await make_event(rows="AB", per_row=6)
    buyer = await make_user()
    before = await seat_statuses(http, event["event_id"])
    error = error_of(await hold(http, event["event_id"], buyer, **body), 422)
    assert error["details"]["field"] == field, error
    if "Z-99" in body.get("seat_ids", []):
        assert error["details"]["unknown_seat_ids"] == ["Z-99"], error
    if len(body.get("seat_ids", [])) == 11 or body.get("quantity") == 11:
        assert error["details"]["limit"] == 10, error
    assert await seat_statuses(http, event["event_id"]) == before


async def test_ten_seats_is_the_most_one_hold_takes(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="AB", per_row=6)
    buyer = await make_user()
    seats = [f"A-{n}" for n in range(1, 7)] + [f"B-{n}" for n in range(1, 5)]
    response = await hold(http, event["event_id"], buyer, seat_ids=seats)
    assert response.status_code == 201, response.text
    assert len(response.json()["seat_ids"]) == 10


async def test_idempotency_key_gives_one_hold(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="AB", per_row=5)
    buyer = await make_user()
    headers = buyer["headers"] | {"Idempotency-Key": f"hold-{uuid.uuid4().hex}"}
    path, body = f"/events/{event['event_id']}/hold", {"seat_type": "VIP", "quantity": 2}
    first = await http.post(path, json=body, headers=headers)
    second = await http.post(path, json=body, headers=headers)
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert first.json() == second.json()
    assert len(only(await seat_statuses(http, event["event_id"]), "held")) == 2
    # the same key, sent many times at once, still decides once
    headers = buyer["headers"] | {"Idempotency-Key": f"hold-{uuid.uuid4().hex}"}
    answers = await asyncio.gather(*(http.post(path, json=body, headers=headers) for _ in range(5)))
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()["holding_id"] for a in answers}) == 1
    assert len(only(await seat_statuses(http, event["event_id"]), "held")) == 4
    # a different key is a different hold
    headers = buyer["headers"] | {"Idempotency-Key": f"hold-{uuid.uuid4().hex}"}
    third = await http.post(path, json=body, headers=headers)
    assert third.status_code == 201 and third.json()["holding_id"] != first.json()["holding_id"]
    assert len(only(await seat_statuses(http, event["event_id"]), "held")) == 6


# -- confirming -----------------------------------------------------------------------------


async def test_confirm_answers_the_contract(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=3)
    buyer = await make_user()
    holding_id = await held(http, event["event_id"], buyer, "A-1", "A-3")
    response = await confirm(http, holding_id, buyer)
    assert response.status_code == 201, response.text
    booking = response.json()
    assert booking["booking_id"] and booking["holding_id"] == holding_id
    assert booking["event_id"] == event["event_id"] and booking["user_id"] == buyer["user_id"]
    assert booking["seat_ids"] == ["A-1", "A-3"] and booking["amount"] == 200.0
    assert booking["status"] == "confirmed"
    statuses = await seat_statuses(http, event["event_id"])
    assert statuses == {"A-1": "booked", "A-2": "available", "A-3": "booked"}


async def test_confirming_twice_gives_one_booking_and_one_charge(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=2)
    buyer = await make_user()
    holding_id = await held(http, event["event_id"], buyer, "A-1")
    first = await confirm(http, holding_id, buyer)
    second = await confirm(http, holding_id, buyer)
    assert first.status_code == 201, first.text
    assert second.status_code in (200, 201), second.text
    assert first.json()["booking_id"] == second.json()["booking_id"]
    assert first.json()["charge_id"] and first.json()["charge_id"] == second.json()["charge_id"]
    history = await http.get(f"/user/{buyer['user_id']}/bookings", headers=buyer["headers"])
    assert [b["booking_id"] for b in history.json()["items"]] == [first.json()["booking_id"]]


async def test_declined_payment_is_402_and_the_hold_stays(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=2)
    buyer = await make_user()
    holding_id = await held(http, event["event_id"], buyer, "A-1")
    before = await seat_statuses(http, event["event_id"])
    error_of(await confirm(http, holding_id, buyer, "tok_declined"), 402, "payment_declined")
    assert (
        await seat_statuses(http, event["event_id"])
        == before
        == {"A-1": "held", "A-2": "available"}
    )
    again = await confirm(http, holding_id, buyer)
    assert again.status_code == 201, again.text
    assert again.json()["status"] == "confirmed"
    assert (await seat_statuses(http, event["event_id"]))["A-1"] == "booked"


async def test_provider_outage_is_503_and_the_hold_stays(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=2)
    buyer = await make_user()
    holding_id = await held(http, event["event_id"], buyer, "A-2")
    started = time.monotonic()
    error_of(await confirm(http, holding_id, buyer, "tok_error"), 503, "payment_unavailable")
    assert time.monotonic() - started < 3.5  # three tries with backoff, then 503
    assert await seat_statuses(http, event["event_id"]) == {"A-1": "available", "A-2": "held"}
    other = await make_user()
    error_of(await hold(http, event["event_id"], other, seat_ids=["A-2"]), 409)
    again = await confirm(http, holding_id, buyer)
    assert again.status_code == 201, again.text


async def test_slow_payment_succeeds(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=1)
    buyer = await make_user()
    holding_id = await held(http, event["event_id"], buyer, "A-1")
    started = time.monotonic()
    response = await confirm(http, holding_id, buyer, "tok_slow")
    took = time.monotonic() - started
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "confirmed"
    assert 1.9 <= took < 6.0, took
    assert (await seat_statuses(http, event["event_id"]))["A-1"] == "booked"


async def test_confirms_at_once_give_one_booking_and_one_charge(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=1)
    buyer = await make_user()
    holding_id = await held(http, event["event_id"], buyer, "A-1")
    answers = await asyncio.gather(*(confirm(http, holding_id, buyer) for _ in range(5)))
    assert {a.status_code for a in answers} <= {200, 201}, [a.text for a in answers]
    assert len({(a.json()["booking_id"], a.json()["charge_id"]) for a in answers}) == 1


async def persisted_as(session: Session, event_id: str, holding_id: str, status: str) -> bool:
    """Whether the event's owner has persisted the hold with `status`."""
    rows = await execute(
        session,
        "SELECT data FROM seat_state WHERE shard = %s AND event_id = %s AND kind = 'hold' "
        "AND item_id = %s",
        (seat_partition(event_id), event_id, holding_id),
    )
    return bool(rows) and orjson.loads(rows[0]["data"])["status"] == status


async def test_a_hold_being_paid_for_cannot_be_cancelled(
    http: httpx.AsyncClient, make_event, make_user: MakeUser, e2e_settings: Settings
) -> None:
    event = await make_event(rows="A", per_row=1)
    buyer = await make_user()
    holding_id = await held(http, event["event_id"], buyer, "A-1")
    session = await asyncio.to_thread(connect, e2e_settings)
    paying = asyncio.ensure_future(confirm(http, holding_id, buyer, "tok_slow"))
    try:
        # The charge takes 2 s: cancel once the owner has persisted the hold as being paid for.
        await eventually(
            lambda: persisted_as(session, event["event_id"], holding_id, "confirming"),
            timeout=10,
            interval=0.02,
            what="the hold being paid for",
        )
    finally:
        session.cluster.shutdown()
    assert not paying.done()
    response = await http.post(f"/{holding_id}/cancel", headers=buyer["headers"])
    error_of(response, 409, "payment_in_progress")
    assert (await paying).status_code == 201
    assert await seat_statuses(http, event["event_id"]) == {"A-1": "booked"}


async def test_idempotency_key_on_confirm_gives_the_same_booking(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=1)
    buyer = await make_user()
    holding_id = await held(http, event["event_id"], buyer, "A-1")
    headers = buyer["headers"] | {"Idempotency-Key": uuid.uuid4().hex}
    body = {"payment_token": "tok_ok"}
    first = await http.post(f"/{holding_id}/confirm", json=body, headers=headers)
    second = await http.post(f"/{holding_id}/confirm", json=body, headers=headers)
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert first.json() == second.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "payment_token"),
        ({"payment_token": ""}, "payment_token"),
        ({"payment_token": 42}, "payment_token"),
        ({"payment_token": "tok_ok", "amount": 1}, "amount"),
    ],
)
async def test_bad_confirm_bodies_are_422_naming_the_field(
    http: httpx.AsyncClient, make_event, make_user: MakeUser, body: dict[str, Any], field: str
) -> None:
    event = await make_event(rows="A", per_row=1)
    buyer = await make_user()
    holding_id = await held(http, event["event_id"], buyer, "A-1")
    response = await http.post(f"/{holding_id}/confirm", json=body, headers=buyer["headers"])
    assert error_of(response, 422, "validation_error")["details"]["field"] == field
    assert await seat_statuses(http, event["event_id"]) == {"A-1": "held"}


async def test_a_hold_expires_by_itself_and_confirm_then_is_410(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=2, ttl=2)
    buyer = await make_user()
    holding_id = await held(http, event["event_id"], buyer, "A-1", "A-2")
    held_at = time.monotonic()
    assert set((await seat_statuses(http, event["event_id"])).values()) == {"held"}
    while set((await seat_statuses(http, event["event_id"])).values()) != {"available"}:
        assert time.monotonic() - held_at < 3.5, "the hold did not expire in time"
        await asyncio.sleep(0.1)
    error_of(await confirm(http, holding_id, buyer), 410, "hold_expired")
    assert set((await seat_statuses(http, event["event_id"])).values()) == {"available"}
    other = await make_user()
    await held(http, event["event_id"], other, "A-1", "A-2")


async def test_confirm_after_expiry_is_410_and_frees_the_seats(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=1, ttl=1)
    buyer = await make_user()
    holding_id = await held(http, event["event_id"], buyer, "A-1")
    await asyncio.sleep(1.2)
    error_of(await confirm(http, holding_id, buyer), 410, "hold_expired")
    assert await seat_statuses(http, event["event_id"]) == {"A-1": "available"}
    error_of(await confirm(http, holding_id, buyer), 410, "hold_expired")


# -- cancelling -----------------------------------------------------------------------------


async def test_cancel_hold_frees_the_seats_at_once(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=2)
    buyer = await make_user()
    holding_id = await held(http, event["event_id"], buyer, "A-1", "A-2")
    response = await http.post(f"/{holding_id}/cancel", headers=buyer["headers"])
    assert response.status_code == 200, response.text
    assert await seat_statuses(http, event["event_id"]) == {"A-1": "available", "A-2": "available"}
    again = await http.post(f"/{holding_id}/cancel", headers=buyer["headers"])
    assert again.status_code in (409, 410), again.text
    error_of(again, again.status_code)
    error = error_of(await confirm(http, holding_id, buyer), 409)
    assert error["code"] == "hold_ended"
    await held(http, event["event_id"], await make_user(), "A-1", "A-2")


async def test_a_booked_hold_cannot_be_cancelled_as_a_hold(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=1)
    buyer = await make_user()
    booking = await booked(http, event["event_id"], buyer, "A-1")
    response = await http.post(f"/{booking['holding_id']}/cancel", headers=buyer["headers"])
    assert response.status_code in (409, 410), response.text
    assert await seat_statuses(http, event["event_id"]) == {"A-1": "booked"}


async def test_others_cannot_confirm_or_cancel_my_hold(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=2)
    owner, stranger = await make_user(), await make_user()
    holding_id = await held(http, event["event_id"], owner, "A-1")
    before = await seat_statuses(http, event["event_id"])
    error_of(await confirm(http, holding_id, stranger), 404, "hold_not_found")
    response = await http.post(f"/{holding_id}/cancel", headers=stranger["headers"])
    error_of(response, 404, "hold_not_found")
    assert await seat_statuses(http, event["event_id"]) == before
    assert (await confirm(http, holding_id, owner)).status_code == 201


async def test_unknown_holds_and_bookings_are_404(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=1)
    buyer = await make_user()
    for holding_id in (
        "nope",
        f"{event['event_id']}-h{'0' * 20}",
        f"{uuid.uuid4().hex}-h{'1' * 20}",
    ):
        response = await confirm(http, holding_id, buyer)
        assert response.status_code == 404, response.text
        error_of(response, 404)
        response = await http.post(f"/{holding_id}/cancel", headers=buyer["headers"])
        error_of(response, 404)
    for booking_id in (
        "nope",
        f"{event['event_id']}-b{'0' * 20}",
        f"{uuid.uuid4().hex}-b{'1' * 20}",
    ):
        response = await http.post(f"/bookings/{booking_id}/cancel", headers=buyer["headers"])
        error_of(response, 404)
    # a hold id is not a booking id
    holding_id = await held(http, event["event_id"], buyer, "A-1")
    booking = await confirm(http, holding_id, buyer)
    response = await http.post(f"/bookings/{holding_id}/cancel", headers=buyer["headers"])
    error_of(response, 404)
    assert booking.status_code == 201
    assert await seat_statuses(http, event["event_id"]) == {"A-1": "booked"}


async def test_cancel_booking_by_the_holder(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=2)
    buyer = await make_user()
    booking = await booked(http, event["event_id"], buyer, "A-1", "A-2")
    response = await http.post(
        f"/bookings/{booking['booking_id']}/cancel", headers=buyer["headers"]
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "cancelled" and body["booking_id"] == booking["booking_id"]
    assert body["refund_id"]
    assert set((await seat_statuses(http, event["event_id"])).values()) == {"available"}
    again = await http.post(f"/bookings/{booking['booking_id']}/cancel", headers=buyer["headers"])
    error_of(again, 409, "booking_already_cancelled")
    await held(http, event["event_id"], await make_user(), "A-1", "A-2")


async def test_others_cannot_cancel_my_booking_but_an_admin_can(
    http: httpx.AsyncClient, make_event, make_user: MakeUser, admin: dict[str, str]
) -> None:
    event = await make_event(rows="A", per_row=2)
    owner, stranger = await make_user(), await make_user()
    organizer = event["organizer"]
    booking = await booked(http, event["event_id"], owner, "A-1")
    path = f"/bookings/{booking['booking_id']}/cancel"
    for who in (stranger, organizer):
        response = await http.post(path, headers=who["headers"])
        assert response.status_code in (403, 404), response.text
        error_of(response, response.status_code)
    assert (await seat_statuses(http, event["event_id"]))["A-1"] == "booked"
    response = await http.post(path, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled" and response.json()["refund_id"]
    assert (await seat_statuses(http, event["event_id"]))["A-1"] == "available"


# -- history --------------------------------------------------------------------------------


async def test_booking_history_is_newest_first_and_shows_cancellations(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=4)
    buyer, stranger = await make_user(), await make_user()
    older = await booked(http, event["event_id"], buyer, "A-1")
    newer = await booked(http, event["event_id"], buyer, "A-2", "A-3")
    path = f"/user/{buyer['user_id']}/bookings"
    items = (await http.get(path, headers=buyer["headers"])).json()["items"]
    assert [b["booking_id"] for b in items] == [newer["booking_id"], older["booking_id"]]
    for item, booking in zip(items, (newer, older), strict=True):
        assert item["event_id"] == event["event_id"] and item["event_name"] == "Test Night"
        assert item["seat_ids"] == booking["seat_ids"]
        assert item["amount"] == booking["amount"] and item["status"] == "confirmed"
    cancel = await http.post(f"/bookings/{older['booking_id']}/cancel", headers=buyer["headers"])
    assert cancel.status_code == 200, cancel.text
    items = (await http.get(path, headers=buyer["headers"])).json()["items"]
    assert [(b["booking_id"], b["status"]) for b in items] == [
        (newer["booking_id"], "confirmed"),
        (older["booking_id"], "cancelled"),
    ]
    response = await http.get(path, headers=stranger["headers"])
    assert response.status_code in (403, 404), response.text
    error_of(response, response.status_code)


async def test_seats_added_after_the_first_hold_can_be_held(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    """The seat map lists a seat added to the venue later as available, so a hold must get it."""
    event = await make_event(rows="A", per_row=2)
    buyer = await make_user()
    await held(http, event["event_id"], buyer, "A-1")  # the worker now holds the event's state
    added = await http.post(
        f"/venue/{event['venue_id']}/seats",
        json={"seats": [{"row": "B", "number": 1, "seat_type": "VIP"}]},
        headers=event["organizer"]["headers"],
    )
    assert added.status_code == 201, added.text
    assert (await seat_statuses(http, event["event_id"]))["B-1"] == "available"
    response = await hold(http, event["event_id"], buyer, seat_ids=["B-1"])
    assert response.status_code == 201, response.text
    assert (await seat_statuses(http, event["event_id"]))["B-1"] == "held"
