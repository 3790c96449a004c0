"""Benchmark data: buyers written straight to Cassandra, venues and events over the API."""

from __future__ import annotations

import hashlib
import string
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
from cassandra.cluster import Session

import tables.users

ROW_NAMES = [*string.ascii_uppercase, *(a + b for a in "ABCD" for b in string.ascii_uppercase)]


@dataclass(frozen=True)
class Buyer:
    user_id: str
    headers: dict[str, str]


@dataclass
class Layout:
    """An event's seats by type and row, as the load generator sees them."""

    event_id: str
    rows: dict[str, list[str]]  # row name -> seat ids in number order
    seat_types: dict[str, str]  # row name -> seat type

    @property
    def capacity(self) -> int:
        return sum(len(r) for r in self.rows.values())


def make_buyers(session: Session, count: int) -> list[Buyer]:
    """`count` customers with tokens, inserted directly (sign-up is not what we measure)."""
    now = datetime.now(UTC)
    buyers, users, tokens = [], [], []
    for index in range(count):
        user_id, token = uuid.uuid4().hex, f"evt_bench_{uuid.uuid4().hex}"
        buyers.append(Buyer(user_id, {"Authorization": f"Bearer {token}"}))
        email = f"{user_id}@bench.evently.dev"
        users.append((user_id, f"Buyer {index}", email, "customer", now))
        tokens.append((hashlib.sha256(token.encode()).hexdigest(), user_id, "customer"))
    tables.users.insert_many_now(session, users, tokens)
    return buyers


async def make_venue(
    http: aiohttp.ClientSession, admin: dict[str, str], rows: int, per_row: int, vip_rows: int
) -> tuple[str, dict[str, list[str]], dict[str, str]]:
    """A venue of `rows` x `per_row` seats, the first `vip_rows` rows VIP, the rest Regular."""
    venue = await _post(
        http,
        "/venue",
        admin,
        {"name": "Bench Arena", "city": "Porto", "seat_types": ["VIP", "Regular"]},
    )
    names = ROW_NAMES[:rows]
    types = {row: "VIP" if i < vip_rows else "Regular" for i, row in enumerate(names)}
    seats = [
        {"row": row, "number": n, "seat_type": types[row]}
        for row in names
        for n in range(1, per_row + 1)
    ]
    for start in range(0, len(seats), 1000):  # bodies are limited to 64 KiB
        await _post(
            http, f"/venue/{venue['venue_id']}/seats", admin, {"seats": seats[start : start + 1000]}
        )
    layout = {row: [f"{row}-{n}" for n in range(1, per_row + 1)] for row in names}
    return venue["venue_id"], layout, types


async def make_event(
    http: aiohttp.ClientSession,
    admin: dict[str, str],
    venue: tuple[str, dict[str, list[str]], dict[str, str]],
    name: str,
    ttl: int = 900,
    extra: dict[str, Any] | None = None,
) -> Layout:
    """An event at `venue` (`extra`: more fields of POST /events, e.g. a waiting room)."""
    venue_id, rows, types = venue
    event = await _post(
        http,
        "/events",
        admin,
        {
            "venue_id": venue_id,
            "name": name,
            "description": "a benchmark night of loud music",
            "artists": ["The Load Generators"],
            "tags": ["bench", "rock" if hash(name) % 2 else "jazz"],
            "starts_at": "2031-06-01T20:00:00Z",
            "prices": {"VIP": 150.0, "Regular": 60.0},
            "hold_ttl_seconds": ttl,
        }
        | (extra or {}),
    )
    return Layout(event["event_id"], rows, types)


async def _post(
    http: aiohttp.ClientSession, path: str, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    async with http.post(path, json=body, headers=headers) as response:
        data: dict[str, Any] = await response.json()
        if response.status != 201:
            raise RuntimeError(f"POST {path}: {response.status} {data}")
        return data
