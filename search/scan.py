"""The naive way: check every listing against every filter, one by one. The reference the
index is tested against, and the baseline the benchmark measures it against."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from search.listing import Listing
from search.query import Key, Query, sort_key
from search.text import query_tokens, similarity, tokens

SeatsLeft = Callable[[Listing], int | None]


def text_score(listing: Listing, words: tuple[str, ...]) -> int | None:
    """Sum over query words of the best similarity x weight (3 name/artists, 1 description),
    in the index's integer units; None when some word matches nothing."""
    strong = set(tokens(" ".join((listing.name, *listing.artists))))
    weak = set(tokens(listing.description)) - strong
    total = 0
    for word in words:
        best = max(
            [round(similarity(word, t) * 1000) * 3 for t in strong]
            + [round(similarity(word, t) * 1000) for t in weak]
            + [0]
        )
        if not best:
            return None
        total += best
    return total


def matches(query: Query, listing: Listing, left: int | None) -> bool:
    """Every filter of `query` except the text, checked directly."""
    checks = [
        query.date_from is None or listing.starts_at >= query.date_from,
        query.date_to is None or listing.starts_at <= query.date_to,
        query.city is None or listing.city_key == query.city,
        query.venue_id is None or listing.venue_id == query.venue_id,
        query.artist is None or query.artist in listing.artist_keys,
        query.available is None or (left is not None and (left > 0) == query.available),
    ]
    if query.tags:
        wanted = set(query.tags)
        have = wanted & listing.tag_keys
        checks.append(have == wanted if query.tag_mode == "all" else bool(have))
    if query.min_price is not None or query.max_price is not None:
        lo = query.min_price if query.min_price is not None else float("-inf")
        hi = query.max_price if query.max_price is not None else float("inf")
        checks.append(any(lo <= p <= hi for _, p in listing.prices))
    return all(checks)


def scan(query: Query, listings: Iterable[Listing], seats_left: SeatsLeft) -> list[Key]:
    """Sort keys of every listing matching `query` after its cursor, in order (no limit)."""
    words = query_tokens(query.q)
    found = []
    for listing in listings:
        score = text_score(listing, words) if words else 0
        if score is None or not matches(query, listing, seats_left(listing)):
            continue
        key = sort_key(query.sort, listing, score)
        if query.after is None or key > tuple(query.after):
            found.append(key)
    return sorted(found)
