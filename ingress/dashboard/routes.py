"""The live dashboard's routes: its page and files (beside this module), and a server-sent event
stream of the figures."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sse_starlette.sse import EventSourceResponse

from analytics.read import event_figures
from analytics.store import read_summary
from ingress.deps import Ctx, owns
from ingress.errors import ApiError, not_found
from ingress.pages import page_file
from ingress.routes.events import load_event

router = APIRouter(tags=["dashboard"])
STATIC = resources.files("ingress.dashboard")
FILES = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
POLL_SECONDS = 0.1


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
async def read_dashboard() -> HTMLResponse:
    return HTMLResponse((STATIC / "index.html").read_text(), headers={"Cache-Control": "no-cache"})


@router.get("/dashboard/{name}", include_in_schema=False)
async def read_dashboard_file(name: str) -> Response:
    return page_file(STATIC, name, FILES)


@router.get("/dashboard-stream/{event_id}")
async def stream_dashboard(
    event_id: str, token: str, request: Request, ctx: Ctx
) -> EventSourceResponse:
    """Figures and seat statuses of one event, sent again whenever they change (the token
    comes as a query parameter: EventSource cannot send headers)."""
    principal = await ctx.auth.principal(f"Bearer {token}")
    if principal.role not in ("admin", "organizer"):
        raise ApiError(403, "forbidden", "this needs the role organizer")
    event = await load_event(ctx, event_id)
    entry = await ctx.seats.entry(event_id)
    if entry is None or not owns(principal, event["owner_id"]):
        raise not_found("event")

    async def updates() -> AsyncIterator[dict[str, Any]]:
        last: object = ()
        while not await request.is_disconnected():
            summary = await read_summary(ctx.q, event_id)
            if summary != last:
                last = summary
                figures = await event_figures(ctx.q, event)
                seats = await ctx.seats.seat_map(entry, time.time())
                body = {"figures": figures, "seats": seats}
                yield {"event": "figures", "data": orjson.dumps(body).decode()}
            await asyncio.sleep(POLL_SECONDS)

    return EventSourceResponse(updates(), ping=15)
