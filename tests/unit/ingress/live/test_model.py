"""The read model with an in-memory source: one load per event, messages that arrive during a
load applied on top of it, outcomes applied at once, lapses, added seats, cached bodies."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import orjson

import seating
from infra.cassandra import Row
from ingress.live.model import SeatMaps
from seating import Hold, HoldStatus, SeatLine
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1

EVENT = {"event_id": "e1", "venue_id": "v1", "name": "Night", "prices": {"VIP": 10.0}}
NOW = 1_000.0


class FakeSource:
    def __init__(self) -> None:
        self.seats = [
            {"seat_id": f"A-{n}", "row": "A", "number": n, "seat_type": "VIP"} for n in (2, 1)
        ]
        self.stored: list[Hold] = []
        self.reads = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def event(self, event_id: str) -> Row | None:
        self.reads += 1
        await self.gate.wait()
        return dict(EVENT) if event_id == "e1" else None

    async def venue_seats(self, venue_id: str) -> list[Row]:
        return list(self.seats)

    async def holds(self, event_id: str) -> list[Hold]:
        return list(self.stored)


def line(seat_id: str) -> SeatLine:
    return SeatLine(seat_id, "VIP", 10.0)


def held_event(holding_id: str, expires_at: float, *seat_ids: str) -> BookingEventV1:
    event = seating.SeatsHeld(
        holding_id, "u1", tuple(map(line, seat_ids)), 10.0, expires_at - 60, expires_at
    )
    return BookingEventV1.wrap(event, event_id="e1", command_id=holding_id, index=0, at=_at())


def cancelled_event(holding_id: str, *seat_ids: str) -> BookingEventV1:
    event = seating.HoldCancelled(holding_id, "u1", tuple(map(line, seat_ids)))
    return BookingEventV1.wrap(event, event_id="e1", command_id="c" + holding_id, index=0, at=_at())


def hold_outcome(holding_id: str, status: str, *seat_ids: str) -> CommandOutcomeV1:
    result: dict[str, Any] = {
        "holding_id": holding_id,
        "event_id": "e1",
        "user_id": "u1",
        "seat_ids": list(seat_ids),
        "total_price": 10.0,
        "expires_at": datetime.fromtimestamp(NOW + 60, UTC).isoformat(),
        "status": status,
        "booking_id": None,
    }
    return CommandOutcomeV1(command_id="x", event_id="e1", status="created", result=result)


def _at() -> datetime:
    return datetime.fromtimestamp(NOW, UTC)


async def seat_statuses(maps: SeatMaps, now: float = NOW) -> dict[str, str]:
    entry = await maps.entry("e1")
    assert entry is not None
    body = orjson.loads((await maps.render(entry, "seats", now)).body)
    return {s["seat_id"]: s["status"] for s in body["seats"]}


async def test_an_unknown_event_is_none_and_a_known_one_is_read_once() -> None:
    source = FakeSource()
    maps = SeatMaps(source)
    assert await maps.entry("nope") is None
    first, second = await asyncio.gather(maps.entry("e1"), maps.entry("e1"))
    assert first is second is not None
    await maps.entry("e1")
    assert source.reads == 2  # "nope" once, e1 once


async def test_a_cold_start_shows_the_stored_holds_sorted_by_seat() -> None:
    source = FakeSource()
    source.stored = [Hold("h1", "u1", (line("A-2"),), 10.0, NOW - 60, NOW + 60)]
    booked = Hold("h0", "u1", (line("A-1"),), 10.0, NOW - 90, NOW - 30, HoldStatus.CONFIRMED)
    source.stored.append(booked)
    maps = SeatMaps(source)
    entry = await maps.entry("e1")
    assert entry is not None
    body = orjson.loads((await maps.render(entry, "seats", NOW)).body)
    assert [s["seat_id"] for s in body["seats"]] == ["A-1", "A-2"]
    assert await seat_statuses(maps) == {"A-1": "booked", "A-2": "held"}
    page = orjson.loads((await maps.render(entry, "event", NOW)).body)
    assert page["seats_left"] == {"VIP": 0} and page["capacity"] == 2
    later = orjson.loads((await maps.render(entry, "event", NOW + 60)).body)
    assert later["seats_left"] == {"VIP": 1}  # the hold lapsed at its expiry


async def test_messages_during_a_load_are_applied_on_top_of_it() -> None:
    source = FakeSource()
    source.gate.clear()
    maps = SeatMaps(source)
    loading = asyncio.ensure_future(maps.entry("e1"))
    await asyncio.sleep(0)
    maps.booking_event(held_event("h1", NOW + 60, "A-1"))
    maps.outcome(hold_outcome("h2", "held", "A-2"))
    maps.booking_event(cancelled_event("h1", "A-1"))
    maps.booking_event(held_event("h1", NOW + 60, "A-1"))  # a replay: the hold ended
    source.gate.set()
    await loading
    assert await seat_statuses(maps) == {"A-1": "available", "A-2": "held"}


async def test_outcomes_are_seen_at_once_and_change_the_etag() -> None:
    maps = SeatMaps(FakeSource())
    entry = await maps.entry("e1")
    assert entry is not None
    before = await maps.render(entry, "seats", NOW)
    assert await maps.render(entry, "seats", NOW) is before  # cached
    maps.outcome(hold_outcome("h1", "held", "A-1"))
    held = await maps.render(entry, "seats", NOW)
    assert held.etag != before.etag
    assert await seat_statuses(maps) == {"A-1": "held", "A-2": "available"}
    maps.outcome(hold_outcome("h1", "cancelled", "A-1"))
    assert (await maps.render(entry, "seats", NOW)).etag == before.etag  # same body, same tag
    maps.outcome(hold_outcome("h1", "held", "A-1"))  # an idempotent replay of the hold
    assert await seat_statuses(maps) == {"A-1": "available", "A-2": "available"}


async def test_added_seats_show_up_and_wake_the_live_pages() -> None:
    source = FakeSource()
    maps = SeatMaps(source)
    await seat_statuses(maps)
    watcher = maps.watch("e1")
    source.seats.append({"seat_id": "B-1", "row": "B", "number": 1, "seat_type": "VIP"})
    maps.venue_seats_counted("v1")
    assert watcher.reload and watcher.wake.is_set()
    assert list(await seat_statuses(maps)) == ["A-1", "A-2", "B-1"]


async def test_watchers_get_the_seats_that_changed() -> None:
    maps = SeatMaps(FakeSource())
    await maps.entry("e1")
    watcher = maps.watch("e1")
    maps.booking_event(held_event("h1", NOW + 60, "A-1", "A-2"))
    assert watcher.changed == {"A-1", "A-2"} and watcher.wake.is_set()
    maps.unwatch("e1", watcher)
    maps.booking_event(cancelled_event("h1", "A-1", "A-2"))
    assert watcher.changed == {"A-1", "A-2"}
