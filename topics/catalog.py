"""Catalog messages (schema version 1): an event as discovery lists it, keyed by event_id (a
later message for the same event replaces the earlier one), and a venue's seat count after seats
were added, keyed by venue_id (seats are only ever added, so the highest count is the current)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class CatalogEventV1(BaseModel):
    """`capacity` counts the venue's seats when the event was listed; None when unknown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    type: Literal["EventListed"] = "EventListed"
    event_id: str
    venue_id: str
    name: str
    description: str = ""
    artists: list[str] = []
    tags: list[str] = []
    starts_at: datetime
    prices: dict[str, float]
    city: str = ""
    venue_name: str = ""
    capacity: int | None = None
    changed_at: datetime


class VenueSeatsCountedV1(BaseModel):
    """The venue has `capacity` seats now: every event there lists them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    type: Literal["VenueSeatsCounted"] = "VenueSeatsCounted"
    venue_id: str
    capacity: int = Field(ge=0)
    counted_at: datetime


CatalogMessageV1 = Annotated[CatalogEventV1 | VenueSeatsCountedV1, Field(discriminator="type")]
_CATALOG_MESSAGE: TypeAdapter[CatalogEventV1 | VenueSeatsCountedV1] = TypeAdapter(CatalogMessageV1)


def decode_catalog(value: bytes) -> CatalogEventV1 | VenueSeatsCountedV1:
    """One message of the catalog topic; raises pydantic's ValidationError when unreadable."""
    return _CATALOG_MESSAGE.validate_json(value)
