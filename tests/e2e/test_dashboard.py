"""The live dashboard in headless Chromium: loads, shows a booking within 2 s, fits a phone."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser

from system.launch import System
from tests.e2e.conftest import ARTIFACTS, MakeUser, fits_a_phone
from tests.e2e.test_analytics import confirm, hold

pytestmark = pytest.mark.e2e


async def test_a_booking_shows_on_the_page_within_two_seconds(
    browser: Browser, system: System, http: httpx.AsyncClient, make_event, make_user: MakeUser
) -> None:
    event: dict[str, Any] = await make_event(
        rows="ABC", per_row=8, types_by_row={"A": "VIP", "B": "Regular", "C": "Regular"}
    )
    buyer, token = await make_user(), event["organizer"]["token"]
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(f"{system.base_url}/dashboard?token={token}&event_id={event['event_id']}")
    await page.wait_for_selector('#card-booked[data-value="0"]', timeout=10_000)
    await page.wait_for_selector("rect[data-seat='A-1'].available")

    holding_id = await hold(http, event, buyer, ["A-1", "A-2"])
    await page.wait_for_selector('#card-held[data-value="2"]', timeout=2_000)
    assert (await confirm(http, buyer, holding_id)).status_code == 201
    booked_at = time.monotonic()
    await page.wait_for_selector('#card-booked[data-value="2"]', timeout=2_000)
    lag = time.monotonic() - booked_at
    print(f"booking -> page lag: {lag:.3f}s")
    await page.wait_for_selector("rect[data-seat='A-1'].booked", timeout=2_000)
    assert await page.text_content("#card-revenue b") == "200.00"
    await page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    await fits_a_phone(page, "dashboard-phone.png")
    assert errors == []
    await page.close()


async def test_the_token_can_be_entered_in_the_page(
    browser: Browser, system: System, make_event
) -> None:
    event = await make_event()
    page = await browser.new_page()
    await page.goto(f"{system.base_url}/dashboard")
    await page.fill("#token", event["organizer"]["token"])
    await page.click("button[type=submit]")
    await page.wait_for_selector(f"#event option[value='{event['event_id']}']", state="attached")
    await page.select_option("#event", event["event_id"])
    await page.wait_for_selector('#card-capacity[data-value="10"]', timeout=5_000)
    await page.fill("#token", "wrong")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#status:has-text('401')", timeout=5_000)
    await page.close()
