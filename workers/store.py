"""The seat store: event state in Cassandra, fenced by owner epochs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cassandra import ConsistencyLevel
from cassandra.query import BatchStatement, BatchType

from infra.cassandra import Statements, applied, execute
from seating import EventSeats, Hold, Seat
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1
from workers.live import LiveEvent, hold_from_row, hold_to_row, outbox_from_row, outbox_to_row

OUTCOME_TTL_SECONDS = 7 * 24 * 3600


@dataclass
class Changes:
    """What one poll changed for one event: rows to write in its batch."""

    holds: set[str] = field(default_factory=set)
    seats: set[str] = field(default_factory=set)
    outcomes: dict[str, CommandOutcomeV1] = field(default_factory=dict)
    events: list[BookingEventV1] = field(default_factory=list)  # the outbox, in order

    def __bool__(self) -> bool:
        return bool(self.holds or self.seats or self.outcomes or self.events)


@dataclass(frozen=True)
class Rules:
    """Booking limits the owner applies to every event."""

    max_seats_per_hold: int
    max_active_holds_per_user: int


class SeatStore:
    """Reads and writes event_state and the tables projected from it."""

    def __init__(self, statements: Statements, owner: str, topic: str) -> None:
        self.q = statements
        self.owner = owner
        self.topic = topic

    async def claim_partition(self, topic: str, partition: int, previous: int | None) -> int:
        """Take (or keep, when nobody took it since) the owner epoch of a partition."""
        while True:
            rows = await self.q.run(
                "SELECT epoch, owner FROM partition_owners WHERE topic = ? AND partition = ?",
                topic,
                partition,
            )
            current = rows[0]["epoch"] if rows else None
            if current is None:
                done = await self.q.run(
                    "INSERT INTO partition_owners (topic, partition, epoch, owner) "
                    "VALUES (?, ?, 1, ?) IF NOT EXISTS",
                    topic,
                    partition,
                    self.owner,
                )
                if applied(done):
                    return 1
                continue
            if previous is not None and current == previous and rows[0]["owner"] == self.owner:
                return previous
            done = await self.q.run(
                "UPDATE partition_owners SET epoch = ?, owner = ? "
                "WHERE topic = ? AND partition = ? IF epoch = ?",
                current + 1,
                self.owner,
                topic,
                partition,
                current,
            )
            if applied(done):
                return int(current + 1)

    async def claim_event(self, event_id: str, epoch: int) -> bool:
        """Raise the event's epoch to ours; False when a newer owner already holds it."""
        rows = await self.q.run(
            "UPDATE event_state SET epoch = ? WHERE event_id = ? IF epoch < ?",
            epoch,
            event_id,
            epoch,
        )
        if applied(rows):
            return True
        current = rows[0].get("epoch") if rows else None
        if current is None:
            rows = await self.q.run(
                "UPDATE event_state SET epoch = ? WHERE event_id = ? IF epoch = null",
                epoch,
                event_id,
            )
            return applied(rows)
        return bool(current == epoch)

    async def partition_events(self, partition: int) -> list[str]:
        """Events an earlier owner of `partition` loaded."""
        rows = await self.q.run(
            "SELECT event_id FROM partition_events WHERE topic = ? AND partition = ?",
            self.topic,
            partition,
        )
        return [r["event_id"] for r in rows]

    async def event_meta(self, event_id: str) -> dict[str, Any] | None:
        """The event's venue, name, prices and hold time, or None when there is no such event."""
        rows = await self.q.run(
            "SELECT venue_id, name, prices, hold_ttl_seconds FROM events WHERE event_id = ?",
            event_id,
        )
        return rows[0] if rows else None

    async def load_event(
        self, meta: dict[str, Any], event_id: str, epoch: int, partition: int, rules: Rules
    ) -> LiveEvent:
        """The event's state as persisted (noting its partition for the next owner)."""
        await self.q.run(
            "INSERT INTO partition_events (topic, partition, event_id) VALUES (?, ?, ?)",
            self.topic,
            partition,
            event_id,
        )
        prices = dict(meta["prices"] or {})
        state = EventSeats(
            event_id=event_id,
            seats=await self.seats(meta["venue_id"], prices),
            hold_ttl_seconds=meta["hold_ttl_seconds"],
            max_seats_per_hold=rules.max_seats_per_hold,
            max_active_holds_per_user=rules.max_active_holds_per_user,
        )
        live = LiveEvent(state, epoch, partition, meta["name"], meta["venue_id"], prices)
        # The version first: a late batch landing between the two reads then fails our next write.
        version = await self.q.run(
            "SELECT version FROM event_state WHERE event_id = ? LIMIT 1", event_id
        )
        live.version = version[0]["version"] if version else None
        rows = await self.q.run(
            "SELECT kind, item_id, data FROM event_state WHERE event_id = ? AND kind IN ?",
            event_id,
            ["cmd", "hold", "out"],
        )
        outbox = []
        for row in rows:
            if row["kind"] == "hold":
                hold, waiters = hold_from_row(row["data"])
                state.restore(hold)
                if waiters:
                    live.waiters[hold.holding_id] = waiters
            elif row["kind"] == "out":
                outbox.append(outbox_from_row(row["data"]))
            else:
                live.outcomes[row["item_id"]] = CommandOutcomeV1.model_validate_json(row["data"])
        live.outbox = [event for _, event in sorted(outbox, key=lambda o: o[0])]
        return live

    async def seats(self, venue_id: str, prices: dict[str, float]) -> dict[str, Seat]:
        """The venue's seats priced for an event."""
        rows = await self.q.run(
            "SELECT seat_id, row, number, seat_type FROM venue_seats WHERE venue_id = ?",
            venue_id,
        )
        return {
            r["seat_id"]: Seat(
                r["seat_id"], r["row"], r["number"], r["seat_type"], prices[r["seat_type"]]
            )
            for r in rows
            if r["seat_type"] in prices
        }

    async def write(self, live: LiveEvent, changes: Changes, seat_rows: dict[str, str]) -> bool:
        """One conditional batch with every change of the poll; False when fenced off: by a
        newer owner, or by a batch of ours that we took for failed but that landed after all."""
        event_id = live.state.event_id
        version = (live.version or 0) + 1
        batch = BatchStatement(
            batch_type=BatchType.UNLOGGED, serial_consistency_level=ConsistencyLevel.SERIAL
        )
        batch.add(
            self.q(
                "UPDATE event_state SET version = ? WHERE event_id = ? IF epoch = ? AND version = ?"
            ),
            (version, event_id, live.epoch, live.version),
        )
        put = self.q(
            "UPDATE event_state USING TTL ? SET data = ? "
            "WHERE event_id = ? AND kind = ? AND item_id = ?"
        )
        for holding_id in changes.holds:
            hold = live.state.holds[holding_id]
            row = hold_to_row(hold, live.waiters.get(holding_id, []))
            batch.add(put, (0, row, event_id, "hold", holding_id))
        for seat_id, row in seat_rows.items():
            batch.add(put, (0, row, event_id, "seat", seat_id))
        for command_id, outcome in changes.outcomes.items():
            batch.add(
                put, (OUTCOME_TTL_SECONDS, outcome.model_dump_json(), event_id, "cmd", command_id)
            )
        # The outbox: booking events land iff the decision lands, and stay until published.
        for index, event in enumerate(changes.events):
            row = outbox_to_row(version, index, event)
            batch.add(put, (0, row, event_id, "out", event.message_id))
        if not applied(await execute(self.q.session, batch)):
            return False
        live.version = version
        return True

    async def delivered(self, event_id: str, message_ids: list[str]) -> None:
        """Take published booking events out of the event's outbox.

        Unconditional (no epoch, no version), and safe so: a row goes only once Kafka took its
        message, and its key is the message id, which readers drop when they see it again. So
        a delete that meets a row written anew (the same message decided again) or one a newer
        owner is about to republish removes nothing that still has to be delivered; one that
        misses (lost, or ordered before the write by its timestamp) only makes the next owner
        publish a duplicate."""
        await self.q.run(
            "DELETE FROM event_state WHERE event_id = ? AND kind = 'out' AND item_id IN ?",
            event_id,
            message_ids,
        )

    async def project_booking(self, live: LiveEvent, hold: Hold) -> None:
        """Write (or update) the booking of a confirmed hold and the buyer's history row."""
        assert hold.booking_id and hold.confirmed_at is not None  # noqa: S101
        status = "cancelled" if hold.booking_cancelled else "confirmed"
        created = datetime.fromtimestamp(hold.confirmed_at, UTC)
        seat_ids = list(hold.seat_ids)
        await self.q.run(
            "INSERT INTO bookings (booking_id, holding_id, event_id, user_id, seat_ids, amount, "
            "status, created_at, charge_id, refund_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            hold.booking_id,
            hold.holding_id,
            live.state.event_id,
            hold.user_id,
            seat_ids,
            hold.total_price,
            status,
            created,
            hold.charge_id,
            hold.refund_id,
        )
        await self.q.run(
            "INSERT INTO bookings_by_user (user_id, created_at, booking_id, event_id, event_name, "
            "seat_ids, amount, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            hold.user_id,
            created,
            hold.booking_id,
            live.state.event_id,
            live.name,
            seat_ids,
            hold.total_price,
            status,
        )
