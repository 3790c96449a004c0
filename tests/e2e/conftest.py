"""The running system (workers and ingress as processes) and HTTP factories for e2e tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from infra.bootstrap import bootstrap
from infra.settings import Settings
from system.launch import System, start_system
from tests.support import drop_deployment, isolated_settings

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture(scope="package")
def e2e_settings(dev_stack: None) -> Iterator[Settings]:
    """A deployment of its own, dropped (topics too) when the tests leave the folder."""
    settings = isolated_settings()
    bootstrap(settings)
    yield settings
    drop_deployment(settings)


@pytest.fixture(scope="package")
def system(e2e_settings: Settings) -> Iterator[System]:
    """The system for tests/e2e, stopped when the tests leave the folder (its processes would
    otherwise poll Kafka through the fault suites that run last)."""
    running = start_system(e2e_settings, ARTIFACTS / "e2e-logs", workers=2, analytics=True)
    yield running
    running.stop()


@pytest.fixture
async def http(system: System) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30.0) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(e2e_settings: Settings) -> dict[str, str]:
    return bearer(e2e_settings.admin_token or "")


MakeUser = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def make_user(http: httpx.AsyncClient, admin: dict[str, str]) -> MakeUser:
    """make_user(role="customer") -> the created user with its token and auth headers."""

    async def make(role: str = "customer", name: str = "Test User") -> dict[str, Any]:
        body = {"name": name, "email": f"{uuid.uuid4().hex[:12]}@test.evently.dev", "role": role}
        response = await http.post("/user", json=body, headers=admin if role != "customer" else {})
        assert response.status_code == 201, response.text
        user: dict[str, Any] = response.json()
        user["headers"] = bearer(user["token"])
        return user

    return make


@pytest.fixture
def make_event(
    http: httpx.AsyncClient, make_user: MakeUser
) -> Callable[..., Awaitable[dict[str, Any]]]:
    """make_event(rows="AB", per_row=5, prices=..., ttl=None) -> the event, its organizer, venue."""

    async def make(
        rows: str = "AB",
        per_row: int = 5,
        prices: dict[str, float] | None = None,
        ttl: int | None = None,
        types_by_row: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        prices = prices or {"VIP": 100.0, "Regular": 50.0}
        organizer = await make_user("organizer")
        venue = await http.post(
            "/venue",
            headers=organizer["headers"],
            json={"name": "Test Hall", "city": "Lisbon", "seat_types": list(prices)},
        )
        assert venue.status_code == 201, venue.text
        venue_id = venue.json()["venue_id"]
        first_type = list(prices)[0]
        seats = [
            {"row": row, "number": n, "seat_type": (types_by_row or {}).get(row, first_type)}
            for row in rows
            for n in range(1, per_row + 1)
        ]
        added = await http.post(
            f"/venue/{venue_id}/seats", headers=organizer["headers"], json={"seats": seats}
        )
        assert added.status_code == 201, added.text
        body: dict[str, Any] = {
            "venue_id": venue_id,
            "name": "Test Night",
            "description": "an evening of tests",
            "artists": ["The Testers"],
            "tags": ["test"],
            "starts_at": "2030-01-01T20:00:00Z",
            "prices": prices,
        }
        if ttl is not None:
            body["hold_ttl_seconds"] = ttl
        event = await http.post("/events", headers=organizer["headers"], json=body)
        assert event.status_code == 201, event.text
        return event.json() | {"organizer": organizer, "venue_id": venue_id}

    return make


# -- helpers and factories for the API tests (tests/e2e/test_api_*.py) -----------------------


def error_of(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The `error` object of a refusal, checked against the contract's shape."""
    assert response.status_code == status, f"{response.status_code} {response.text}"
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert {"code", "message", "details"} <= set(error), error
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    if code is not None:
        assert error["code"] == code, error
    return error


async def seat_statuses(http: httpx.AsyncClient, event_id: str) -> dict[str, str]:
    """seat_id -> available|held|booked, from the public seat map."""
    response = await http.get(f"/events/{event_id}/seats")
    assert response.status_code == 200, response.text
    return {s["seat_id"]: s["status"] for s in response.json()["seats"]}


MakeVenue = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def make_venue(http: httpx.AsyncClient, make_user: MakeUser) -> MakeVenue:
    """make_venue(seat_types=("VIP", "Regular"), seats=[(row, number, type)], owner=None)
    -> the venue with its owner (a fresh organizer unless given)."""

    async def make(
        seat_types: tuple[str, ...] = ("VIP", "Regular"),
        seats: list[tuple[str, int, str]] | None = None,
        owner: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        owner = owner or await make_user("organizer")
        response = await http.post(
            "/venue",
            headers=owner["headers"],
            json={"name": "Test Hall", "city": "Lisbon", "seat_types": list(seat_types)},
        )
        assert response.status_code == 201, response.text
        venue: dict[str, Any] = response.json()
        if seats:
            added = await http.post(
                f"/venue/{venue['venue_id']}/seats",
                headers=owner["headers"],
                json={"seats": [{"row": r, "number": n, "seat_type": t} for r, n, t in seats]},
            )
            assert added.status_code == 201, added.text
        return venue | {"owner": owner}

    return make


# -- a headless browser for the page tests (Debian's chromium; Playwright's own download does not
# work here) -----------------------------------------------------------------------------
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


async def fits_a_phone(page: Page, screenshot: str) -> None:
    """At a phone's width the page scrolls only down; the screenshot goes to artifacts/."""
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.wait_for_timeout(200)
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    await page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: apt-get install -y chromium (scripts/setup --browser)")
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        await launched.close()
