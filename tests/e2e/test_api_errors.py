"""Every refusal has the contract's shape, whatever went wrong with the request."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import MakeUser, error_of

pytestmark = pytest.mark.e2e
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    "content", [b"{oops", b"", b"[1, 2]", b'"text"', b'{"name": "A", "email": "a@b.cd",}']
)
async def test_unreadable_bodies_are_422_naming_the_body(
    http: httpx.AsyncClient, content: bytes
) -> None:
    error = error_of(await http.post("/user", content=content, headers=JSON), 422)
    assert error["details"]["field"] == "body", error


async def test_unreadable_hold_body_is_422_and_changes_nothing(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="A", per_row=1)
    buyer = await make_user()
    response = await http.post(
        f"/events/{event['event_id']}/hold",
        content=b'{"seat_ids": ["A-1"]',
        headers=buyer["headers"] | JSON,
    )
    assert error_of(response, 422)["details"]["field"] == "body"
    seats = (await http.get(f"/events/{event['event_id']}/seats")).json()["seats"]
    assert [s["status"] for s in seats] == ["available"]


async def test_unknown_paths_and_methods(http: httpx.AsyncClient) -> None:
    error_of(await http.get("/no/such/path"), 404)
    error_of(await http.get("/venue/x/seats/y"), 404)
    error_of(await http.delete("/venue"), 405)
    error_of(await http.put("/user"), 405)


async def test_too_large_a_body_is_413(http: httpx.AsyncClient) -> None:
    response = await http.post("/user", content=b"{" + b" " * 200_000 + b"}", headers=JSON)
    error_of(response, 413, "payload_too_large")


@pytest.mark.parametrize("key", ["", "k" * 201])
async def test_bad_idempotency_key_is_422(http: httpx.AsyncClient, key: str) -> None:
    response = await http.post(
        "/user",
        json={"name": "A", "email": "idem@test.evently.dev"},
        headers={"Idempotency-Key": key},
    )
    assert error_of(response, 422)["details"]["field"] == "Idempotency-Key"
