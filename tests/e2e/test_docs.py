"""/docs and /redoc render in headless Chromium from the ingress alone, under its strict CSP."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Browser, Page, Route

from system.launch import System

pytestmark = pytest.mark.e2e
# ReDoc's sidebar always shows Redocly's logo from their CDN; the CSP (img-src 'self') blocks it
# and ReDoc removes the image on error. It is the one outside address either page names.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


async def offline_page(browser: Browser, system: System) -> tuple[Page, list[str], list[str]]:
    """A page that cannot leave the ingress (as on a machine without internet), with the
    requests it tried elsewhere and its errors (page errors and CSP reports)."""
    own = urlsplit(system.base_url).netloc
    page = await browser.new_page()
    outside: list[str] = []
    problems: list[str] = []

    async def only_the_ingress(route: Route) -> None:
        if urlsplit(route.request.url).netloc == own:
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    await page.route("**/*", only_the_ingress)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error"
            and "Content Security Policy" in msg.text
            and REDOC_LOGO not in msg.text
            else None
        ),
    )
    return page, outside, problems


async def test_the_csp_allows_scripts_from_the_ingress_only(http: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        response = await http.get(path)
        assert response.status_code == 200, path
        directives = dict(
            d.strip().split(" ", 1) for d in response.headers["content-security-policy"].split(";")
        )
        assert directives["script-src"] == "'self'", path


async def test_swagger_ui_lists_the_operations(browser: Browser, system: System) -> None:
    page, outside, problems = await offline_page(browser, system)
    await page.goto(f"{system.base_url}/docs")
    await page.wait_for_selector(".opblock-summary-path[data-path='/events']", timeout=15_000)
    assert await page.locator(".opblock").count() > 10
    assert "Evently" in (await page.locator(".info .title").first.text_content() or "")
    assert outside == []
    assert problems == []
    await page.close()


async def test_redoc_lists_the_operations(browser: Browser, system: System) -> None:
    page, outside, problems = await offline_page(browser, system)
    await page.goto(f"{system.base_url}/redoc")
    await page.wait_for_selector("[data-section-id^='tag/events']", timeout=15_000)
    await page.wait_for_selector("h1:has-text('Evently')", timeout=15_000)
    assert await page.locator("[data-section-id^='operation/']").count() > 10
    assert outside == []
    assert problems == []
    await page.close()
