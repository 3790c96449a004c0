"""The seat store: event state in Cassandra, fenced by the owner epoch of each partition."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from infra.cassandra import Statements
from seating import EventSeats, Hold, Seat
from tables import bookings, event_state, events, ownership, venues
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1
from workers.live import LiveEvent


@dataclass
class Changes:
    """What one poll changed for one event: rows to write in its batch."""

    holds: set[str] = field(default_factory=set)
    waits: set[str] = field(default_factory=set)  # waiting-list entries
    outcomes: dict[str, CommandOutcomeV1] = field(default_factory=dict)
    events: list[BookingEventV1] = field(default_factory=list)  # the outbox, in order

    def __bool__(self) -> bool:
        return bool(self.holds or self.waits or self.outcomes or self.events)


EventWrite = tuple[LiveEvent, Changes]  # an event and its changes


@dataclass(frozen=True)
class Rules:
    """Booking limits the owner applies to every event."""

    max_seats_per_hold: int
    max_active_holds_per_user: int


class SeatStore:
    """Reads and writes seat_state and the tables projected from it."""

    def __init__(self, statements: Statements, owner: str, topic: str) -> None:
        self.q = statements
        self.owner = owner
        self.topic = topic

    async def claim_partition(self, partition: int, previous: int | None) -> int:
        """Take (or keep, when nobody took it since) the owner epoch of a partition's shard."""
        while True:
            current = await event_state.owner_of(self.q, partition)
            if current is not None and current == (previous, self.owner):
                return current[0]
            epoch = current[0] if current is not None else None
            if await event_state.claim(self.q, partition, self.owner, epoch):
                return (epoch or 0) + 1

    async def shard_version(self, partition: int) -> int | None:
        """Batches written to the partition's shard so far; read before loading its events."""
        return await event_state.version(self.q, partition)

    async def partition_events(self, partition: int) -> list[str]:
        """Events an earlier owner of `partition` loaded."""
        return await ownership.events_of(self.q, self.topic, partition)

    async def event_meta(self, event_id: str) -> dict[str, Any] | None:
        """The event's venue, name, prices and hold time, or None when there is no such event."""
        return await events.meta(self.q, event_id)

    async def load_event(
        self, meta: dict[str, Any], event_id: str, partition: int, rules: Rules
    ) -> LiveEvent:
        """The event's state as persisted (noting its partition for the next owner)."""
        await ownership.note_event(self.q, self.topic, partition, event_id)
        prices = dict(meta["prices"] or {})
        state = EventSeats(
            event_id=event_id,
            seats=await self.seats(meta["venue_id"], prices),
            hold_ttl_seconds=meta["hold_ttl_seconds"],
            sale_starts_at=_seconds(meta.get("sale_starts_at")),
            max_seats_per_hold=rules.max_seats_per_hold,
            max_active_holds_per_user=rules.max_active_holds_per_user,
        )
        live = LiveEvent(state, partition, meta["name"], meta["venue_id"], prices)
        stored = await event_state.load(self.q, partition, event_id)
        live.outcomes, live.outbox = stored.outcomes, stored.outbox
        for hold, waiters in stored.holds:
            state.restore(hold)
            if waiters:
                live.waiters[hold.holding_id] = waiters
        for entry in stored.waits:
            state.restore_entry(entry)
        return live

    async def seats(self, venue_id: str, prices: dict[str, float]) -> dict[str, Seat]:
        """The venue's seats priced for an event."""
        rows = await venues.seats(self.q, venue_id)
        return {
            r["seat_id"]: Seat(
                r["seat_id"], r["row"], r["number"], r["seat_type"], prices[r["seat_type"]]
            )
            for r in rows
            if r["seat_type"] in prices
        }

    async def write(
        self,
        partition: int,
        epoch: int,
        version: int | None,
        writes: list[EventWrite],
        delivered: dict[str, list[str]],
    ) -> bool:
        """One conditional batch with every change of a poll to the partition's events (and
        the deletes of `delivered` outbox rows, event id -> message ids); False when fenced
        off: by a newer owner, or by a batch of ours that we took for failed but that landed
        after all."""
        return await event_state.write(
            self.q,
            partition,
            epoch=epoch,
            version=version,
            delivered=delivered,
            events=(
                event_state.EventRows(
                    live.state.event_id,
                    [(live.state.holds[h], live.waiters.get(h, [])) for h in changes.holds],
                    changes.outcomes,
                    changes.events,
                    [live.state.waitlist[w] for w in changes.waits],
                )
                for live, changes in writes
            ),
        )

    async def delivered(self, partition: int, event_id: str, message_ids: list[str]) -> None:
        """Take published booking events out of the event's outbox."""
        await event_state.delete_outbox(self.q, partition, event_id, message_ids)

    async def project_bookings(
        self, booked: list[tuple[LiveEvent, Hold]], version: int, epoch: int
    ) -> None:
        """Write (or update) the bookings of confirmed holds and the buyers' history rows, as
        the seat state at shard `version` under `epoch` says (a stale owner's late projection
        loses to a newer one)."""
        await bookings.write(
            self.q,
            [_booking(live, hold) for live, hold in booked],
            bookings.fenced_timestamp(version, epoch),
        )


def _booking(live: LiveEvent, hold: Hold) -> bookings.Booking:
    """The booking a confirmed hold became."""
    assert hold.booking_id and hold.confirmed_at is not None  # noqa: S101
    return bookings.Booking(
        booking_id=hold.booking_id,
        holding_id=hold.holding_id,
        event_id=live.state.event_id,
        event_name=live.name,
        user_id=hold.user_id,
        seat_ids=list(hold.seat_ids),
        amount=hold.total_price,
        status="cancelled" if hold.booking_cancelled else "confirmed",
        created_at=datetime.fromtimestamp(hold.confirmed_at, UTC),
        charge_id=hold.charge_id,
        refund_id=hold.refund_id,
    )


def _seconds(moment: datetime | None) -> float | None:
    """A stored timestamp (the driver gives naive UTC) as seconds since the epoch."""
    return moment.replace(tzinfo=UTC).timestamp() if moment is not None else None
