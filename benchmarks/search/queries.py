"""The query mix: searches with typos, filters, sorts and second pages, drawn from the data."""

from __future__ import annotations

import random
from typing import Any

from benchmarks.search.data import CITIES, GENRES


def typo(rng: random.Random, word: str) -> str:
    """`word` with one letter dropped, doubled or swapped (long words only), or cut short."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return rng.choice(
        [word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:], word[: max(3, i + 1)]]
    )


def mix(
    rng: random.Random, events: list[dict[str, Any]], venue_ids: list[str], n: int
) -> list[dict[str, Any]]:
    """`n` GET /events parameter sets."""
    out = []
    for _ in range(n):
        params: dict[str, Any] = {"limit": 20}
        event = rng.choice(events)
        if rng.random() < 0.6:
            source = rng.choice([event["name"], *event["artists"]]).split()
            words = rng.sample(source, min(len(source), rng.choice([1, 2])))
            params["q"] = " ".join(typo(rng, w) if rng.random() < 0.5 else w.lower() for w in words)
        if rng.random() < 0.3:
            month = rng.randrange(24)
            params["date_from"] = f"{2030 + month // 12}-{month % 12 + 1:02d}-01"
            params["date_to"] = f"{2030 + month // 12}-{month % 12 + 1:02d}-28"
        if rng.random() < 0.3:
            low = rng.randrange(10, 300)
            params |= {"min_price": low, "max_price": low + rng.choice([20, 50, 150])}
        if rng.random() < 0.25:
            params["city"] = rng.choice(CITIES)
        if rng.random() < 0.25:
            params["tag"] = rng.sample(GENRES, rng.choice([1, 2]))
            params["tag_mode"] = rng.choice(["any", "all"])
        if rng.random() < 0.05:
            params["venue_id"] = rng.choice(venue_ids)
        if rng.random() < 0.1:
            params["artist"] = rng.choice(event["artists"])
        if rng.random() < 0.3:
            params["available"] = "true"
        params["sort"] = rng.choice(["starts_at", "price"] + ["relevance"] * ("q" in params) * 2)
        out.append(params)
    return out
