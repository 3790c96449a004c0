"""Analytics: one event's figures, and a summary per event."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from analytics.read import event_figures, summaries
from ingress.deps import Ctx, Organizer, owns
from ingress.errors import not_found
from ingress.routes.events import load_event

router = APIRouter(tags=["analytics"])


@router.get("/events/{event_id}/analytics")
async def read_event_analytics(event_id: str, ctx: Ctx, principal: Organizer) -> dict[str, Any]:
    event = await load_event(ctx, event_id)
    if not owns(principal, event["owner_id"]):
        raise not_found("event")
    return await event_figures(ctx.q, event)


@router.get("/analytics/events")
async def list_event_analytics(ctx: Ctx, principal: Organizer) -> dict[str, Any]:
    owner = None if principal.is_admin else principal.user_id
    return {"items": await summaries(ctx.q, owner)}
