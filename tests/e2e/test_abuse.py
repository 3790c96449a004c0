"""Abuse limits (OWASP API4, API6) on the ingress reached directly: per-user caps, body size,
rate limits per token and per address (429 with Retry-After), security headers and CORS."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from infra.settings import Settings
from system.launch import System, start_system
from tests.e2e.conftest import ARTIFACTS, MakeUser, error_of, seat_statuses
from tests.support import free_port

pytestmark = pytest.mark.e2e
PER_TOKEN, PER_IP = 5, 12


@pytest.fixture(scope="module")
def limited(e2e_settings: Settings) -> Iterator[System]:
    """A second ingress on the same deployment with low limits (no workers of its own)."""
    settings = e2e_settings.model_copy(
        update={
            "http_port": free_port(),
            "rate_limit_per_token": f"{PER_TOKEN}/minute",
            "rate_limit_per_ip": f"{PER_IP}/minute",
        }
    )
    running = start_system(settings, ARTIFACTS / "e2e-logs" / "limited", workers=0, analytics=False)
    yield running
    running.stop()


@pytest.fixture
async def client_at(limited: System) -> AsyncIterator[Any]:
    """client_at("127.0.0.5") -> an HTTP client to the limited ingress from that address."""
    clients: list[httpx.AsyncClient] = []

    def make(address: str) -> httpx.AsyncClient:
        transport = httpx.AsyncHTTPTransport(local_address=address)
        client = httpx.AsyncClient(base_url=limited.base_url, transport=transport, timeout=30)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def assert_rate_limited(response: httpx.Response, scope: str) -> None:
    error = error_of(response, 429, "rate_limited")
    assert error["details"]["scope"] == scope, error
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_token_over_its_limit_gets_429_from_any_address(
    client_at: Any, make_user: MakeUser
) -> None:
    buyer, other = await make_user(), await make_user()
    path = f"/user/{buyer['user_id']}"
    first, second = client_at("127.0.0.2"), client_at("127.0.0.3")
    for n in range(PER_TOKEN):
        client = first if n % 2 else second
        assert (await client.get(path, headers=buyer["headers"])).status_code == 200
    assert_rate_limited(await first.get(path, headers=buyer["headers"]), "token")
    assert_rate_limited(await second.get(path, headers=buyer["headers"]), "token")
    mine = await first.get(f"/user/{other['user_id']}", headers=other["headers"])
    assert mine.status_code == 200, "another token keeps its own allowance"


async def test_an_address_over_its_limit_gets_429_even_without_a_token(client_at: Any) -> None:
    flood, calm = client_at("127.0.0.4"), client_at("127.0.0.6")
    statuses = [(await flood.get("/events")).status_code for _ in range(PER_IP)]
    assert statuses == [200] * PER_IP
    body = {"name": "Spam", "email": f"{uuid.uuid4().hex[:10]}@test.evently.dev"}
    assert_rate_limited(await flood.post("/user", json=body), "ip")
    assert_rate_limited(await flood.get("/events"), "ip")
    assert (await flood.get("/health")).status_code == 200, "/health is never limited"
    assert (await flood.get("/metrics")).status_code == 200, "/metrics is never limited"
    assert (await calm.get("/events")).status_code == 200, "another address is not limited"
    # the refused sign-up created nothing: the same email is still free
    assert (await calm.post("/user", json=body)).status_code == 201


async def test_loopback_is_exempt(client_at: Any, make_user: MakeUser) -> None:
    loopback, buyer = client_at("127.0.0.1"), await make_user()
    for _ in range(PER_IP + PER_TOKEN + 2):
        response = await loopback.get(f"/user/{buyer['user_id']}", headers=buyer["headers"])
        assert response.status_code == 200


async def test_a_429_carries_cors_headers_for_browsers(client_at: Any) -> None:
    client = client_at("127.0.0.7")
    origin = {"Origin": "https://shop.example"}
    for _ in range(PER_IP):
        await client.get("/events", headers=origin)
    refused = await client.get("/events", headers=origin)
    assert refused.status_code == 429
    assert refused.headers["access-control-allow-origin"] in ("*", "https://shop.example")


def test_default_limits_leave_tests_and_benchmarks_alone() -> None:
    defaults = Settings()
    assert defaults.rate_limit_per_token == "50/second"
    assert defaults.rate_limit_per_ip == "200/second"
    assert {"127.0.0.1", "::1"} <= set(defaults.rate_limit_exempt_ips.split(","))


# -- caps per user, body size, headers on the ingress itself ---------------------------------


async def test_a_buyer_keeps_at_most_five_active_holds_per_event(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event, buyer = await make_event(rows="A", per_row=8), await make_user()
    path = f"/events/{event['event_id']}/hold"
    holds = []
    for n in range(1, 6):
        response = await http.post(path, json={"seat_ids": [f"A-{n}"]}, headers=buyer["headers"])
        assert response.status_code == 201, response.text
        holds.append(response.json()["holding_id"])
    before = await seat_statuses(http, event["event_id"])
    sixth = await http.post(path, json={"seat_ids": ["A-6"]}, headers=buyer["headers"])
    error_of(sixth, 409, "too_many_active_holds")
    assert await seat_statuses(http, event["event_id"]) == before
    other = await make_user()
    assert (await http.post(path, json={"seat_ids": ["A-6"]}, headers=other["headers"])).is_success
    assert (await http.post(f"/{holds[0]}/cancel", headers=buyer["headers"])).status_code == 200
    again = await http.post(path, json={"seat_ids": ["A-7"]}, headers=buyer["headers"])
    assert again.status_code == 201, "a cancelled hold no longer counts"


async def test_more_than_ten_seats_is_refused_in_either_form(
    http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event, buyer = await make_event(rows="AB", per_row=6), await make_user()
    path = f"/events/{event['event_id']}/hold"
    seats = [f"{r}-{n}" for r in "AB" for n in range(1, 7)][:11]
    for body in ({"seat_ids": seats}, {"seat_type": "VIP", "quantity": 11}):
        error = error_of(await http.post(path, json=body, headers=buyer["headers"]), 422)
        assert error["details"]["limit"] == 10, error
    assert set((await seat_statuses(http, event["event_id"])).values()) == {"available"}


async def test_a_large_body_without_a_length_is_413(http: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'", "email": "big@test.evently.dev"}'

    headers = {"Content-Type": "application/json"}
    response = await http.post("/user", content=chunks(), headers=headers)
    error_of(response, 413, "payload_too_large")


@pytest.mark.parametrize("path", ["/health", "/events", "/no/such/path", "/openapi.json"])
async def test_security_headers_on_every_answer(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_security_headers_on_refusals(http: httpx.AsyncClient) -> None:
    for response in (
        await http.post("/venue", json={}),
        await http.post("/user", content=b"{" + b" " * 100_000 + b"}"),
    ):
        assert response.status_code in (401, 413)
        assert response.headers["x-frame-options"] == "DENY"


async def test_cors_preflight_and_simple_requests(http: httpx.AsyncClient) -> None:
    origin = "https://shop.example"
    preflight = await http.options(
        "/events/x/hold",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type, Idempotency-Key",
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] in ("*", origin)
    allowed = preflight.headers["access-control-allow-methods"]
    assert "POST" in allowed and "DELETE" not in allowed
    assert "idempotency-key" in preflight.headers["access-control-allow-headers"].lower()
    simple = await http.get("/events", headers={"Origin": origin})
    assert simple.headers["access-control-allow-origin"] in ("*", origin)
    refused = await http.options(
        "/events", headers={"Origin": origin, "Access-Control-Request-Method": "DELETE"}
    )
    assert refused.status_code == 400
