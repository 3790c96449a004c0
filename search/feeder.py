"""Keeps one ingress's index current: loads Cassandra at start, then follows the catalog and
booking-events topics (every partition, no consumer group) from offsets taken before the load,
so nothing written during the load is missed; replaying what the load already saw is harmless."""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError

import seating
from infra.cassandra import Statements
from infra.kafka import make_consumer
from infra.logs import get_logger
from infra.settings import Settings
from search.index import SearchIndex
from search.listing import Listing
from tables import event_state, events, venues
from topics.catalog import CatalogEventV1, VenueSeatsCountedV1, decode_catalog
from topics.codec import Undecodable, decode_booking_event, encode
from topics.events import BookingEventV1
from topics.names import BOOKING_EVENTS, CATALOG, Topics

log = get_logger("search.feeder")
LOAD_PAGE = 5000
FREEING = (seating.HoldCancelled, seating.HoldExpired, seating.BookingCancelled)


class Follower(Protocol):
    """Another read model fed from the same messages (the ingress's seat maps)."""

    def booking_event(self, message: BookingEventV1) -> None: ...
    def venue_seats_counted(self, venue_id: str) -> None: ...


class IndexFeeder:
    """The index of this ingress and what keeps it current."""

    def __init__(
        self,
        settings: Settings,
        topics: Topics,
        q: Statements,
        producer: AIOKafkaProducer,
        followers: tuple[Follower, ...] = (),
    ) -> None:
        self.index = SearchIndex()
        self.followers = followers
        self.topics = topics
        self._q = q
        self._producer = producer
        self._consumer = make_consumer(
            settings,
            "ingress",
            group_id=None,
            enable_auto_commit=False,
            fetch_max_wait_ms=100,
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Take the topics' end offsets, load Cassandra, then follow the topics."""
        await self._consumer.start()
        parts = [TopicPartition(topics, p) for topics, n in self._topics() for p in range(n)]
        self._consumer.assign(parts)
        for tp, offset in (await self._consumer.end_offsets(parts)).items():
            self._consumer.seek(tp, offset)
        started = time.monotonic()
        await self.load()
        log.info("index loaded", events=len(self.index), seconds=time.monotonic() - started)
        self._task = asyncio.create_task(self._follow())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    async def load(self) -> None:
        """Every event with its capacity, and the seats held or booked now."""
        capacity = await self._capacities(set(await venues.venue_ids(self._q)))
        await asyncio.to_thread(self._load_events, capacity)  # before serving: nothing races
        taken = await event_state.taken_seats(self._q, time.time())
        for event_id, seat_ids in taken.items():
            self.index.take_seats(event_id, seat_ids)

    def _load_events(self, capacity: dict[str, int]) -> None:
        """Events page by page, so rows never pile up in memory."""
        page: list[Listing] = []
        for row in events.listings_now(self._q, LOAD_PAGE):
            page.append(Listing.of(row, capacity.get(row["venue_id"])))
            if len(page) == LOAD_PAGE:
                self.index.extend(page)
                page = []
        self.index.extend(page)

    async def count_venue_seats(self, venue_id: str) -> None:
        """After seats were added: count the venue's seats, and let this and every ingress list
        each event there with them (via the catalog)."""
        # A serial read sees every seat that a conditional insert (venues.insert_seats) added.
        capacity = await venues.count_seats(self._q, venue_id, serial=True)
        message = VenueSeatsCountedV1(
            venue_id=venue_id, capacity=capacity, counted_at=datetime.now(UTC)
        )
        self._seats_counted(venue_id, capacity)
        try:
            await self._producer.send_and_wait(
                self.topics.catalog, encode(message), key=venue_id.encode()
            )
        except KafkaError as exc:  # the seats exist; other instances count them when they load
            log.error("catalog publish failed", venue_id=venue_id, error=str(exc))

    async def announce(self, event: dict[str, Any]) -> None:
        """List a new or changed event here at once, and on every ingress via the catalog."""
        capacity = (await self._capacities({event["venue_id"]})).get(event["venue_id"])
        message = CatalogEventV1(
            **{k: event[k] for k in CatalogEventV1.model_fields if k in event},
            capacity=capacity,
            changed_at=event.get("created_at") or datetime.now(UTC),
        )
        self.index.upsert(Listing.of(message.model_dump()))
        try:
            await self._producer.send_and_wait(
                self.topics.catalog, encode(message), key=event["event_id"].encode()
            )
        except KafkaError as exc:  # the event exists; other instances list it when they load
            log.error("catalog publish failed", event_id=event["event_id"], error=str(exc))

    def apply(self, topic: str, key: bytes | None, value: bytes | None) -> None:
        """One message from the catalog or booking-events topic; unreadable ones are skipped."""
        try:
            if topic == self.topics.catalog:
                message = decode_catalog(value or b"")
                if isinstance(message, VenueSeatsCountedV1):
                    self._seats_counted(message.venue_id, message.capacity)
                else:
                    self.index.upsert(Listing.of(message.model_dump()))
            else:
                self._apply_booking(decode_booking_event(key, value))
        except (ValidationError, ValueError, Undecodable) as exc:
            log.warning("unreadable message skipped", topic=topic, error=str(exc)[:200])

    def _seats_counted(self, venue_id: str, capacity: int) -> None:
        self.index.count_venue_seats(venue_id, capacity)
        for follower in self.followers:
            follower.venue_seats_counted(venue_id)

    def _apply_booking(self, message: BookingEventV1) -> None:
        for follower in self.followers:
            follower.booking_event(message)
        event = message.domain()
        if isinstance(event, seating.SeatsHeld | seating.HoldConfirmed):
            self.index.take_seats(message.event_id, (s.seat_id for s in event.seats))
        elif isinstance(event, FREEING):
            self.index.free_seats(message.event_id, (s.seat_id for s in event.seats))

    async def _follow(self) -> None:
        while True:
            try:
                batches = await self._consumer.getmany(timeout_ms=500)
            except KafkaError as exc:
                log.warning("index feed interrupted", error=str(exc))
                await asyncio.sleep(1.0)
                continue
            for tp, messages in batches.items():
                for message in messages:
                    self.apply(tp.topic, message.key, message.value)

    def _topics(self) -> list[tuple[str, int]]:
        return [
            (self.topics.catalog, CATALOG.partitions),
            (self.topics.booking_events, BOOKING_EVENTS.partitions),
        ]

    async def _capacities(self, venue_ids: set[str]) -> dict[str, int]:
        """Seats per venue, counted a few venues at a time."""
        gate = asyncio.Semaphore(32)

        async def count(venue_id: str) -> tuple[str, int]:
            async with gate:
                return venue_id, await venues.count_seats(self._q, venue_id)

        return dict(await asyncio.gather(*(count(v) for v in venue_ids)))
