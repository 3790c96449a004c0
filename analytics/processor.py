"""Applies booking events to the hold table and keeps each event's tally, then materialises it.

The hold table (a faust Table in production, a dict in unit tests) is the only state that must
survive a restart: each event's tally is rebuilt from it on first use."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from analytics.figures import HoldFacts, Tally, key_of, minute_of, step
from analytics.report import Row, to_rows
from topics.events import BookingEventV1

Sink = Callable[[str, list[Row]], Awaitable[None]]
Capacity = Callable[[str], Awaitable[int]]


@dataclass
class Changed:
    """Which rows of an event one message touched."""

    seats: set[str]
    users: set[str]
    minutes: set[int]

    @classmethod
    def of(cls, *holds: HoldFacts | None) -> Changed:
        present = [h for h in holds if h is not None]
        return cls(
            {s for h in present for s, _, _ in h.seats},
            {h.user_id for h in present},
            {minute_of(h.confirmed_at) for h in present if h.confirmed_at is not None},
        )


class Processor:
    """Per-event tallies over the hold table; one lock per event orders its writes."""

    def __init__(
        self, holds: MutableMapping[str, Any], sink: Sink, capacity: Capacity, ttl: float = 30.0
    ) -> None:
        self.holds = holds
        self.sink = sink
        self.capacity = capacity
        self.capacity_ttl = ttl
        self.tallies: dict[str, Tally] = {}
        self._capacities: dict[str, tuple[float, int]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def forget(self) -> None:
        """Drop every tally (after a rebalance); they are rebuilt from the hold table."""
        self.tallies.clear()

    def apply(self, message: BookingEventV1) -> tuple[HoldFacts | None, HoldFacts | None]:
        """Record `message` in the hold table and the tally (synchronous: the table write must
        happen in the stream iteration). Returns the hold before and after; after is None for
        a duplicate or an event about an unknown hold."""
        self._tally(message.event_id)
        key = key_of(message)
        stored = self.holds.get(key)
        old = HoldFacts.from_json(stored) if stored is not None else None
        new = step(old, message)
        if new is not None:
            self.holds[key] = new.to_json()
            tally = self.tallies[message.event_id]
            if old is not None:
                tally.add(old, -1)
            tally.add(new)
        return old, new

    async def materialise(self, event_id: str, changed: Changed | None, at: float) -> None:
        """Write the event's summary and the `changed` rows (every row when None)."""
        async with self._locks.setdefault(event_id, asyncio.Lock()):
            tally = self._tally(event_id)
            if changed is None:
                changed = Changed(set(tally.seats), set(tally.users), set(tally.minutes))
            meta = {
                "capacity": await self._capacity(event_id),
                "updated_at": time.time(),
                "last_event_at": at,
            }
            await self.sink(event_id, to_rows(tally, meta, *vars(changed).values()))

    async def handle(self, message: BookingEventV1) -> None:
        """Apply then materialise one message (a duplicate re-writes the summary, healing a
        write lost in a crash)."""
        fresh = message.event_id not in self.tallies
        old, new = self.apply(message)
        changed = None if fresh else Changed.of(old, new)
        await self.materialise(message.event_id, changed, message.occurred_at.timestamp())

    def events_known(self) -> set[str]:
        return {v["event_id"] for v in self.holds.values()}

    def _tally(self, event_id: str) -> Tally:
        tally = self.tallies.get(event_id)
        if tally is None:
            tally = self.tallies[event_id] = Tally()
            for value in list(self.holds.values()):
                if value["event_id"] == event_id:
                    tally.add(HoldFacts.from_json(value))
        return tally

    async def _capacity(self, event_id: str) -> int:
        now = time.monotonic()
        cached = self._capacities.get(event_id)
        if cached is None or now - cached[0] > self.capacity_ttl:
            cached = self._capacities[event_id] = (now, await self.capacity(event_id))
        return cached[1]
