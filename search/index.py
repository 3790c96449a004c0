"""The in-memory search index of one ingress: pure, no I/O; fed by search.feeder."""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from search.listing import Listing
from search.postings import Postings
from search.query import Key, Query, price_matches, sort_key
from search.text import query_tokens

Entry = tuple[Any, str, int]  # (sort value, event id, document)
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

    def __init__(self, heap_factor: float = 4.0, walk_share: float = WALK_SHARE) -> None:
        self._heap_factor = heap_factor  # tuning knobs; tests set extremes to force each path
        self._walk_share = walk_share
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
        self._venue_seats: dict[str, int] = {}  # seats per venue, from VenueSeatsCounted

    def __len__(self) -> int:
        return len(self._doc_of)

    def get(self, event_id: str) -> Listing | None:
        doc = self._doc_of.get(event_id)
        return None if doc is None else self._docs[doc]

    def upsert(self, listing: Listing) -> bool:
        """Add or replace a listing; an older version than the one held is ignored."""
        return self.extend([listing]) == 1

    def extend(self, listings: Iterable[Listing]) -> int:
        """Upsert many listings (sorting once at the end when there are many); how many took."""
        batch = list(listings)
        bulk = len(batch) > 64
        taken = 0
        for listing in batch:
            old = self.get(listing.event_id)
            if old is not None:
                if listing.changed_at < old.changed_at or listing == old:
                    continue
                self._forget(self._doc_of[listing.event_id], old)
            taken += 1
            self._add(listing, bulk)
        if bulk:
            self._by_date.sort()
            self._by_price.sort()
            self._prices.sort()
        if len(self._docs) > 1000 and len(self._docs) > 2 * len(self._doc_of):
            self._compact()
        return taken

    def _add(self, listing: Listing, bulk: bool) -> None:
        doc = len(self._docs)
        self._docs.append(listing)
        self._doc_of[listing.event_id] = doc
        put = list.append if bulk else insort
        put(self._by_date, (listing.starts_at, listing.event_id, doc))
        put(self._by_price, (listing.min_price, listing.event_id, doc))
        for _, price in listing.prices:
            put(self._prices, (price, doc))
        for name, values in self._values(listing):
            for value in values:
                self._sets[name].setdefault(value, set()).add(doc)
        self._text.add(doc, listing)

    def take_seats(self, event_id: str, seat_ids: Iterable[str]) -> None:
        self._taken.setdefault(event_id, set()).update(seat_ids)

    def free_seats(self, event_id: str, seat_ids: Iterable[str]) -> None:
        self._taken.get(event_id, set()).difference_update(seat_ids)

    def count_venue_seats(self, venue_id: str, capacity: int) -> None:
        """The venue has `capacity` seats: seats are only ever added, so the highest count
        heard (here or in a listing) is the current one, whatever order counts arrive in."""
        self._venue_seats[venue_id] = max(capacity, self._venue_seats.get(venue_id, 0))

    def seats_left(self, listing: Listing) -> int | None:
        counted = self._venue_seats.get(listing.venue_id)
        if listing.capacity is None and counted is None:
            return None
        capacity = max(listing.capacity or 0, counted or 0)
        return max(0, capacity - len(self._taken.get(listing.event_id, ())))

    def search(self, query: Query) -> Page:
        """One page of listings matching `query`, after `query.after`, in its sort order.

        Exact structures (value sets, word postings, narrow date or price ranges) give a pool
        of candidates; a small pool is checked whole and the best kept, otherwise the sort
        order is walked from the cursor, skipping what is not in the pool, until the page is
        full: each way costs about the number of listings it has to look at."""
        words = query_tokens(query.q)
        scores = self._text.scores(words) if words else None
        pool = self._pool(query, scores)
        wanted = query.limit + 1
        if pool is not None and len(pool) ** 2 < self._heap_factor * wanted * max(len(self), 1):
            checked = filter(None, (self._hit(query, doc, scores) for doc in pool))
            hits = heapq.nsmallest(wanted, checked, key=lambda h: h.key)
        else:
            walked = (self._hit(query, d, scores) for d in self._ordered(query, scores, pool))
            hits = list(islice(filter(None, walked), wanted))
        return Page(hits[: query.limit], len(hits) > query.limit)

    def _pool(self, query: Query, scores: dict[int, int] | None) -> set[int] | None:
        """Documents every exact structure admits, or None when none applies. A date or price
        range joins only when it is narrower than the rest (it is checked per listing anyway)."""
        parts: list[Collection[int]] = self._filter_sets(query)
        if scores is not None:
            parts.append(scores.keys())
        for lo, hi, docs in (self._date_range(query), self._price_range(query)):
            narrow = (hi - lo) * self._walk_share < len(self)
            if narrow and all(hi - lo < len(part) for part in parts):
                parts.append(docs(lo, hi))
        if not parts:
            return None
        first, *rest = sorted(parts, key=len)
        pool = set(first)
        for part in rest:
            pool.intersection_update(part)
        return pool

    def _ordered(
        self, query: Query, scores: dict[int, int] | None, pool: set[int] | None
    ) -> Iterator[int]:
        """Documents in the pool (or all) in sort order, from near the cursor on."""
        if query.sort == "relevance" and scores is not None:
            yield from self._by_relevance(query, scores, pool)
            return
        order = self._by_price if query.sort == "price" else self._by_date
        last = query.max_price if query.sort == "price" else query.date_to
        after = query.after[-2:] if query.after is not None else None
        if after is None and query.sort != "price" and query.date_from is not None:
            after = (query.date_from - 1, "~")
        for first, _, doc in self._from(order, after):
            if last is not None and first > last:
                return
            if pool is None or doc in pool:
                yield doc

    def _by_relevance(
        self, query: Query, scores: dict[int, int], pool: set[int] | None
    ) -> Iterator[int]:
        """Best score first; equal scores by date, walking the date order for big groups."""
        groups: dict[int, list[int]] = {}
        for doc in pool if pool is not None else scores:
            groups.setdefault(scores[doc], []).append(doc)
        top = -query.after[0] if query.after is not None else None
        for score in sorted(groups, reverse=True):
            if top is not None and score > top:
                continue
            group = groups[score]
            after = query.after[-2:] if query.after is not None and score == top else None
            if len(group) * self._walk_share < len(self):
                yield from self._by_date_lazily(group)
            else:
                members = set(group)
                yield from (d for _, _, d in self._from(self._by_date, after) if d in members)

    def _by_date_lazily(self, group: list[int]) -> Iterator[int]:
        """`group` in date order: the first few by a heap, the rest sorted only if wanted."""
        docs = self._docs

        def key(doc: int) -> tuple[int, str]:
            listing = docs[doc]
            return (listing.starts_at, listing.event_id) if listing else (0, "")

        head = heapq.nsmallest(64, group, key=key)
        yield from head
        if len(group) > len(head):
            yield from sorted(group, key=key)[len(head) :]

    @staticmethod
    def _from(
        order: list[tuple[Any, str, int]], after: Key | None
    ) -> Iterable[tuple[Any, str, int]]:
        if after is None:
            return order
        start = bisect_right(order, tuple(after), key=lambda e: (e[0], e[1]))
        return islice(order, start, None)

    def _filter_sets(self, query: Query) -> list[Collection[int]]:
        sets = self._sets
        found: list[Collection[int]] = [
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

    def _date_range(self, query: Query) -> tuple[int, int, Callable[[int, int], list[int]]]:
        """Where the date range lies in the date order (all of it when unbounded)."""
        lo = 0 if query.date_from is None else bisect_left(self._by_date, (query.date_from,))
        hi = len(self._by_date)
        if query.date_to is not None:
            hi = bisect_right(self._by_date, query.date_to, key=lambda e: e[0])
        return lo, hi, lambda i, j: [doc for _, _, doc in self._by_date[i:j]]

    def _price_range(self, query: Query) -> tuple[int, int, Callable[[int, int], set[int]]]:
        """Where the price range lies among all seat-type prices (all when unbounded)."""
        lo = 0 if query.min_price is None else bisect_left(self._prices, (query.min_price, -1))
        hi = len(self._prices)
        if query.max_price is not None:
            hi = bisect_right(self._prices, query.max_price, key=lambda e: e[0])
        return lo, hi, lambda i, j: {doc for _, doc in self._prices[i:j]}

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
        fresh = SearchIndex(self._heap_factor, self._walk_share)
        fresh.extend(self._docs[doc] for doc in self._doc_of.values())  # type: ignore[misc]
        fresh._taken = self._taken
        fresh._venue_seats = self._venue_seats
        self.__dict__.update(fresh.__dict__)
