"""The live buyer page (GET /events/{id}/live and its files in page/) and its stream of seat
changes (GET /events/{id}/live/stream, public), pushed from the read model as they happen."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import orjson
from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sse_starlette.sse import EventSourceResponse

from ingress.deps import Ctx
from ingress.errors import not_found
from ingress.live.model import Entry, SeatMaps, Watcher
from ingress.pages import page_file
from seating.ids import is_event_id

router = APIRouter(tags=["live page"])
PAGE = resources.files("ingress.live") / "page"
FILES = {"live.js": "text/javascript", "live.css": "text/css"}


@router.get("/events/{event_id}/live", response_class=HTMLResponse, include_in_schema=False)
async def read_live_page(event_id: str) -> HTMLResponse:
    """The buyer's page; it reads the event id from its own address."""
    return HTMLResponse((PAGE / "index.html").read_text(), headers={"Cache-Control": "no-cache"})


@router.get("/live/{name}", include_in_schema=False)
async def read_live_file(name: str) -> Response:
    return page_file(PAGE, name, FILES)


@router.get("/events/{event_id}/live/stream", include_in_schema=False)  # endless: not fuzzed
async def stream_seats(event_id: str, ctx: Ctx) -> EventSourceResponse:
    """Server-sent events: `snapshot` (every seat, as GET /events/{id}/seats shows it, with
    `expires_at` in seconds while held), then `seats` with the seats that changed, and a new
    `snapshot` when seats were added to the venue."""
    entry = await ctx.seats.entry(event_id) if is_event_id(event_id) else None
    if entry is None:
        raise not_found("event")
    return EventSourceResponse(_updates(ctx.seats, entry, ctx.seats.watch(event_id)), ping=15)


async def _updates(
    seats: SeatMaps, entry: Entry, watcher: Watcher
) -> AsyncIterator[dict[str, Any]]:
    event_id = entry.event["event_id"]
    try:
        yield _message("snapshot", await seats.live_seats(entry, time.time()))
        while True:
            await watcher.wake.wait()
            watcher.wake.clear()
            changed, watcher.changed = watcher.changed, set()
            if watcher.reload:
                watcher.reload = False
                yield _message("snapshot", await seats.live_seats(entry, time.time()))
            elif changed:
                yield _message("seats", await seats.live_seats(entry, time.time(), changed))
    finally:
        seats.unwatch(event_id, watcher)


def _message(kind: str, items: list[dict[str, Any]]) -> dict[str, str]:
    return {"event": kind, "data": orjson.dumps(items).decode()}
