"""The index against the naive scan (search.scan) on random events and random queries."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.index import SearchIndex
from search.listing import Listing
from search.query import SORTS, Query
from search.scan import scan
from tests.unit.search.conftest import MakeListing, WalkPages

WORDS = ["metallica", "jazz", "festival", "taylor", "swift", "rock", "tour", "noite", "café",
         "fado", "banana", "aaaa", "ópera", "the", "live", "sinfonia", "abba"]  # fmt: skip
TAGS = ["rock", "jazz", "pop", "family", "Outdoor"]
CITIES = ["Lisbon", "Porto", "São Paulo"]
word = st.one_of(st.sampled_from(WORDS), st.text(alphabet="abcéo", min_size=1, max_size=7))
phrase = st.lists(word, min_size=0, max_size=4).map(" ".join)


@st.composite
def typo(draw: st.DrawFn) -> str:
    """A query word: a known word, maybe cut short or with a letter changed, dropped or added."""
    text = draw(word)
    i = draw(st.integers(0, len(text)))
    return draw(
        st.sampled_from([text, text[:i], text[:i] + text[i + 1 :], text[:i] + "x" + text[i:]])
    )


fields = st.fixed_dictionaries(
    {
        "name": phrase,
        "description": phrase,
        "artists": st.lists(phrase, max_size=2),
        "tags": st.lists(st.sampled_from(TAGS), max_size=3),
        "day": st.integers(0, 9),
        "prices": st.dictionaries(
            st.sampled_from("ABC"), st.integers(0, 12).map(lambda p: p * 10.0), min_size=1
        ),
        "city": st.sampled_from(CITIES),
        "venue_id": st.sampled_from(["v1", "v2"]),
        "capacity": st.none() | st.integers(0, 3),
    }
)


def events(make: MakeListing) -> st.SearchStrategy[list[Listing]]:
    return st.lists(fields, max_size=16).map(lambda many: [make(**f) for f in many])


def ms(day: int) -> int:
    return 1_893_528_000_000 + day * 86_400_000  # 2030-01-01T20:00Z + days


indexes = st.builds(SearchIndex)
queries = st.builds(
    Query,
    q=st.one_of(st.just(""), st.lists(typo(), min_size=1, max_size=3).map(" ".join)),
    date_from=st.none() | st.integers(0, 9).map(ms),
    date_to=st.none() | st.integers(0, 9).map(ms),
    min_price=st.none() | st.integers(0, 12).map(lambda p: p * 10.0),
    max_price=st.none() | st.integers(0, 12).map(lambda p: p * 10.0 + 5),
    artist=st.none() | st.sampled_from(["metallica", "jazz festival", "abba"]),
    tags=st.lists(st.sampled_from(["rock", "jazz", "pop", "outdoor"]), max_size=2, unique=True)
    .map(sorted)
    .map(tuple),
    tag_mode=st.sampled_from(["any", "all"]),
    city=st.none() | st.sampled_from(["lisbon", "sao paulo", "faro"]),
    venue_id=st.none() | st.just("v2"),
    available=st.sampled_from([None, True, False]),
    sort=st.sampled_from(SORTS),
    limit=st.integers(1, 6),
)


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), query=queries)
def test_pages_match_the_naive_scan(
    data: st.DataObject, query: Query, make_listing: MakeListing, walk_pages: WalkPages
) -> None:
    listings = data.draw(events(make_listing))
    index = data.draw(indexes)
    for listing in listings:
        index.upsert(listing)
    for listing in listings[: data.draw(st.integers(0, len(listings)))]:
        index.take_seats(listing.event_id, data.draw(st.lists(st.sampled_from("xyz"), max_size=3)))
    expected = scan(query, listings, index.seats_left)
    assert walk_pages(index, query) == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), query=queries)
def test_replaced_events_are_found_by_their_new_fields_only(
    data: st.DataObject, query: Query, make_listing: MakeListing, walk_pages: WalkPages
) -> None:
    old = data.draw(events(make_listing))
    index = data.draw(indexes)
    for listing in old:
        index.upsert(listing)
    new = [
        replace(fresh, event_id=stale.event_id, changed_at=stale.changed_at + 1)
        for stale, fresh in zip(old, data.draw(events(make_listing)), strict=False)
    ]
    for listing in new:
        index.upsert(listing)
    current = {listing.event_id: listing for listing in old + new}
    assert walk_pages(index, query) == scan(query, current.values(), index.seats_left)
