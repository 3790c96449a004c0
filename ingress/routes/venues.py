"""Venues and their seats."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ingress.deps import Ctx, Organizer, owns
from ingress.errors import ApiError, not_found
from ingress.routes.paging import decode_cursor, encode_cursor
from seating.ids import new_id
from tables import venues

router = APIRouter(tags=["venues"])
Text = Annotated[str, Field(min_length=1, max_length=200)]
SEATS_PER_REQUEST = 5000


class NewVenue(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Text
    city: Text
    address: str | None = Field(default=None, max_length=500)
    seat_types: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        min_length=1, max_length=20
    )

    @field_validator("seat_types")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("seat types must be unique")
        return value


class NewSeat(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    row: Annotated[str, Field(min_length=1, max_length=10, pattern=r"^[A-Za-z0-9]+$")]
    number: int = Field(ge=1, le=100_000)
    seat_type: Annotated[str, Field(min_length=1, max_length=50)]


class NewSeats(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seats: list[NewSeat] = Field(min_length=1, max_length=SEATS_PER_REQUEST)


async def load_venue(ctx: Ctx, venue_id: str) -> dict[str, Any]:
    """The venue row, or 404."""
    venue = await venues.read(ctx.q, venue_id)
    if venue is None:
        raise not_found("venue")
    return venue


async def venue_seat_rows(ctx: Ctx, venue_id: str) -> list[dict[str, Any]]:
    return await venues.seats(ctx.q, venue_id)


@router.post("/venue", status_code=201)
async def create_venue(body: NewVenue, ctx: Ctx, principal: Organizer) -> dict[str, Any]:
    venue = {
        "venue_id": new_id(),
        "owner_id": principal.user_id,
        "name": body.name,
        "city": body.city,
        "address": body.address,
        "seat_types": body.seat_types,
        "created_at": datetime.now(UTC),
    }
    await venues.insert(ctx.q, venue)
    return venue | {"seat_count": 0}


@router.get("/venue")
async def list_venues(
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: str | None = None,
) -> dict[str, Any]:
    offset = decode_cursor(cursor)
    rows = await venues.read_all(ctx.q)
    rows.sort(key=lambda r: (r["created_at"], r["venue_id"]))
    page = rows[offset : offset + limit]
    more = offset + limit < len(rows)
    return {"items": page, "next_cursor": encode_cursor(offset + limit) if more else None}


@router.get("/venue/{venue_id}")
async def read_venue(venue_id: str, ctx: Ctx) -> dict[str, Any]:
    venue = await load_venue(ctx, venue_id)
    seats = await venue_seat_rows(ctx, venue_id)
    by_type = dict.fromkeys(venue["seat_types"], 0)
    for seat in seats:
        by_type[seat["seat_type"]] = by_type.get(seat["seat_type"], 0) + 1
    return venue | {"seat_count": len(seats), "seats_by_type": by_type}


@router.post("/venue/{venue_id}/seats", status_code=201)
async def add_seats(
    venue_id: str, body: NewSeats, ctx: Ctx, principal: Organizer
) -> dict[str, int]:
    """Add numbered seats, all or none: a duplicate is 409, an unknown seat type 422."""
    venue = await load_venue(ctx, venue_id)
    if not owns(principal, venue["owner_id"]):
        raise not_found("venue")
    unknown = sorted({s.seat_type for s in body.seats} - set(venue["seat_types"]))
    if unknown:
        raise ApiError(
            422,
            "unknown_seat_type",
            f"the venue has no seat type {unknown[0]!r}",
            {"field": "seats.seat_type", "unknown_seat_types": unknown},
        )
    ids = [f"{s.row}-{s.number}" for s in body.seats]
    twice = sorted(i for i, n in Counter(ids).items() if n > 1)
    if twice:
        raise duplicate_seats(twice)
    rows = [
        (venue_id, seat_id, seat.row, seat.number, seat.seat_type)
        for seat_id, seat in zip(ids, body.seats, strict=True)
    ]
    existing = await venues.insert_seats(ctx.q, rows)
    if existing:
        raise duplicate_seats(existing)
    await ctx.search.count_venue_seats(venue_id)
    return {"added": len(ids)}


def duplicate_seats(seat_ids: list[str]) -> ApiError:
    return ApiError(
        409,
        "duplicate_seats",
        "some seats exist already or are named twice",
        {"field": "seats", "duplicate_seat_ids": seat_ids},
    )
