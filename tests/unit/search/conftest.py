"""Factories for the pure search index (fixtures, so hypothesis tests may use them too)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from search.index import SearchIndex
from search.listing import Listing
from search.query import Key, Query

MakeListing = Callable[..., Listing]
WalkPages = Callable[[SearchIndex, Query], list[Key]]
_ids = itertools.count(1)


@pytest.fixture(scope="session")
def make_listing() -> MakeListing:
    """make_listing(name=..., day=3, prices={"A": 10.0}, capacity=5, ...) -> a Listing."""

    def make(**fields: Any) -> Listing:
        day = fields.pop("day", 0)
        capacity = fields.pop("capacity", 10)
        event = {
            "event_id": f"{next(_ids):032x}",
            "venue_id": "v1",
            "name": "An Evening",
            "description": "",
            "artists": [],
            "tags": [],
            "starts_at": datetime(2030, 1, 1, 20, tzinfo=UTC) + timedelta(days=day),
            "prices": {"Regular": 50.0},
            "city": "Lisbon",
            "venue_name": "Hall",
            "created_at": datetime(2029, 1, 1, tzinfo=UTC),
        }
        return Listing.of(event | fields, capacity)

    return make


@pytest.fixture(scope="session")
def walk_pages() -> WalkPages:
    """The sort keys of every page of `query`, following the cursor to the end."""

    def walk(index: SearchIndex, query: Query) -> list[Key]:
        keys: list[Key] = []
        after = None
        for _ in range(10_000):
            page = index.search(Query(**{**query.__dict__, "after": after}))
            keys += [hit.key for hit in page.hits]
            if not page.more:
                return keys
            after = page.hits[-1].key
        raise AssertionError("pages never ended")

    return walk
