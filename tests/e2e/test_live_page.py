"""The live buyer page in headless Chromium: two buyers on one event; one holds seats and the
other sees them turn held over the stream within a second; countdown, a declined payment shown,
confirm, booked on both pages; sign-up and best available in the page. Screenshots go to
artifacts/."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

from system.launch import System
from tests.e2e.conftest import ARTIFACTS, MakeUser, fits_a_phone
from tests.e2e.test_api_holds import held
from tests.e2e.test_waiting_room import room_event

pytestmark = pytest.mark.e2e


async def open_page(browser: Browser, system: System, event_id: str, errors: list[str]) -> Page:
    context = await browser.new_context(viewport={"width": 1000, "height": 900})
    page = await context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(f"{system.base_url}/events/{event_id}/live")
    await page.wait_for_selector("#live-state:has-text('live')", timeout=10_000)
    return page


async def sign_in(page: Page, user: dict[str, Any]) -> None:
    await page.fill("#token", user["token"])
    await page.click("#signin-button")
    await page.wait_for_selector("#who:has-text('Signed in')")


def seat(seat_id: str, status: str) -> str:
    return f"[data-seat='{seat_id}'][data-status='{status}']"


async def test_two_buyers_see_each_other_live_and_one_books(
    browser: Browser, system: System, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="AB", per_row=6, ttl=120)
    errors: list[str] = []
    alice_page = await open_page(browser, system, event["event_id"], errors)
    bob_page = await open_page(browser, system, event["event_id"], errors)
    await sign_in(alice_page, await make_user(name="Alice"))
    await sign_in(bob_page, await make_user(name="Bob"))
    await bob_page.wait_for_selector(seat("A-1", "available"))

    await alice_page.click("[data-seat='A-1']")
    await alice_page.click("[data-seat='A-2']")
    await alice_page.wait_for_selector("#selection:has-text('A-1, A-2')")
    await alice_page.click("#hold-selected")
    await alice_page.wait_for_selector("#hold:not([hidden])", timeout=10_000)
    held_at = time.monotonic()
    await bob_page.wait_for_selector(seat("A-2", "held"), timeout=1_000)
    await bob_page.wait_for_selector(seat("A-1", "held"), timeout=1_000)
    print(f"hold -> other page lag: {time.monotonic() - held_at:.3f}s")
    assert await bob_page.get_attribute("[data-seat='A-3']", "data-status") == "available"

    first = await alice_page.text_content("#countdown") or ""
    assert first.startswith(("1:", "2:")), first  # 120 s hold
    await alice_page.wait_for_timeout(1_100)
    assert await alice_page.text_content("#countdown") != first  # it counts down
    assert await alice_page.text_content("#hold-seats") == "A-1, A-2"
    await alice_page.screenshot(path=str(ARTIFACTS / "live-holding.png"), full_page=True)
    await bob_page.screenshot(path=str(ARTIFACTS / "live-other-buyer.png"), full_page=True)

    await alice_page.fill("#payment-token", "tok_declined")
    await alice_page.click("#confirm")
    await alice_page.wait_for_selector("#status:has-text('402 payment_declined')", timeout=10_000)
    assert await alice_page.is_visible("#hold")

    await alice_page.fill("#payment-token", "tok_ok")
    await alice_page.click("#confirm")
    await alice_page.wait_for_selector("#booking-text:has-text('confirmed')", timeout=10_000)
    booked_at = time.monotonic()
    await bob_page.wait_for_selector(seat("A-1", "booked"), timeout=1_000)
    print(f"booking -> other page lag: {time.monotonic() - booked_at:.3f}s")
    await alice_page.wait_for_selector(seat("A-2", "booked"))
    await alice_page.screenshot(path=str(ARTIFACTS / "live-booked.png"), full_page=True)
    await bob_page.screenshot(path=str(ARTIFACTS / "live-other-booked.png"), full_page=True)

    # a seat Bob cannot have: clicking a booked seat chooses nothing
    await bob_page.click("[data-seat='A-1']")
    assert await bob_page.text_content("#selection") == "none"
    assert errors == []
    for page in (alice_page, bob_page):
        await page.context.close()


async def test_sign_up_best_available_let_go_and_holds_made_elsewhere(
    browser: Browser, system: System, http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event = await make_event(rows="AB", per_row=4, types_by_row={"A": "VIP", "B": "Regular"})
    errors: list[str] = []
    page = await open_page(browser, system, event["event_id"], errors)
    await page.fill("#name", "Carol")
    await page.fill("#email", f"{uuid.uuid4().hex[:12]}@test.evently.dev")
    await page.click("#signup button")
    await page.wait_for_selector("#who:has-text('Carol')")

    await page.select_option("#seat-type", "Regular")
    await page.fill("#quantity", "2")
    await page.click("#best button")
    await page.wait_for_selector("#hold:not([hidden])", timeout=10_000)
    chosen = (await page.text_content("#hold-seats") or "").split(", ")
    assert len(chosen) == 2 and all(s.startswith("B-") for s in chosen), chosen
    assert await page.text_content("#hold-total") == "100.00"
    await page.click("#cancel")
    for seat_id in chosen:
        await page.wait_for_selector(seat(seat_id, "available"), timeout=2_000)

    someone = await make_user()
    started = time.monotonic()
    await held(http, event["event_id"], someone, "A-4")
    await page.wait_for_selector(seat("A-4", "held"), timeout=1_000)
    print(f"API hold -> page lag: {time.monotonic() - started:.3f}s")
    await page.screenshot(path=str(ARTIFACTS / "live-best-available.png"), full_page=True)

    await fits_a_phone(page, "live-phone.png")
    assert errors == []
    await page.context.close()


async def test_the_stream_of_an_unknown_event_is_404(http: httpx.AsyncClient) -> None:
    response = await http.get("/events/e0000000000000000000000000000000/live/stream")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "event_not_found"


async def test_the_waiting_room_shows_the_place_then_lets_the_buyer_hold(
    browser: Browser, system: System, http: httpx.AsyncClient, make_venue, make_user: MakeUser
) -> None:
    """A hold refused for want of a queue pass joins the queue; the page shows the place and
    the wait until the buyer is let in, then sends the hold again with the pass."""
    event = await room_event(http, make_venue, opens_in=4.0, admit_per_minute=60)
    errors: list[str] = []
    page = await open_page(browser, system, event["event_id"], errors)
    await sign_in(page, await make_user(name="Dana"))
    await page.click("[data-seat='A-3']")
    await page.click("#hold-selected")
    await page.wait_for_selector("#queue:not([hidden])", timeout=10_000)
    await page.wait_for_selector("#queue-position:has-text('0')", timeout=5_000)  # none ahead
    await page.screenshot(path=str(ARTIFACTS / "live-waiting-room.png"), full_page=True)
    await page.wait_for_selector("#hold:not([hidden])", timeout=30_000)
    assert await page.text_content("#hold-seats") == "A-3"
    assert await page.is_hidden("#queue")
    await page.wait_for_selector(seat("A-3", "held"), timeout=2_000)
    await page.screenshot(path=str(ARTIFACTS / "live-let-in.png"), full_page=True)
    assert errors == []
    await page.context.close()
