"""Seats added to a venue after its events were listed reach their seats left and `available`."""

from __future__ import annotations

from datetime import UTC, datetime

from search.index import SearchIndex
from search.query import Query
from tests.unit.search.conftest import MakeListing
from topics.catalog import CatalogEventV1, VenueSeatsCountedV1, decode_catalog
from topics.codec import encode


def left(index: SearchIndex, **query: object) -> list[int | None]:
    return [hit.seats_left for hit in index.search(Query(**query)).hits]  # type: ignore[arg-type]


def test_a_venue_count_raises_the_capacity_of_its_events_only(make_listing: MakeListing) -> None:
    index = SearchIndex()
    here = make_listing(venue_id="v1", capacity=2)
    there = make_listing(venue_id="v2", capacity=2)
    index.extend([here, there])
    index.take_seats(here.event_id, ["A-1", "A-2"])
    assert left(index, venue_id="v1") == [0]
    assert left(index, venue_id="v1", available=True) == []

    index.count_venue_seats("v1", 5)
    assert left(index, venue_id="v1") == [3]
    assert left(index, venue_id="v1", available=True) == [3]
    assert left(index, venue_id="v2") == [2]


def test_counts_arriving_out_of_order_keep_the_highest(make_listing: MakeListing) -> None:
    index = SearchIndex()
    listing = make_listing(venue_id="v1", capacity=None)
    index.upsert(listing)
    assert left(index, venue_id="v1") == [None]
    index.count_venue_seats("v1", 9)
    index.count_venue_seats("v1", 4)  # an older count, delivered late
    assert left(index, venue_id="v1") == [9]
    index.upsert(make_listing(event_id=listing.event_id, venue_id="v1", capacity=3, day=1))
    assert left(index, venue_id="v1") == [9]


def test_the_catalog_decodes_both_messages() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    counted = VenueSeatsCountedV1(venue_id="v1", capacity=12, counted_at=now)
    listed = CatalogEventV1(
        event_id="e1", venue_id="v1", name="N", starts_at=now, prices={}, changed_at=now
    )
    assert decode_catalog(encode(counted)) == counted
    assert decode_catalog(encode(listed)) == listed
