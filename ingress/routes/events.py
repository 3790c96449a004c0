"""Events: create, list, read, and the live seat map."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool

from ingress.deps import Caller, Ctx, Organizer, owns
from ingress.errors import ApiError, not_found
from ingress.routes.venues import load_venue
from seating.ids import is_event_id, new_id
from tables import event_state, events, queue

router = APIRouter(tags=["events"])
Text = Annotated[str, Field(min_length=1, max_length=200)]


class NewEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    venue_id: Text
    name: Text
    description: str = Field(default="", max_length=5000)
    artists: list[Text] = Field(default_factory=list, max_length=50)
    tags: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=50
    )
    starts_at: AwareDatetime | datetime
    prices: dict[str, Annotated[float, Field(ge=0, le=1_000_000)]]
    hold_ttl_seconds: int | None = Field(default=None, ge=1, le=3600)
    sale_starts_at: AwareDatetime | datetime | None = None
    waiting_room: StrictBool = False
    admit_per_minute: int | None = Field(default=None, gt=0, le=1_000_000)


async def load_event(ctx: Ctx, event_id: str) -> dict[str, Any]:
    """The event row, or 404."""
    if not is_event_id(event_id):
        raise not_found("event")
    event = await events.read(ctx.q, event_id)
    if event is None:
        raise not_found("event")
    event["prices"] = dict(event["prices"] or {})  # the driver's map type does not serialise
    event["waiting_room"] = bool(event["waiting_room"])  # null for events made before rooms
    return event


@router.post("/events", status_code=201)
async def create_event(body: NewEvent, ctx: Ctx, principal: Organizer) -> dict[str, Any]:
    try:
        venue = await load_venue(ctx, body.venue_id)
    except ApiError:
        raise ApiError(404, "venue_not_found", "no such venue", {"field": "venue_id"}) from None
    if not owns(principal, venue["owner_id"]):
        raise ApiError(404, "venue_not_found", "no such venue", {"field": "venue_id"})
    missing = [t for t in venue["seat_types"] if t not in body.prices]
    extra = [t for t in body.prices if t not in venue["seat_types"]]
    if missing or extra:
        raise ApiError(
            422,
            "validation_error",
            "prices must give a price for each seat type of the venue, and no others",
            {"field": "prices", "missing_seat_types": missing, "unknown_seat_types": extra},
        )
    starts_at = _utc(body.starts_at)
    sale_starts_at = _utc(body.sale_starts_at) if body.sale_starts_at else None
    event = {
        "event_id": new_id(),
        "venue_id": body.venue_id,
        "owner_id": principal.user_id,
        "name": body.name,
        "description": body.description,
        "artists": body.artists,
        "tags": body.tags,
        "starts_at": starts_at,
        "prices": body.prices,
        "hold_ttl_seconds": body.hold_ttl_seconds or ctx.settings.hold_ttl_seconds,
        "sale_starts_at": sale_starts_at,
        "waiting_room": body.waiting_room,
        "admit_per_minute": body.admit_per_minute or ctx.settings.admit_per_minute,
        "city": venue["city"],
        "venue_name": venue["name"],
        "created_at": datetime.now(UTC),
    }
    await events.insert(ctx.q, event)
    if body.waiting_room:
        opens = sale_starts_at or event["created_at"]
        await queue.open_room(ctx.q, event["event_id"], opens, event["admit_per_minute"])
    await ctx.search.announce(event)
    return event


def _utc(moment: datetime) -> datetime:
    """A datetime without a zone is read as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _rendered(ctx: Ctx, event_id: str, kind: str, request: Request) -> Response:
    """A body from the read model (ingress/live), or 304 when the caller has it already."""
    entry = await ctx.seats.entry(event_id) if is_event_id(event_id) else None
    if entry is None:
        raise not_found("event")
    rendered = await ctx.seats.render(entry, kind, time.time())
    headers = {"ETag": rendered.etag, "Cache-Control": "no-cache"}
    if rendered.etag in _etags(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type="application/json", headers=headers)


def _etags(header: str | None) -> set[str]:
    """The tags of an If-None-Match header (weak ones compare equal, as RFC 9110 says)."""
    return {tag.strip().removeprefix("W/") for tag in (header or "").split(",")}


@router.get("/events/{event_id}", responses={304: {"description": "Not modified (ETag)"}})
async def read_event(event_id: str, ctx: Ctx, request: Request) -> Response:
    """The event with its prices and the seats left per seat type."""
    return await _rendered(ctx, event_id, "event", request)


@router.get("/events/{event_id}/seats", responses={304: {"description": "Not modified (ETag)"}})
async def read_event_seats(event_id: str, ctx: Ctx, request: Request) -> Response:
    """Every seat with its type, price and status (available, held or booked)."""
    return await _rendered(ctx, event_id, "seats", request)


@router.get("/events/{event_id}/commands/{command_id}")
async def read_command_outcome(
    event_id: str, command_id: str, ctx: Ctx, principal: Caller
) -> dict[str, Any]:
    """The outcome of a command whose request timed out (503 carries this address)."""
    if not is_event_id(event_id):
        raise not_found("command")
    outcome = await event_state.outcome(ctx.q, event_id, command_id)
    if outcome is None:
        raise ApiError(404, "command_not_found", "no outcome for this command (yet)")
    owner = (outcome.result or {}).get("user_id")
    if not owns(principal, owner):
        raise ApiError(404, "command_not_found", "no outcome for this command (yet)")
    return outcome.model_dump(mode="json")
