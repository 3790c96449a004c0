"""The ingress's read model of seat maps and event pages: each event read is loaded once from
Cassandra, then kept current in memory from the booking events this ingress follows (through
the search feeder) and the outcomes of the commands it sent, so GET /events/{id} and
/events/{id}/seats need no Cassandra read, and the live page's stream is pushed each change.

Read-your-writes: an outcome is applied when the reply arrives, before the request that sent
the command answers. Messages for an event being loaded are kept and applied on top of what
the load read, so nothing decided during the load is missed (replaying is harmless: holds only
move forward, see view.py)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from infra.cassandra import Row, Statements
from ingress.live.changes import apply_event, apply_outcome, apply_stored
from ingress.live.view import SeatView
from seating import Hold
from tables import event_state, events, venues
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1

Change = Callable[[SeatView], set[str]]


class Source(Protocol):
    """Where a cold read model reads an event (Cassandra; a fake in unit tests)."""

    async def event(self, event_id: str) -> Row | None: ...
    async def venue_seats(self, venue_id: str) -> list[Row]: ...
    async def holds(self, event_id: str) -> list[Hold]: ...


@dataclass
class CassandraSource:
    q: Statements

    async def event(self, event_id: str) -> Row | None:
        return await events.read(self.q, event_id)

    async def venue_seats(self, venue_id: str) -> list[Row]:
        return await venues.seats(self.q, venue_id)

    async def holds(self, event_id: str) -> list[Hold]:
        return await event_state.holds(self.q, event_id)


@dataclass(frozen=True)
class Rendered:
    """A response body, its ETag, and what it was rendered from."""

    body: bytes
    etag: str
    key: tuple[int, int]  # (the view's version, the venue's generation)
    until: float | None  # when a held seat in it lapses


@dataclass
class Entry:
    """One event: its row as GET /events/{id} shows it, and its seats."""

    event: dict[str, Any]
    view: SeatView = field(default_factory=SeatView)
    rendered: dict[str, Rendered] = field(default_factory=dict)


@dataclass(eq=False)  # hashed by identity: a set of watchers per event
class Watcher:
    """A live page's stream: the seats changed since it last sent, or a whole new map."""

    changed: set[str] = field(default_factory=set)
    reload: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class SeatMaps:
    """Events and venues read so far, kept current; their responses rendered once per change."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._entries: dict[str, Entry] = {}
        self._pending: dict[str, list[Change]] = {}
        self._loads: dict[str, asyncio.Future[Entry | None]] = {}
        self._venues: dict[str, list[Row]] = {}
        self._venue_generation: dict[str, int] = {}
        self._watchers: dict[str, set[Watcher]] = {}

    # -- reads -------------------------------------------------------------------------------

    async def entry(self, event_id: str) -> Entry | None:
        """The event (loaded once), or None when there is no such event."""
        found = self._entries.get(event_id)
        if found is not None:
            return found
        load = self._loads.get(event_id)
        if load is None:
            self._pending[event_id] = []  # from now on: what the load may not have read
            load = self._loads[event_id] = asyncio.ensure_future(self._load(event_id))
            load.add_done_callback(lambda _: self._loads.pop(event_id, None))
        return await asyncio.shield(load)

    async def seats_of(self, entry: Entry) -> list[Row]:
        """The venue's seats, sorted by row and number (read again after seats were added)."""
        venue_id: str = entry.event["venue_id"]
        seats = self._venues.get(venue_id)
        if seats is None:
            generation = self._venue_generation.get(venue_id, 0)
            seats = sorted(
                await self.source.venue_seats(venue_id), key=lambda s: (s["row"], s["number"])
            )
            if self._venue_generation.get(venue_id, 0) == generation:
                self._venues[venue_id] = seats
        return seats

    async def seat_map(self, entry: Entry, now: float) -> list[dict[str, Any]]:
        """Every seat of the event with its price and status at `now`."""
        prices = entry.event["prices"]
        status = entry.view.status
        return [
            {
                "seat_id": s["seat_id"],
                "row": s["row"],
                "number": s["number"],
                "seat_type": s["seat_type"],
                "price": prices.get(s["seat_type"]),
                "status": status(s["seat_id"], now)[0],
            }
            for s in await self.seats_of(entry)
        ]

    async def live_seats(
        self, entry: Entry, now: float, only: set[str] | None = None
    ) -> list[dict[str, Any]]:
        """What the live page's stream sends: the seat map, or the seats in `only`, each with
        `expires_at` (seconds) while held, so the page lets it lapse on time by itself."""
        items = []
        for seat in await self.seat_map(entry, now):
            if only is None or seat["seat_id"] in only:
                seat["expires_at"] = entry.view.status(seat["seat_id"], now)[1]
                items.append(seat)
        return items

    async def render(self, entry: Entry, kind: str, now: float) -> Rendered:
        """The body of GET /events/{id}/seats (`seats`) or /events/{id} (`event`) at `now`,
        rendered again only after a change or when a held seat lapsed."""
        seats = await self.seats_of(entry)
        key = (entry.view.version, self._venue_generation.get(entry.event["venue_id"], 0))
        cached = entry.rendered.get(kind)
        if cached and cached.key == key and (cached.until is None or now < cached.until):
            return cached
        items = await self.seat_map(entry, now)
        if kind == "seats":
            content: dict[str, Any] = {"event_id": entry.event["event_id"], "seats": items}
        else:
            left = dict.fromkeys(entry.event["prices"], 0)
            for seat in items:
                if seat["status"] == "available":
                    left[seat["seat_type"]] = left.get(seat["seat_type"], 0) + 1
            content = entry.event | {"seats_left": left, "capacity": len(seats)}
        body = orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
        etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
        rendered = entry.rendered[kind] = Rendered(body, etag, key, entry.view.next_lapse(now))
        return rendered

    # -- changes -------------------------------------------------------------------------------

    def booking_event(self, message: BookingEventV1) -> None:
        """A booking event from the topic."""
        self._change(message.event_id, lambda view: apply_event(view, message))

    def outcome(self, outcome: CommandOutcomeV1) -> None:
        """The outcome of a command this ingress sent, as its reply arrives."""
        self._change(outcome.event_id, lambda view: apply_outcome(view, outcome))

    def venue_seats_counted(self, venue_id: str) -> None:
        """Seats were added to the venue: read them again, and tell the live pages."""
        self._venue_generation[venue_id] = self._venue_generation.get(venue_id, 0) + 1
        self._venues.pop(venue_id, None)
        for event_id, entry in self._entries.items():
            if entry.event["venue_id"] == venue_id:
                for watcher in self._watchers.get(event_id, ()):
                    watcher.reload = True
                    watcher.wake.set()

    def _change(self, event_id: str, change: Change) -> None:
        entry = self._entries.get(event_id)
        if entry is not None:
            self._notify(event_id, change(entry.view))
        elif event_id in self._pending:
            self._pending[event_id].append(change)
        # else: never read here; a first read loads it from Cassandra, which already has it

    # -- live pages ----------------------------------------------------------------------------

    def watch(self, event_id: str) -> Watcher:
        watcher = Watcher()
        self._watchers.setdefault(event_id, set()).add(watcher)
        return watcher

    def unwatch(self, event_id: str, watcher: Watcher) -> None:
        watchers = self._watchers.get(event_id, set())
        watchers.discard(watcher)
        if not watchers:
            self._watchers.pop(event_id, None)

    def _notify(self, event_id: str, changed: set[str]) -> None:
        if not changed:
            return
        for watcher in self._watchers.get(event_id, ()):
            watcher.changed |= changed
            watcher.wake.set()

    async def _load(self, event_id: str) -> Entry | None:
        try:
            row = await self.source.event(event_id)
            if row is None:
                return None
            holds = await self.source.holds(event_id)
            entry = Entry(row | {"prices": dict(row["prices"] or {})})
            for hold in holds:
                apply_stored(entry.view, hold)
            for change in self._pending[event_id]:
                change(entry.view)
            self._entries[event_id] = entry
            return entry
        finally:
            del self._pending[event_id]
