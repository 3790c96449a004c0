"""Keyset pages: every match exactly once, also while events are added; cursors are checked."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from search.cursor import BadCursor, decode_cursor, encode_cursor
from search.index import SearchIndex
from search.query import SORTS, Query
from search.scan import scan
from tests.unit.search.conftest import MakeListing, WalkPages


def fill(index: SearchIndex, make: MakeListing, n: int, rng: random.Random) -> list:
    made = [
        make(
            name=rng.choice(["Jazz Night", "Rock Night", "Jazz Festival", "Opera"]),
            day=rng.randrange(30),
            prices={"A": float(rng.randrange(5)) * 10, "B": float(rng.randrange(5)) * 25},
            tags=rng.sample(["jazz", "rock", "pop"], 2),
        )
        for _ in range(n)
    ]
    for listing in made:
        index.upsert(listing)
    return made


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("q", ["", "jazz"])
def test_walking_pages_while_events_are_added_returns_each_match_once(
    sort: str, q: str, make_listing: MakeListing
) -> None:
    rng = random.Random(f"{sort}{q}")
    index = SearchIndex()
    before = fill(index, make_listing, 300, rng)
    query = Query(q=q, sort=sort, tags=("jazz",), limit=7)  # type: ignore[arg-type]
    expected = {k[-1] for k in scan(query, before, index.seats_left)}
    seen: list[str] = []
    after = None
    while True:
        page = index.search(replace(query, after=after))
        seen += [hit.listing.event_id for hit in page.hits]
        fill(index, make_listing, 5, rng)  # new events land before and after the cursor
        if not page.more:
            break
        after = page.hits[-1].key
    assert len(seen) == len(set(seen))
    assert expected <= set(seen)


def test_large_index_walks_and_uses_candidates_alike(
    make_listing: MakeListing, walk_pages: WalkPages
) -> None:
    rng = random.Random(7)
    index = SearchIndex()
    listings = fill(index, make_listing, 2000, rng)
    for query in [
        Query(limit=50),
        Query(sort="price", min_price=20, max_price=30, limit=40),
        Query(date_from=listings[0].starts_at, date_to=listings[0].starts_at, limit=3),
        Query(q="jaz nite", sort="relevance", limit=25),
        Query(sort="price", available=True, limit=100),
    ]:
        assert walk_pages(index, query) == scan(query, listings, index.seats_left)


def test_seats_taken_and_freed(make_listing: MakeListing) -> None:
    index = SearchIndex()
    listing = make_listing(capacity=2)
    index.upsert(listing)
    index.take_seats(listing.event_id, ["A-1", "A-2", "A-1"])
    assert index.search(Query(available=True)).hits == []
    assert index.search(Query(available=False)).hits[0].seats_left == 0
    index.free_seats(listing.event_id, ["A-2"])
    assert index.search(Query(available=True)).hits[0].seats_left == 1


def test_an_older_version_does_not_replace_a_newer_one(make_listing: MakeListing) -> None:
    index = SearchIndex()
    new = make_listing(name="New name")
    index.upsert(new)
    assert not index.upsert(replace(new, name="Old name", changed_at=new.changed_at - 1))
    assert index.get(new.event_id) == new


def test_many_replacements_compact_the_index(make_listing: MakeListing) -> None:
    index = SearchIndex()
    listing = make_listing(name="Version 0")
    for version in range(1, 2100):
        listing = replace(listing, name=f"Version {version}", changed_at=listing.changed_at + 1)
        index.upsert(listing)
    assert len(index) == 1 and len(index._docs) < 1100
    assert [h.listing.name for h in index.search(Query(q="version")).hits] == ["Version 2099"]


def test_cursor_round_trip_and_refusals() -> None:
    query = Query(q="jazz", sort="relevance")
    cursor = encode_cursor(query, (-3000, 1_893_528_000_000, "e1"))
    assert decode_cursor(cursor, query) == (-3000, 1_893_528_000_000, "e1")
    for bad in ["", "!!!", "bm90IGpzb24", encode_cursor(Query(q="rock"), (-1, 2, "e"))]:
        with pytest.raises(BadCursor):
            decode_cursor(bad, query)
    with pytest.raises(BadCursor):
        decode_cursor(encode_cursor(Query(sort="price"), (1.0, "e")), Query(sort="price", city="x"))
