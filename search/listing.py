"""One event as the index keeps it, and as a search result shows it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from search.text import normalize

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MS = timedelta(milliseconds=1)


def epoch_ms(value: datetime) -> int:
    """Whole milliseconds since the epoch (exact); naive datetimes are UTC, as Cassandra's."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return (aware - EPOCH) // MS


@dataclass(slots=True, frozen=True)
class Listing:
    """An event's searchable fields; `capacity` is None when unknown."""

    event_id: str
    venue_id: str
    name: str
    description: str
    artists: tuple[str, ...]
    tags: tuple[str, ...]
    starts_at: int
    prices: tuple[tuple[str, float], ...]
    city: str
    venue_name: str
    capacity: int | None
    changed_at: int
    city_key: str
    artist_keys: frozenset[str]
    tag_keys: frozenset[str]

    @property
    def min_price(self) -> float:
        return min((p for _, p in self.prices), default=0.0)

    @classmethod
    def of(cls, event: Mapping[str, Any], capacity: int | None = None) -> Listing:
        """A listing from an events row or a catalog message (as a dict)."""
        changed = event.get("changed_at") or event.get("created_at") or event["starts_at"]
        artists = tuple(event.get("artists") or ())
        tags = tuple(event.get("tags") or ())
        return cls(
            event_id=event["event_id"],
            venue_id=event.get("venue_id") or "",
            name=event.get("name") or "",
            description=event.get("description") or "",
            artists=artists,
            tags=tags,
            starts_at=epoch_ms(event["starts_at"]),
            prices=tuple(sorted((event.get("prices") or {}).items())),
            city=event.get("city") or "",
            venue_name=event.get("venue_name") or "",
            capacity=event.get("capacity", capacity),
            changed_at=epoch_ms(changed),
            city_key=normalize(event.get("city") or ""),
            artist_keys=frozenset(normalize(a) for a in artists),
            tag_keys=frozenset(normalize(t) for t in tags),
        )

    def item(self, seats_left: int | None) -> dict[str, Any]:
        """The event as GET /events lists it."""
        return {
            "event_id": self.event_id,
            "name": self.name,
            "description": self.description,
            "artists": list(self.artists),
            "tags": list(self.tags),
            "starts_at": EPOCH + self.starts_at * MS,
            "city": self.city,
            "venue_id": self.venue_id,
            "venue_name": self.venue_name,
            "prices": dict(self.prices),
            "min_price": self.min_price,
            "seats_left": seats_left,
        }
