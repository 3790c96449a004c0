"""In-memory stand-ins for the worker's adapters, so the owner's logic runs without services.

Each fake is checked by mypy against the port it stands in for (workers/ports.py), as the real
adapter is: tests/unit/workers is in mypy's files, so a fake that drifts fails CI's mypy step."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from seating import BookingCancelled, EventSeats, Hold, PaymentRequested, Seat
from topics.commands import RecordPaymentV1
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1
from workers.live import LiveEvent
from workers.payment_desk import recorded
from workers.payments import ChargeResult
from workers.ports import PaymentsPort, PublisherPort, SeatStorePort
from workers.store import Changes, EventWrite, Rules

EVENT_ID = "e" * 32
OTHER_EVENT_ID = "d" * 32  # a second event of the same partition


@dataclass
class FakeStore:
    """One event of ten seats, written in batches whose version is the count of event writes
    so far (fine for one event); `fenced` makes the next write fail as if a newer owner wrote;
    a `gate` holds the next load until it is set; `load_started` is set once a load begins;
    `write_error` and `project_error` are raised by every write or projection while set.
    Only the outbox outlives a load: `outbox` holds the written, undelivered booking events."""

    catalog: dict[str, Seat] = field(
        default_factory=lambda: {
            f"A-{n}": Seat(f"A-{n}", "A", n, "Regular", 10.0) for n in range(1, 11)
        }
    )
    fenced: bool = False
    gate: asyncio.Event | None = None
    load_started: asyncio.Event = field(default_factory=asyncio.Event)
    loads: int = 0
    version_reads: int = 0
    batches: int = 0
    writes: list[Changes] = field(default_factory=list)
    bookings: list[str] = field(default_factory=list)
    write_error: Exception | None = None
    project_error: Exception | None = None
    outbox: dict[str, BookingEventV1] = field(default_factory=dict)

    async def event_meta(self, event_id: str) -> dict[str, Any] | None:
        if event_id not in (EVENT_ID, OTHER_EVENT_ID):
            return None
        return {"venue_id": "v", "name": "Gig", "prices": {"Regular": 10.0}, "hold_ttl_seconds": 60}

    async def shard_version(self, partition: int) -> int | None:
        self.version_reads += 1
        return len(self.writes) or None

    async def load_event(
        self, meta: dict[str, Any], event_id: str, partition: int, rules: Rules
    ) -> LiveEvent:
        self.loads += 1
        self.load_started.set()
        gate, self.gate = self.gate, None
        if gate is not None:
            await gate.wait()
        state = EventSeats(event_id, dict(self.catalog), meta["hold_ttl_seconds"])
        live = LiveEvent(state, partition, meta["name"], meta["venue_id"], meta["prices"])
        live.outbox = list(self.outbox.values())
        return live

    async def seats(self, venue_id: str, prices: dict[str, float]) -> dict[str, Seat]:
        return dict(self.catalog)

    async def write(
        self,
        partition: int,
        epoch: int,
        version: int | None,
        writes: list[EventWrite],
        delivered: dict[str, list[str]],
    ) -> bool:
        if self.write_error is not None:
            raise self.write_error
        if self.fenced or version != (len(self.writes) or None):
            return False
        for ids in delivered.values():
            for message_id in ids:
                self.outbox.pop(message_id, None)
        for _, changes in writes:
            self.writes.append(changes)
            self.outbox.update((e.message_id, e) for e in changes.events)
        self.batches += 1
        return True

    async def delivered(self, partition: int, event_id: str, message_ids: list[str]) -> None:
        for message_id in message_ids:
            self.outbox.pop(message_id, None)

    async def project_bookings(
        self, booked: list[tuple[LiveEvent, Hold]], version: int, epoch: int
    ) -> None:
        if booked and self.project_error is not None:
            raise self.project_error
        self.bookings.extend(hold.holding_id for _, hold in booked)


@dataclass
class FakePublisher:
    outcomes: list[tuple[int | None, CommandOutcomeV1]] = field(default_factory=list)
    events: list[BookingEventV1] = field(default_factory=list)
    commands: list[BaseModel] = field(default_factory=list)

    def outcome(self, reply_partition: int | None, outcome: CommandOutcomeV1) -> None:
        self.outcomes.append((reply_partition, outcome))

    def booking_event(self, event_id: str, event: BookingEventV1) -> None:
        self.events.append(event)

    def command(self, event_id: str, command: BaseModel) -> None:
        self.commands.append(command)

    async def flush(self) -> None:
        return None


@dataclass
class FakePayments:
    """Records what it was asked to do; `refund_error` is raised by every refund while set.
    `at_once` answers, in the poll that asked, the charges of the tokens it names."""

    started: list[PaymentRequested] = field(default_factory=list)
    refunded: list[BookingCancelled] = field(default_factory=list)
    voided: list[str] = field(default_factory=list)
    refund_error: Exception | None = None
    at_once: dict[str, ChargeResult] = field(default_factory=dict)
    settled: list[PaymentRequested] = field(default_factory=list)

    async def settle(self, requested: list[tuple[str, PaymentRequested]]) -> list[RecordPaymentV1]:
        answered = [(e, r) for e, r in requested if r.payment_token in self.at_once]
        self.settled += [r for _, r in answered]
        return [recorded(e, r, self.at_once[r.payment_token]) for e, r in answered]

    def start(self, event_id: str, requested: PaymentRequested) -> None:
        self.started.append(requested)

    async def refund(self, cancelled: BookingCancelled, charge_id: str) -> None:
        if self.refund_error is not None:
            raise self.refund_error
        self.refunded.append(cancelled)

    async def void(self, holding_id: str) -> None:
        if self.refund_error is not None:
            raise self.refund_error
        self.voided.append(holding_id)


if TYPE_CHECKING:
    # Not run, only type-checked: each fake must satisfy its port.
    _store: SeatStorePort = FakeStore()
    _publisher: PublisherPort = FakePublisher()
    _payments: PaymentsPort = FakePayments()
