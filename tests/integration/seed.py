"""Events written straight into Cassandra, as the ingress writes them."""

from __future__ import annotations

from datetime import UTC, datetime

from infra.cassandra import connect
from infra.settings import Settings
from seating.ids import new_id
from topics.partitioning import seat_partition


def seed_event(
    settings: Settings, rows: str = "ABCDEFGHIJ", per_row: int = 10, ttl: int = 180
) -> tuple[str, list[str]]:
    """An event on a new venue of one seat type; returns its id and seat ids."""
    session = connect(settings)
    try:
        venue_id, event_id = new_id(), new_id()
        seat_ids = []
        insert = session.prepare(
            "INSERT INTO venue_seats (venue_id, seat_id, row, number, seat_type) "
            "VALUES (?, ?, ?, ?, ?)"
        )
        for row in rows:
            for number in range(1, per_row + 1):
                seat_id = f"{row}-{number}"
                seat_ids.append(seat_id)
                session.execute(insert, (venue_id, seat_id, row, number, "Regular"))
        session.execute(
            "INSERT INTO venues (venue_id, owner_id, name, city, seat_types) "
            "VALUES (%s, 'org', 'Hall', 'Oslo', ['Regular'])",
            (venue_id,),
        )
        session.execute(
            "INSERT INTO events (event_id, venue_id, owner_id, name, prices, hold_ttl_seconds, "
            "starts_at, created_at) VALUES (%s, %s, 'org', 'Gig', {'Regular': 10.0}, %s, %s, %s)",
            (event_id, venue_id, ttl, datetime(2030, 1, 1, tzinfo=UTC), datetime.now(UTC)),
        )
        return event_id, seat_ids
    finally:
        session.cluster.shutdown()


def persisted_holds(settings: Settings, event_id: str) -> list[dict[str, object]]:
    """Every hold of the event as its owner persisted it."""
    import orjson

    session = connect(settings)
    try:
        rows = session.execute(
            "SELECT data FROM seat_state WHERE shard = %s AND event_id = %s AND kind = 'hold'",
            (seat_partition(event_id), event_id),
        )
        return [orjson.loads(r["data"]) for r in rows]
    finally:
        session.cluster.shutdown()
