"""Runs charges beside the serialised path: a charge that answers within a short budget is
decided in its own poll; a slower one feeds its outcome back as a command. A poll waits only
while the provider has been answering within the budget, so a slow one costs the polls nothing."""

from __future__ import annotations

import asyncio
import time
from collections import deque

from seating import BookingCancelled, PaymentRequested
from topics.commands import RecordPaymentV1
from workers.metrics import CHARGES, PAYMENT_WAITS
from workers.payments import ChargeResult, PaymentProvider, charge_with_retries
from workers.ports import PublisherPort

Key = tuple[str, int]  # holding id, attempt
UNCLAIMED_SECONDS = 60.0
RECENT = 32  # the charges whose speed decides whether polls wait
IN_TIME_SHARE = 0.5  # polls wait while at least this share of them answered within the budget


class PaymentDesk:
    """One charge task per hold and attempt. `settle` waits `inline_seconds` at most for the
    charges a poll requested; the owner decides those answered at once in the same poll, and
    `start` hands the rest back as `RecordPayment` commands through the hold's partition."""

    def __init__(
        self,
        provider: PaymentProvider,
        publisher: PublisherPort,
        backoff: float = 0.2,
        inline_seconds: float = 0.0,
    ) -> None:
        self.provider = provider
        self.publisher = publisher
        self.backoff = backoff
        self.inline_seconds = inline_seconds
        self._charges: dict[Key, asyncio.Task[ChargeResult]] = {}
        self._sending: dict[Key, asyncio.Task[None]] = {}
        self._in_time: deque[bool] = deque(maxlen=RECENT)

    def _charge(self, requested: PaymentRequested) -> asyncio.Task[ChargeResult]:
        key = (requested.holding_id, requested.attempt)
        task = self._charges.get(key)
        if task is None:
            task = asyncio.create_task(
                charge_with_retries(
                    self.provider,
                    requested.holding_id,
                    requested.amount,
                    requested.payment_token,
                    backoff=self.backoff,
                )
            )
            self._charges[key] = task
            started = time.monotonic()
            task.add_done_callback(lambda done: self._answered(key, done, started))
        return task

    def _answered(self, key: Key, task: asyncio.Task[ChargeResult], started: float) -> None:
        self._in_time.append(time.monotonic() - started <= self.inline_seconds)
        self._forget_later(key, task)

    def waits(self) -> bool:
        """Whether a poll waits for its charges: with a budget, while at least IN_TIME_SHARE of
        the last RECENT charges answered within it (or none answered yet). The charges a poll
        does not wait for still start at once, and keep telling how fast the provider is."""
        if self.inline_seconds <= 0:
            return False
        recent = self._in_time
        return not recent or sum(recent) >= IN_TIME_SHARE * len(recent)

    def _forget_later(self, key: Key, task: asyncio.Task[ChargeResult]) -> None:
        """A charge nobody took (its poll failed, its partition moved) is dropped after a while;
        one taken later is simply charged again with the same key."""

        def drop() -> None:
            if self._charges.get(key) is task:
                del self._charges[key]

        asyncio.get_running_loop().call_later(UNCLAIMED_SECONDS, drop)

    async def settle(self, requested: list[tuple[str, PaymentRequested]]) -> list[RecordPaymentV1]:
        """Charge for `requested` and return the outcomes that came within the budget (their
        charges are then the caller's to decide); the others keep running for `start`."""
        if not requested or self.inline_seconds <= 0:
            return []
        waits = self.waits()
        PAYMENT_WAITS.set(int(waits))
        tasks = [(event_id, r, self._charge(r)) for event_id, r in requested]
        if not waits:
            return []
        await asyncio.wait([t for _, _, t in tasks], timeout=self.inline_seconds)
        answered = []
        for event_id, r, task in tasks:
            if task.done() and not task.cancelled():
                self._charges.pop((r.holding_id, r.attempt), None)
                answered.append(recorded(event_id, r, task.result()))
        CHARGES.labels("in_poll").inc(len(answered))
        return answered

    def start(self, event_id: str, requested: PaymentRequested) -> None:
        """Charge for `requested` in the background (once per hold and attempt) and send its
        outcome to the hold's partition. Only for a charge whose confirm is persisted."""
        key = (requested.holding_id, requested.attempt)
        if key not in self._sending:
            CHARGES.labels("later").inc()
            task = asyncio.create_task(self._send(event_id, requested, self._charge(requested)))
            self._sending[key] = task
            task.add_done_callback(lambda _: self._sending.pop(key, None))

    async def _send(
        self, event_id: str, requested: PaymentRequested, charge: asyncio.Task[ChargeResult]
    ) -> None:
        try:
            result = await charge
        finally:
            self._charges.pop((requested.holding_id, requested.attempt), None)
        self.publisher.command(event_id, recorded(event_id, requested, result))
        await self.publisher.flush()

    async def refund(self, cancelled: BookingCancelled, charge_id: str) -> None:
        """Record the refund of a cancelled booking."""
        await self.provider.refund(
            cancelled.refund_id, charge_id, cancelled.booking_id, cancelled.amount
        )

    async def void(self, holding_id: str) -> None:
        """Void whatever was charged for a hold that lapsed unbooked (a charge made for a
        confirm whose poll never landed before the hold's time ran out)."""
        await self.provider.void(holding_id)

    async def close(self) -> None:
        for task in [*self._sending.values(), *self._charges.values()]:
            task.cancel()


def recorded(event_id: str, requested: PaymentRequested, result: ChargeResult) -> RecordPaymentV1:
    """The command that records `result`, the outcome of the charge `requested`."""
    return RecordPaymentV1(
        command_id=f"payment:{requested.holding_id}:{requested.attempt}",
        event_id=event_id,
        holding_id=requested.holding_id,
        outcome=result.outcome,
        attempt=requested.attempt,
        charge_id=result.charge_id,
        message=result.message,
    )
