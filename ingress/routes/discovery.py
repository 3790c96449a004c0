"""GET /events: finding events (filters and search come with the discovery work)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ingress.deps import Ctx
from ingress.routes.events import SELECT_EVENTS
from ingress.routes.paging import decode_cursor, encode_cursor

router = APIRouter(tags=["events"])


@router.get("/events")
async def list_events(
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    offset = decode_cursor(cursor)
    rows = await ctx.q.run(SELECT_EVENTS)
    rows.sort(key=lambda r: (r["starts_at"], r["event_id"]))
    page = rows[offset : offset + limit]
    more = offset + limit < len(rows)
    return {"items": page, "next_cursor": encode_cursor(offset + limit) if more else None}
