"""A search request as the index takes it, and the order its results come in."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from search.listing import Listing

Sort = Literal["starts_at", "price", "relevance"]
SORTS: tuple[str, ...] = ("starts_at", "price", "relevance")
Key = tuple[Any, ...]


@dataclass(frozen=True)
class Query:
    """Filters combine with AND. Dates are epoch milliseconds (both ends included); text fields
    are normalised (search.text.normalize); `after` is the sort key of the last item seen."""

    q: str = ""
    date_from: int | None = None
    date_to: int | None = None
    min_price: float | None = None
    max_price: float | None = None
    artist: str | None = None
    tags: tuple[str, ...] = ()
    tag_mode: Literal["any", "all"] = "any"
    city: str | None = None
    venue_id: str | None = None
    available: bool | None = None
    sort: Sort = "starts_at"
    limit: int = 20
    after: Key | None = field(default=None, compare=False)

    def fingerprint(self) -> str:
        """Identifies the filters and the order, so a cursor cannot wander to another query."""
        parts = [
            repr(getattr(self, f.name)) for f in fields(self) if f.name not in ("limit", "after")
        ]
        return hashlib.blake2s("|".join(parts).encode(), digest_size=6).hexdigest()


def sort_key(sort: str, listing: Listing, score: float) -> Key:
    """Where a listing goes in `sort` order; ties end with the event id, so keys are unique."""
    if sort == "price":
        return (listing.min_price, listing.event_id)
    if sort == "relevance":
        return (-score, listing.starts_at, listing.event_id)
    return (listing.starts_at, listing.event_id)


def price_matches(listing: Listing, low: float | None, high: float | None) -> bool:
    """Whether any of the listing's seat-type prices lies in [low, high]."""
    if low is None and high is None:
        return True
    lo = float("-inf") if low is None else low
    hi = float("inf") if high is None else high
    return any(lo <= p <= hi for _, p in listing.prices)
