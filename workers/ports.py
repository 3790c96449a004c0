"""What the partition owner needs of its adapters: the seat store, the publisher and the payment
desk. SeatOwner is typed against these, so the in-memory fakes of the unit tests
(tests/unit/workers/fakes.py) are checked by mypy against the same contract as the real
adapters (SeatStore, Publisher, PaymentDesk)."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel

from seating import BookingCancelled, Hold, PaymentRequested, Seat
from topics.commands import RecordPaymentV1
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1
from workers.live import LiveEvent
from workers.store import EventWrite, Rules


class SeatStorePort(Protocol):
    """Event state, read and written fenced by the owner's epoch and the shard's version
    (workers/store.py)."""

    async def event_meta(self, event_id: str) -> dict[str, Any] | None: ...

    async def shard_version(self, partition: int) -> int | None: ...

    async def load_event(
        self, meta: dict[str, Any], event_id: str, partition: int, rules: Rules
    ) -> LiveEvent: ...

    async def seats(self, venue_id: str, prices: dict[str, float]) -> dict[str, Seat]: ...

    async def write(
        self,
        partition: int,
        epoch: int,
        version: int | None,
        writes: list[EventWrite],
        delivered: dict[str, list[str]],
    ) -> bool: ...

    async def project_bookings(
        self, booked: list[tuple[LiveEvent, Hold]], version: int, epoch: int
    ) -> None: ...

    async def delivered(self, partition: int, event_id: str, message_ids: list[str]) -> None: ...


class PartitionClaims(Protocol):
    """Owner epochs of command partitions and the events loaded under them (workers/store.py)."""

    async def claim_partition(self, partition: int, previous: int | None) -> int: ...

    async def partition_events(self, partition: int) -> list[str]: ...


class PublisherPort(Protocol):
    """Where decisions go: outcomes, booking events and commands (workers/publisher.py)."""

    def outcome(self, reply_partition: int | None, outcome: CommandOutcomeV1) -> None: ...

    def booking_event(self, event_id: str, event: BookingEventV1) -> None: ...

    def command(self, event_id: str, command: BaseModel) -> None: ...

    async def flush(self) -> None: ...


class PaymentsPort(Protocol):
    """Charges run beside the owner, and refunds (workers/payment_desk.py; the provider behind
    the desk has its own port, PaymentProvider in workers/payments.py)."""

    async def settle(
        self, requested: list[tuple[str, PaymentRequested]]
    ) -> list[RecordPaymentV1]: ...

    def start(self, event_id: str, requested: PaymentRequested) -> None: ...

    async def refund(self, cancelled: BookingCancelled, charge_id: str) -> None: ...

    async def void(self, holding_id: str) -> None: ...
