"""Demo data over the HTTP API: an arena of 2,000 seats, several events, users, a curl to try."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

ARENA = "Evently Arena"
ROWS = "ABCDEFGHIJKLMNOPQRST"
SEATS_PER_ROW = 100
EVENTS = [
    (
        "Metallica World Tour",
        ["Metallica"],
        ["metal", "rock"],
        {"VIP": 250.0, "Premium": 150.0, "Regular": 90.0},
    ),
    (
        "Taylor Swift: The Eras Tour",
        ["Taylor Swift"],
        ["pop"],
        {"VIP": 300.0, "Premium": 180.0, "Regular": 110.0},
    ),
    (
        "Montreux Jazz Festival Night",
        ["Herbie Hancock", "Norah Jones"],
        ["jazz", "festival"],
        {"VIP": 120.0, "Premium": 80.0, "Regular": 45.0},
    ),
    (
        "Berlin Philharmonic: Beethoven 9",
        ["Berliner Philharmoniker"],
        ["classical"],
        {"VIP": 180.0, "Premium": 120.0, "Regular": 60.0},
    ),
    (
        "Stand-up Comedy Gala",
        ["Ali Wong", "Trevor Noah"],
        ["comedy"],
        {"VIP": 90.0, "Premium": 60.0, "Regular": 35.0},
    ),
]


def seat_type_of(row: str) -> str:
    index = ROWS.index(row)
    return "VIP" if index < 3 else "Premium" if index < 10 else "Regular"


def seed(base_url: str, admin_token: str) -> dict[str, Any]:
    """Create the demo data (the arena and its events only once); returns tokens and ids."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=base_url, timeout=30.0) as http:
        organizer = _user(http, admin, "Demo Organizer", "organizer")
        arena = _complete_arena(http) or _build_arena(
            http, {"Authorization": f"Bearer {organizer['token']}"}
        )
        events = _arena_events(http, arena["venue_id"])
        if not events:  # the arena's owner or, for an older arena, the admin creates them
            owner = organizer if arena["owner_id"] == organizer["user_id"] else None
            headers = {"Authorization": f"Bearer {owner['token']}"} if owner else admin
            _create_events(http, headers, arena["venue_id"])
            events = _arena_events(http, arena["venue_id"])
        customers = [_user(http, {}, f"Demo Fan {i}", "customer") for i in (1, 2, 3)]
    return {"venue": arena, "events": events, "customers": customers, "organizer": organizer}


def _complete_arena(http: httpx.Client) -> dict[str, Any] | None:
    """An arena from an earlier run that has all its seats."""
    for venue in http.get("/venue", params={"limit": 500}).json()["items"]:
        if venue["name"] == ARENA:
            full = http.get(f"/venue/{venue['venue_id']}").json()
            if full.get("seat_count") == len(ROWS) * SEATS_PER_ROW:
                return dict(full)
    return None


def _build_arena(http: httpx.Client, org: dict[str, str]) -> dict[str, Any]:
    arena = _post(
        http,
        "/venue",
        org,
        {
            "name": ARENA,
            "city": "Berlin",
            "address": "Alexanderplatz 1",
            "seat_types": ["VIP", "Premium", "Regular"],
        },
    )
    for row in ROWS:  # a row a request keeps each body small
        seats = [
            {"row": row, "number": n, "seat_type": seat_type_of(row)}
            for n in range(1, SEATS_PER_ROW + 1)
        ]
        _post(http, f"/venue/{arena['venue_id']}/seats", org, {"seats": seats})
    return arena


def _arena_events(http: httpx.Client, venue_id: str) -> list[dict[str, Any]]:
    items = http.get("/events", params={"venue_id": venue_id, "limit": 500}).json()["items"]
    return list(items)


def _create_events(http: httpx.Client, headers: dict[str, str], venue_id: str) -> None:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14)
    for index, (name, artists, tags, prices) in enumerate(EVENTS):
        _post(
            http,
            "/events",
            headers,
            {
                "venue_id": venue_id,
                "name": name,
                "description": f"{name}, live at the {ARENA}.",
                "artists": artists,
                "tags": tags,
                "prices": prices,
                "starts_at": (start + timedelta(days=7 * index)).isoformat(),
            },
        )


def _user(http: httpx.Client, headers: dict[str, str], name: str, role: str) -> dict[str, Any]:
    email = f"{name.lower().replace(' ', '.')}.{uuid.uuid4().hex[:8]}@demo.evently.dev"
    return _post(http, "/user", headers, {"name": name, "email": email, "role": role})


def _post(
    http: httpx.Client, path: str, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    response = http.post(path, headers=headers, json=body)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def curl_examples(base_url: str, demo: dict[str, Any]) -> str:
    """Ready-to-paste commands for the first demo customer."""
    token = demo["customers"][0]["token"]
    event_id = demo["events"][0]["event_id"]
    auth = f"-H 'Authorization: Bearer {token}'"
    return "\n".join(
        [
            f"curl -s {base_url}/events",
            f"curl -s {base_url}/events/{event_id}/seats | head -c 400",
            f"curl -s -X POST {base_url}/events/{event_id}/hold {auth} "
            '-H \'Content-Type: application/json\' -d \'{"seat_type": "VIP", "quantity": 2}\'',
            f"curl -s -X POST {base_url}/<holding_id>/confirm {auth} "
            "-H 'Content-Type: application/json' -d '{\"payment_token\": \"tok_ok\"}'",
        ]
    )
