"""Runs charges outside the serialised path and feeds their outcome back as a command."""

from __future__ import annotations

import asyncio

from seating import BookingCancelled, PaymentRequested
from topics.commands import RecordPaymentV1
from workers.payments import PaymentProvider, charge_with_retries
from workers.ports import PublisherPort


class PaymentDesk:
    """One charge task per hold and attempt; its outcome returns to the hold's partition."""

    def __init__(
        self, provider: PaymentProvider, publisher: PublisherPort, backoff: float = 0.2
    ) -> None:
        self.provider = provider
        self.publisher = publisher
        self.backoff = backoff
        self._running: dict[tuple[str, int], asyncio.Task[None]] = {}

    def start(self, event_id: str, requested: PaymentRequested) -> None:
        """Charge for `requested` in the background (once per hold and attempt)."""
        key = (requested.holding_id, requested.attempt)
        if key not in self._running:
            task = asyncio.create_task(self._charge(event_id, requested))
            self._running[key] = task
            task.add_done_callback(lambda _: self._running.pop(key, None))

    async def _charge(self, event_id: str, requested: PaymentRequested) -> None:
        result = await charge_with_retries(
            self.provider,
            requested.holding_id,
            requested.amount,
            requested.payment_token,
            backoff=self.backoff,
        )
        command = RecordPaymentV1(
            command_id=f"payment:{requested.holding_id}:{requested.attempt}",
            event_id=event_id,
            holding_id=requested.holding_id,
            outcome=result.outcome,
            attempt=requested.attempt,
            charge_id=result.charge_id,
            message=result.message,
        )
        self.publisher.command(event_id, command)
        await self.publisher.flush()

    async def refund(self, cancelled: BookingCancelled, charge_id: str) -> None:
        """Record the refund of a cancelled booking."""
        await self.provider.refund(
            cancelled.refund_id, charge_id, cancelled.booking_id, cancelled.amount
        )

    async def close(self) -> None:
        for task in list(self._running.values()):
            task.cancel()
