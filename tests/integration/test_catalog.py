"""The catalog path on the real stack: an event one ingress lists is findable on another
within 2 s; a starting ingress loads what Cassandra holds, with seats taken."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest

from infra.cassandra import Statements, connect
from infra.kafka import make_producer, topics_for
from infra.settings import Settings
from search.feeder import IndexFeeder
from search.query import Query
from seating import Hold, HoldStatus, SeatLine
from seating.ids import new_id
from tables.event_state import hold_to_row
from topics.partitioning import seat_partition

pytestmark = pytest.mark.integration
Feeders = Callable[[], Awaitable[IndexFeeder]]


@pytest.fixture
async def feeders(settings: Settings) -> AsyncIterator[Feeders]:
    """feeders() -> a started feeder, as one ingress would run it."""
    session = await asyncio.to_thread(connect, settings)
    producer = make_producer(settings, "ingress")
    await producer.start()
    started: list[IndexFeeder] = []

    async def start() -> IndexFeeder:
        feeder = IndexFeeder(settings, topics_for(settings), Statements(session), producer)
        await feeder.start()
        started.append(feeder)
        return feeder

    yield start
    for feeder in started:
        await feeder.stop()
    await producer.stop()
    session.cluster.shutdown()


def event(**fields: object) -> dict[str, object]:
    return {
        "event_id": new_id(),
        "venue_id": "v1",
        "name": "Metallica World Tour",
        "description": "heavy",
        "artists": ["Metallica"],
        "tags": ["metal"],
        "starts_at": datetime(2031, 5, 1, 20, tzinfo=UTC),
        "prices": {"GA": 80.0},
        "city": "Porto",
        "venue_name": "Arena",
        "created_at": datetime.now(UTC),
    } | fields


async def test_an_event_listed_on_one_ingress_is_found_on_another_within_2s(
    feeders: Feeders,
) -> None:
    first, second = await feeders(), await feeders()
    listed = event()
    await first.announce(listed)
    assert first.index.get(str(listed["event_id"])) is not None
    started = time.monotonic()
    while not second.index.search(Query(q="metalica")).hits:
        assert time.monotonic() - started < 2.0, "not found on the second ingress within 2 s"
        await asyncio.sleep(0.05)


async def test_a_starting_ingress_loads_events_capacity_and_taken_seats(
    settings: Settings, feeders: Feeders
) -> None:
    session = await asyncio.to_thread(connect, settings)
    q = Statements(session)
    try:
        row = event(venue_id=new_id())
        columns = ", ".join(row)
        marks = ", ".join("?" * len(row))
        await q.run(f"INSERT INTO events ({columns}) VALUES ({marks})", *row.values())  # noqa: S608
        await q.run(
            "INSERT INTO venues (venue_id, name, city) VALUES (?, 'Arena', 'Porto')",
            row["venue_id"],
        )
        for seat in ("A-1", "A-2", "A-3", "A-4", "A-5"):
            await q.run(
                "INSERT INTO venue_seats (venue_id, seat_id, row, number, seat_type) "
                "VALUES (?, ?, 'A', 1, 'GA')",
                row["venue_id"],
                seat,
            )
        now = time.time()
        # Taken: a booking, a hold in time, a confirming hold whose time is up (it cannot
        # lapse). Free: a hold whose time is up, a cancelled booking.
        holds = [
            ("A-1", HoldStatus.CONFIRMED, now - 60, False),
            ("A-2", HoldStatus.HELD, now + 60, False),
            ("A-3", HoldStatus.CONFIRMING, now - 60, False),
            ("A-4", HoldStatus.HELD, now - 1, False),
            ("A-5", HoldStatus.CONFIRMED, now - 60, True),
        ]
        for seat, status, expires_at, cancelled in holds:
            hold = Hold(
                new_id(),
                "u1",
                (SeatLine(seat, "GA", 10.0),),
                10.0,
                now - 120,
                expires_at,
                status,
                booking_cancelled=cancelled,
            )
            await q.run(
                "INSERT INTO seat_state (shard, event_id, kind, item_id, data) "
                "VALUES (?, ?, 'hold', ?, ?)",
                seat_partition(row["event_id"]),
                row["event_id"],
                hold.holding_id,
                hold_to_row(hold, []),
            )
    finally:
        session.cluster.shutdown()
    feeder = await feeders()
    hits = feeder.index.search(Query(city="porto", available=True)).hits
    assert [(h.listing.event_id, h.seats_left) for h in hits] == [(row["event_id"], 2)]
