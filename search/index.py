"""The in-memory search index of one ingress: pure, no I/O; fed by search.feeder."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from search.columns import Columns, Ints, Mask, Orders
from search.listing import Listing
from search.postings import Postings
from search.query import Key, Query, sort_key
from search.text import query_tokens


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
    filters, word postings for `q` and numpy columns (search.columns) for the rest. Replacing
    a listing gives it a new document number."""

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
        self._cols = Columns()
        self._orders: Orders | None = None  # made by the first search, then kept in step
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
        self._cols.append(doc, listing.starts_at, self.seats_left(listing))
        for name, values in self._values(listing):
            for value in values:
                self._sets[name].setdefault(value, set()).add(doc)
        self._text.add(doc, listing)
        if bulk:  # sorted once at the end; the arrays are made again by the next search
            self._by_date.append((listing.starts_at, listing.event_id, doc))
            self._by_price.append((listing.min_price, listing.event_id, doc))
            self._prices += [(price, doc) for _, price in listing.prices]
            self._orders = None
            return
        orders = self._orders
        date = _insert(self._by_date, (listing.starts_at, listing.event_id, doc))
        price = _insert(self._by_price, (listing.min_price, listing.event_id, doc))
        if orders is not None:
            orders.add(doc, date, price)
            orders.forget_members(self._values(listing))
        for _, amount in listing.prices:
            at = _insert(self._prices, (amount, doc))
            if orders is not None:
                orders.add_price(at, amount, doc)

    def take_seats(self, event_id: str, seat_ids: Iterable[str]) -> None:
        self._taken.setdefault(event_id, set()).update(seat_ids)
        self._recount(self._doc_of.get(event_id))

    def free_seats(self, event_id: str, seat_ids: Iterable[str]) -> None:
        self._taken.get(event_id, set()).difference_update(seat_ids)
        self._recount(self._doc_of.get(event_id))

    def count_venue_seats(self, venue_id: str, capacity: int) -> None:
        """The venue has `capacity` seats: seats are only ever added, so the highest count
        heard (here or in a listing) is the current one, whatever order counts arrive in."""
        self._venue_seats[venue_id] = max(capacity, self._venue_seats.get(venue_id, 0))
        for doc in self._sets["venue"].get(venue_id, ()):
            self._recount(doc)

    def _recount(self, doc: int | None) -> None:
        """Keep the seats-left column of `doc` (if indexed) as seats_left says."""
        listing = None if doc is None else self._docs[doc]
        if doc is not None and listing is not None:
            self._cols.set_left(doc, self.seats_left(listing))

    def seats_left(self, listing: Listing) -> int | None:
        counted = self._venue_seats.get(listing.venue_id)
        if listing.capacity is None and counted is None:
            return None
        capacity = max(listing.capacity or 0, counted or 0)
        return max(0, capacity - len(self._taken.get(listing.event_id, ())))

    def search(self, query: Query) -> Page:
        """One page of listings matching `query`, after `query.after`, in its sort order.

        Every filter, the text and the cursor become masks over all documents (vectorised, so a
        common word or a wide range costs the same few passes as a rare one); only the page's
        listings are then looked at one by one."""
        cols, orders = self._cols, self._ordered()
        words = query_tokens(query.q)
        scores = self._text.score_vector(words, cols.size) if words else None
        keep = cols.alive.copy()
        if scores is not None:
            keep &= scores > 0
        for part in self._filter_masks(query, orders):
            keep &= part
        if query.date_from is not None:
            keep &= cols.starts >= query.date_from
        if query.date_to is not None:
            keep &= cols.starts <= query.date_to
        if query.min_price is not None or query.max_price is not None:
            keep &= orders.price_mask(query.min_price, query.max_price, cols.size)
        if query.available is not None:
            keep &= cols.left > 0 if query.available else cols.left == 0
        rank = orders.by_price if query.sort == "price" else orders.by_date
        relevance = query.sort == "relevance" and scores is not None
        if query.after is not None:
            keep &= self._after(query, orders, scores if relevance else None)
        docs = np.flatnonzero(keep)
        key = rank[docs]
        if relevance and scores is not None:  # best score first, then by date
            key = (scores.max(initial=0) - scores[docs]) * (cols.size + 1) + key
        wanted = query.limit + 1
        if len(docs) > wanted:
            first = np.argpartition(key, wanted - 1)[:wanted]
            docs, key = docs[first], key[first]
        hits = [self._hit(query, int(doc), scores) for doc in docs[np.argsort(key)]]
        return Page(hits[: query.limit], len(hits) > query.limit)

    def _ordered(self) -> Orders:
        if self._orders is None:
            self._orders = Orders(self._by_date, self._by_price, self._prices, self._cols.size)
        return self._orders

    def _after(self, query: Query, orders: Orders, scores: Ints | None) -> Mask:
        """Documents whose sort key comes after the cursor's (keys are unique, so a document
        is after it exactly when its place in the order is past where the cursor would go)."""
        assert query.after is not None  # noqa: S101 - only called with a cursor
        after = tuple(query.after)
        price = query.sort == "price"
        order = self._by_price if price else self._by_date
        past = bisect_right(order, after[-2:], key=lambda e: (e[0], e[1]))
        later: Mask = (orders.by_price if price else orders.by_date) >= past
        if scores is None:
            return later
        score: float = -after[0]
        after_it: Mask = (scores < score) | ((scores == score) & later)
        return after_it

    def _filter_masks(self, query: Query, orders: Orders) -> Iterator[Mask]:
        mask = self._cols.mask
        for name, value in (
            ("city", query.city),
            ("venue", query.venue_id),
            ("artist", query.artist),
        ):
            if value is not None:
                yield mask(self._members(orders, name, value))
        if query.tags and query.tag_mode == "all":
            yield from (mask(self._members(orders, "tag", t)) for t in query.tags)
        elif query.tags:
            yield mask(np.concatenate([self._members(orders, "tag", t) for t in query.tags]))

    def _members(self, orders: Orders, name: str, value: str) -> Ints:
        """The documents whose field `name` holds `value`, as an array kept with `orders`."""
        found = orders.members.get((name, value))
        if found is None:
            docs = self._sets[name].get(value, set())
            found = orders.members[name, value] = np.fromiter(docs, np.int64, len(docs))
        return found

    def _hit(self, query: Query, doc: int, scores: Ints | None) -> Hit:
        listing = self._docs[doc]
        assert listing is not None  # noqa: S101 - only live documents pass the masks
        score = int(scores[doc]) if scores is not None else 0
        return Hit(listing, sort_key(query.sort, listing, score), self.seats_left(listing))

    @staticmethod
    def _values(listing: Listing) -> Iterator[tuple[str, Iterable[str]]]:
        yield "city", (listing.city_key,)
        yield "venue", (listing.venue_id,)
        yield "artist", listing.artist_keys
        yield "tag", listing.tag_keys

    def _forget(self, doc: int, listing: Listing) -> None:
        self._docs[doc] = None
        self._cols.kill(doc)
        orders = self._orders
        date = _delete(self._by_date, (listing.starts_at, listing.event_id, doc))
        price = _delete(self._by_price, (listing.min_price, listing.event_id, doc))
        if orders is not None:
            orders.remove(date, price)
            orders.forget_members(self._values(listing))
        for _, amount in listing.prices:
            at = _delete(self._prices, (amount, doc))
            if orders is not None:
                orders.remove_price(at)
        for name, values in self._values(listing):
            for value in values:
                self._sets[name][value].discard(doc)

    def _compact(self) -> None:
        """Renumber the live listings, dropping replaced ones from the word postings."""
        fresh = SearchIndex()
        fresh._taken = self._taken  # before the listings, so their seats-left columns use them
        fresh._venue_seats = self._venue_seats
        fresh.extend(self._docs[doc] for doc in self._doc_of.values())  # type: ignore[misc]
        self.__dict__.update(fresh.__dict__)


def _insert(order: list[Any], entry: Any) -> int:
    """Put `entry` in its place in the sorted `order`; that place."""
    at = bisect_left(order, entry)
    order.insert(at, entry)
    return at


def _delete(order: list[Any], entry: Any) -> int:
    """Take `entry` out of the sorted `order`; where it was."""
    at = bisect_left(order, entry)
    del order[at]
    return at
