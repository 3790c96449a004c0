"""Catalog messages (schema version 1): an event as discovery lists it, keyed by event_id.
A later message for the same event replaces the earlier one."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


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
