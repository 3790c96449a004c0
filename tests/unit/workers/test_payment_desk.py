"""The payment desk: charges answered within the budget go back to the poll that asked, slower
ones come back as commands, and each hold and attempt is charged once either way."""

from __future__ import annotations

import asyncio
import time

from seating import PaymentRequested
from tests.support import eventually
from tests.unit.workers.fakes import EVENT_ID, FakePublisher
from topics.commands import RecordPaymentV1
from workers.payment_desk import PaymentDesk
from workers.payments import ChargeResult


class Provider:
    """Answers every charge after `delay` seconds; counts charges and voids."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.charges: list[str] = []
        self.voided: list[str] = []

    async def charge(self, idempotency_key: str, amount: float, token: str) -> ChargeResult:
        self.charges.append(idempotency_key)
        await asyncio.sleep(self.delay)
        return ChargeResult("succeeded", f"ch_{idempotency_key}")

    async def refund(self, refund_id: str, charge_id: str, booking_id: str, amount: float) -> None:
        return None

    async def void(self, idempotency_key: str) -> None:
        self.voided.append(idempotency_key)


def requested(holding_id: str, attempt: int = 1) -> PaymentRequested:
    return PaymentRequested(holding_id, "u1", 30.0, "tok_ok", attempt)


async def test_charges_answered_within_the_budget_go_back_to_the_poll() -> None:
    provider, publisher = Provider(), FakePublisher()
    desk = PaymentDesk(provider, publisher, inline_seconds=0.5)
    answered = await desk.settle([(EVENT_ID, requested("h1")), (EVENT_ID, requested("h2"))])
    assert [(c.holding_id, c.outcome, c.charge_id) for c in answered] == [
        ("h1", "succeeded", "ch_h1"),
        ("h2", "succeeded", "ch_h2"),
    ]
    assert answered[0].command_id == "payment:h1:1"
    assert publisher.commands == [] and provider.charges == ["h1", "h2"]


async def test_a_slow_charge_is_left_running_and_sent_once_as_a_command() -> None:
    provider, publisher = Provider(delay=0.2), FakePublisher()
    desk = PaymentDesk(provider, publisher, inline_seconds=0.01)
    assert await desk.settle([(EVENT_ID, requested("h1"))]) == []
    desk.start(EVENT_ID, requested("h1"))
    desk.start(EVENT_ID, requested("h1"))
    await eventually(lambda: bool(publisher.commands), timeout=5, what="a RecordPayment")
    await asyncio.sleep(0.3)
    (sent,) = publisher.commands
    assert isinstance(sent, RecordPaymentV1) and sent.outcome == "succeeded"
    assert provider.charges == ["h1"]


async def test_no_budget_charges_nothing_before_the_poll_lands() -> None:
    provider, publisher = Provider(), FakePublisher()
    desk = PaymentDesk(provider, publisher, inline_seconds=0.0)
    assert await desk.settle([(EVENT_ID, requested("h1"))]) == []
    assert provider.charges == []
    await desk.void("h1")
    assert provider.voided == ["h1"]


async def test_a_slow_provider_stops_the_polls_waiting_and_a_fast_one_starts_them_again() -> None:
    provider, publisher = Provider(delay=0.2), FakePublisher()
    desk = PaymentDesk(provider, publisher, inline_seconds=0.05)
    assert desk.waits()  # nothing known yet
    assert await desk.settle([(EVENT_ID, requested("h1"))]) == []
    await eventually(lambda: not desk.waits(), timeout=5, what="the slow charge noticed")

    began = time.monotonic()
    assert await desk.settle([(EVENT_ID, requested("h2"))]) == []
    assert time.monotonic() - began < 0.04  # the poll did not wait for its charge
    desk.start(EVENT_ID, requested("h2"))
    await eventually(lambda: bool(publisher.commands), timeout=5, what="h2's RecordPayment")
    assert provider.charges == ["h1", "h2"]  # started by settle, sent by start: charged once

    provider.delay = 0.0  # two slow charges known: the next two fast ones make half
    for holding in ("h3", "h4"):
        assert await desk.settle([(EVENT_ID, requested(holding))]) == []
        await asyncio.sleep(0.01)
    assert desk.waits()
    (answered,) = await desk.settle([(EVENT_ID, requested("h5"))])
    assert answered.holding_id == "h5" and answered.outcome == "succeeded"
