"""The index's numpy columns and cached orders (search.columns) stay true to the listings
through every kind of change: each page walk equals the naive scan of the listings as they are
after random upserts, replacements, seats taken and freed, venue counts and compaction."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.columns import Orders
from search.index import SearchIndex
from search.listing import Listing
from search.query import Query
from search.scan import scan
from tests.unit.search.conftest import MakeListing, WalkPages
from tests.unit.search.test_search_oracle import fields, queries

SEATS = st.lists(st.sampled_from(["x", "y", "z"]), max_size=3)
changes = st.one_of(
    st.tuples(st.just("list"), fields),
    st.tuples(st.just("replace"), st.integers(0, 40), fields),
    st.tuples(st.just("take"), st.integers(0, 40), SEATS),
    st.tuples(st.just("free"), st.integers(0, 40), SEATS),
    st.tuples(st.just("count"), st.sampled_from(["v1", "v2"]), st.integers(0, 5)),
    st.tuples(st.just("search"), queries),
    st.tuples(st.just("search"), st.just(Query())),
)


def apply(
    index: SearchIndex, current: dict[str, Listing], change: tuple, make: MakeListing
) -> None:  # type: ignore[type-arg]
    kind, *args = change
    ids = list(current)
    if kind == "list":
        listing = make(**args[0])
        current[listing.event_id] = listing
        index.upsert(listing)
    elif kind == "replace" and ids:
        stale = current[ids[args[0] % len(ids)]]
        fresh = replace(make(**args[1]), event_id=stale.event_id, changed_at=stale.changed_at + 1)
        current[fresh.event_id] = fresh
        index.upsert(fresh)
    elif kind in ("take", "free") and ids:
        event_id = ids[args[0] % len(ids)]
        (index.take_seats if kind == "take" else index.free_seats)(event_id, args[1])
    elif kind == "count":
        index.count_venue_seats(args[0], args[1])
    elif kind == "search":  # builds the cached orders, which later changes must refresh
        index.search(args[0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(changes, max_size=30), checks=st.lists(queries, min_size=1, max_size=4))
def test_pages_match_the_scan_after_any_changes(
    steps: list[tuple],  # type: ignore[type-arg]
    checks: list[Query],
    make_listing: MakeListing,
    walk_pages: WalkPages,
) -> None:
    index, current = SearchIndex(), {}  # type: ignore[var-annotated]
    for step in steps:
        apply(index, current, step, make_listing)
    for query in checks:
        assert walk_pages(index, query) == scan(query, current.values(), index.seats_left)
    assert_kept_in_step(index)


def assert_kept_in_step(index: SearchIndex) -> None:
    """The arrays kept up to date change by change equal the arrays made anew."""
    kept = index._ordered()
    fresh = Orders(index._by_date, index._by_price, index._prices, index._cols.size)
    live = index._cols.alive
    assert (kept.by_date[live] == fresh.by_date[live]).all()
    assert (kept.by_price[live] == fresh.by_price[live]).all()
    assert (kept.prices == fresh.prices).all() and (kept.price_docs == fresh.price_docs).all()
    for (name, value), docs in kept.members.items():
        assert set(docs.tolist()) == index._sets[name].get(value, set())
    for doc, listing in enumerate(index._docs):
        if listing is not None:
            left = index.seats_left(listing)
            assert index._cols.left[doc] == (-1 if left is None else left)


def test_compaction_keeps_seats_left_and_every_filter(
    make_listing: MakeListing, walk_pages: WalkPages
) -> None:
    index = SearchIndex()
    listings = [make_listing(day=i % 9, capacity=2, venue_id=f"v{i % 3}") for i in range(600)]
    index.extend(listings)
    for listing in listings[::2]:
        index.take_seats(listing.event_id, ["A-1", "A-2"])
    index.search(Query(available=True))
    current = {}
    for round_ in (1, 2):  # two replacements of each: 1,800 documents, 600 live: compacted
        for listing in listings:
            newer = replace(listing, changed_at=listing.changed_at + round_, name=f"Show {round_}")
            current[listing.event_id] = newer
            index.upsert(newer)
    assert len(index._docs) < 3 * len(listings)  # compacted: replaced documents dropped
    for query in (
        Query(available=True, limit=50),
        Query(available=False, sort="price", limit=50),
        Query(q="show 2", venue_id="v1", limit=50),
    ):
        expected = scan(query, current.values(), index.seats_left)
        assert walk_pages(index, query) == expected
        assert expected  # the query is not vacuous
