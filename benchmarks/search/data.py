"""Generated catalogue: realistic names, artists, tags, cities, dates and prices (seeded)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from seating.ids import new_id

FAMOUS = (
    "Metallica|Taylor Swift|Beyoncé|Coldplay|Adele|Ed Sheeran|Rosalía|Bad Bunny|Dua Lipa|"
    "Iron Maiden|Sigur Rós|Björk|Mariza|Ana Moura|Daft Punk|Kendrick Lamar|Billie Eilish|"
    "The Weeknd|Arctic Monkeys|Foo Fighters|Måneskin|Stromae|Caetano Veloso|Gilberto Gil|ABBA"
).split("|")
SYLLABLES = "ka lo mi ra ven tor sel an dra bel co ny ju mar tin sol ez vi qua ré zo lu phi".split()
BANDS = "Wolves Echoes Parade Collective Quartet Orchestra Brothers Sound".split()
GENRES = (
    "rock jazz pop metal fado classical hip-hop electronic indie folk blues reggae opera "
    "comedy theatre family latin soul"
).split()
CITIES = (
    "Lisbon|Porto|Madrid|Barcelona|Paris|Berlin|München|Zürich|London|Dublin|Amsterdam|"
    "Brussels|Wien|Praha|Kraków|Roma|Milano|Athína|Istanbul|København|Stockholm|Oslo|"
    "Helsinki|Reykjavík|New York|São Paulo|México|Bogotá|Montréal|Tokyo"
).split("|")
SHOWS = (
    "World Tour|Live|Unplugged|Festival|Night|Sessions|in Concert|Farewell Tour|"
    "Greatest Hits|Summer Nights|Anniversary Show|Gala"
).split("|")
FILLER = (
    "an unforgettable evening with special guests, a brand new stage production and songs "
    "old and new under the lights of the city with food trucks and late bars open doors "
    "early seating numbered all ages welcome accessible venue"
).split()
SEAT_TYPES = ["VIP", "Premium", "Regular", "Balcony"]
KINDS = ["Arena", "Hall", "Club", "Stadium"]


@dataclass(frozen=True)
class Venue:
    venue_id: str
    name: str
    city: str
    seats: int


def artist_name(rng: random.Random) -> str:
    first = "".join(rng.choices(SYLLABLES, k=rng.randint(2, 3))).capitalize()
    if rng.random() < 0.5:
        return f"{first} {''.join(rng.choices(SYLLABLES, k=2)).capitalize()}"
    return f"{first} {rng.choice(BANDS)}"


def venues(rng: random.Random, n: int = 600) -> list[Venue]:
    return [
        Venue(new_id(), f"{city} {rng.choice(KINDS)}", city, rng.choice([0, 5, 20, 60]))
        for city in (rng.choice(CITIES) for _ in range(n))
    ]


def events(rng: random.Random, where: list[Venue], n: int) -> list[dict[str, Any]]:
    """`n` events rows (the events table's columns)."""
    artists = FAMOUS + [artist_name(rng) for _ in range(5000)]
    start = datetime(2030, 1, 1, tzinfo=UTC)
    rows = []
    for _ in range(n):
        venue = rng.choice(where)
        cast = rng.sample(artists, rng.choice([1, 1, 1, 2, 3]))
        tags = rng.sample(GENRES, rng.randint(1, 3))
        if rng.random() < 0.2:
            name = f"{venue.city} {tags[0].capitalize()} Festival {rng.randint(2030, 2032)}"
        else:
            name = f"{cast[0]} {rng.choice(SHOWS)}"
        description = " ".join([f"{tags[0]} with {', '.join(cast)}.", *rng.sample(FILLER, 15)])
        types = rng.sample(SEAT_TYPES, rng.randint(1, 4))
        rows.append(
            {
                "event_id": new_id(),
                "venue_id": venue.venue_id,
                "owner_id": "bench",
                "name": name,
                "description": description,
                "artists": cast,
                "tags": tags,
                "starts_at": start + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)),
                "prices": {t: float(rng.randrange(10, 400)) for t in types},
                "hold_ttl_seconds": 180,
                "city": venue.city,
                "venue_name": venue.name,
                "created_at": datetime.now(UTC),
            }
        )
    return rows
