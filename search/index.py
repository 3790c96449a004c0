"""The in-memory search index of one ingress: pure, no I/O; fed by search.feeder."""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from search.listing import Listing
from search.postings import Postings
from search.query import Key, Query, price_matches, sort_key
from search.text import query_tokens

WALK_SHARE = 4  # walk the sort order unless some filter keeps under 1/WALK_SHARE of events


@dataclass(frozen=True)
class Hit:
    listing: Listing
    key: Key
    seats_left: int | None


@dataclass(frozen=True)
class Page:
    hits: list[Hit]
    more: bool


class SearchIndex:
    """Listings by event id, kept in date and price order, with exact-value sets for the
    filters and word postings for `q`. Replacing a listing gives it a new document number."""

    def __init__(self) -> None:
        self._docs: list[Listing | None] = []
        self._doc_of: dict[str, int] = {}
        self._by_date: list[tuple[int, str, int]] = []
        self._by_price: list[tuple[float, str, int]] = []
        self._prices: list[tuple[float, int]] = []
        self._sets: dict[str, dict[str, set[int]]] = {
            "city": {},
            "venue": {},
            "artist": {},
            "tag": {},
        }
        self._text = Postings()
        self._taken: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._doc_of)

    def get(self, event_id: str) -> Listing | None:
        doc = self._doc_of.get(event_id)
        return None if doc is None else self._docs[doc]

    def upsert(self, listing: Listing) -> bool:
        """Add or replace a listing; an older version than the one held is ignored."""
        old = self.get(listing.event_id)
        if old is not None:
            if listing.changed_at < old.changed_at or listing == old:
                return False
            self._forget(self._doc_of[listing.event_id], old)
        doc = len(self._docs)
        self._docs.append(listing)
        self._doc_of[listing.event_id] = doc
        insort(self._by_date, (listing.starts_at, listing.event_id, doc))
        insort(self._by_price, (listing.min_price, listing.event_id, doc))
        for _, price in listing.prices:
            insort(self._prices, (price, doc))
        for name, values in self._values(listing):
            for value in values:
                self._sets[name].setdefault(value, set()).add(doc)
        self._text.add(doc, listing)
        if len(self._docs) > 1000 and len(self._docs) > 2 * len(self._doc_of):
            self._compact()
        return True

    def take_seats(self, event_id: str, seat_ids: Iterable[str]) -> None:
        self._taken.setdefault(event_id, set()).update(seat_ids)

    def free_seats(self, event_id: str, seat_ids: Iterable[str]) -> None:
        self._taken.get(event_id, set()).difference_update(seat_ids)

    def seats_left(self, listing: Listing) -> int | None:
        if listing.capacity is None:
            return None
        return max(0, listing.capacity - len(self._taken.get(listing.event_id, ())))

    def search(self, query: Query) -> Page:
        """One page of listings matching `query`, after `query.after`, in its sort order."""
        words = query_tokens(query.q)
        scores = self._text.scores(words) if words else None
        docs = self._candidates(query, scores)
        if docs is None:
            order = self._by_price if query.sort == "price" else self._by_date
            hits = list(self._walk(query, order))
        else:
            found = (self._hit(query, doc, scores) for doc in docs)
            hits = heapq.nsmallest(query.limit + 1, filter(None, found), key=lambda h: h.key)
        return Page(hits[: query.limit], len(hits) > query.limit)

    def _candidates(self, query: Query, scores: dict[int, int] | None) -> Iterable[int] | None:
        """The smallest exact set of documents that may match, or None to walk instead."""
        sets = self._filter_sets(query)
        if scores is not None:
            return [d for d in scores if all(d in s for s in sets)] if sets else scores
        if sets:
            first, *rest = sorted(sets, key=len)
            return [d for d in first if all(d in s for s in rest)]
        ranges = [self._date_docs(query), self._price_docs(query)]
        known = [r for r in ranges if r is not None]
        smallest = min(known, key=len, default=None)
        if smallest is not None and len(smallest) * WALK_SHARE < len(self):
            return smallest
        return None

    def _filter_sets(self, query: Query) -> list[set[int]]:
        sets = self._sets
        found = [
            sets[name].get(value, set())
            for name, value in (
                ("city", query.city),
                ("venue", query.venue_id),
                ("artist", query.artist),
            )
            if value is not None
        ]
        if query.tags and query.tag_mode == "all":
            found += [sets["tag"].get(t, set()) for t in query.tags]
        elif query.tags:
            found.append(set().union(*(sets["tag"].get(t, set()) for t in query.tags)))
        return found

    def _date_docs(self, query: Query) -> list[int] | None:
        if query.date_from is None and query.date_to is None:
            return None
        lo = 0 if query.date_from is None else bisect_left(self._by_date, (query.date_from,))
        hi = len(self._by_date)
        if query.date_to is not None:
            hi = bisect_right(self._by_date, query.date_to, key=lambda e: e[0])
        return [doc for _, _, doc in self._by_date[lo:hi]]

    def _price_docs(self, query: Query) -> set[int] | None:
        if query.min_price is None and query.max_price is None:
            return None
        lo = 0 if query.min_price is None else bisect_left(self._prices, (query.min_price, -1))
        hi = len(self._prices)
        if query.max_price is not None:
            hi = bisect_right(self._prices, query.max_price, key=lambda e: e[0])
        return {doc for _, doc in self._prices[lo:hi]}

    def _walk(
        self, query: Query, order: list[tuple[int, str, int]] | list[tuple[float, str, int]]
    ) -> Iterator[Hit]:
        """Hits in `order` from the cursor on, until the page is full or none can follow."""
        start = 0
        if query.after is not None:
            start = bisect_right(order, tuple(query.after[-2:]), key=lambda e: (e[0], e[1]))
        elif order is self._by_date and query.date_from is not None:
            start = bisect_left(order, (query.date_from,))
        last = query.date_to if order is self._by_date else query.max_price
        wanted = query.limit + 1
        for first, _, doc in order[start:] if start else order:
            if last is not None and first > last:
                return
            hit = self._hit(query, doc, None)
            if hit is not None:
                yield hit
                wanted -= 1
                if not wanted:
                    return

    def _hit(self, query: Query, doc: int, scores: dict[int, int] | None) -> Hit | None:
        listing = self._docs[doc]
        if listing is None or not self._accepts(query, listing):
            return None
        left = self.seats_left(listing)
        if query.available is not None and (left is None or (left > 0) != query.available):
            return None
        key = sort_key(query.sort, listing, scores[doc] if scores else 0)
        if query.after is not None and key <= tuple(query.after):
            return None
        return Hit(listing, key, left)

    @staticmethod
    def _accepts(query: Query, listing: Listing) -> bool:
        if query.date_from is not None and listing.starts_at < query.date_from:
            return False
        if query.date_to is not None and listing.starts_at > query.date_to:
            return False
        if query.city is not None and listing.city_key != query.city:
            return False
        if query.venue_id is not None and listing.venue_id != query.venue_id:
            return False
        if query.artist is not None and query.artist not in listing.artist_keys:
            return False
        if query.tags:
            hit = listing.tag_keys.intersection(query.tags)
            if not hit or query.tag_mode == "all" and len(hit) < len(query.tags):
                return False
        return price_matches(listing, query.min_price, query.max_price)

    @staticmethod
    def _values(listing: Listing) -> Iterator[tuple[str, Iterable[str]]]:
        yield "city", (listing.city_key,)
        yield "venue", (listing.venue_id,)
        yield "artist", listing.artist_keys
        yield "tag", listing.tag_keys

    def _forget(self, doc: int, listing: Listing) -> None:
        self._docs[doc] = None
        self._by_date.remove((listing.starts_at, listing.event_id, doc))
        self._by_price.remove((listing.min_price, listing.event_id, doc))
        for _, price in listing.prices:
            self._prices.remove((price, doc))
        for name, values in self._values(listing):
            for value in values:
                self._sets[name][value].discard(doc)

    def _compact(self) -> None:
        """Renumber the live listings, dropping replaced ones from the word postings."""
        fresh = SearchIndex()
        for doc in self._doc_of.values():
            fresh.upsert(self._docs[doc])  # type: ignore[arg-type]
        fresh._taken = self._taken
        self.__dict__.update(fresh.__dict__)
