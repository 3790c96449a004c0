"""The publisher sends again what the producer gave up on, and only that."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from aiokafka.errors import KafkaTimeoutError, MessageSizeTooLargeError

from seating import Hold, HoldStatus, SeatLine
from topics.names import Topics
from topics.outcomes import CommandOutcomeV1
from topics.results import BookingResultV1, HoldResultV1, as_result
from workers.publisher import Publisher
from workers.views import booking_view, hold_view


class FlakyProducer:
    """Fails the first `failures` deliveries with `error`, then acknowledges."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.sent: list[tuple[str, bytes]] = []

    async def send(self, topic: str, value: bytes, **_: Any) -> asyncio.Future[None]:
        delivery: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.failures:
            self.failures -= 1
            delivery.set_exception(self.error)
        else:
            self.sent.append((topic, value))
            delivery.set_result(None)
        return delivery


def outcome(command_id: str) -> CommandOutcomeV1:
    return CommandOutcomeV1(
        command_id=command_id, correlation_id=command_id, event_id="e" * 32, status="ok"
    )


def publisher(producer: FlakyProducer) -> Publisher:
    return Publisher(producer, Topics(), "w", retry_seconds=0)


async def test_what_kafka_did_not_take_is_sent_again_until_it_does() -> None:
    producer = FlakyProducer(3, KafkaTimeoutError())
    sender = publisher(producer)
    sender.outcome(None, outcome("a"))
    sender.outcome(None, outcome("b"))
    await sender.flush()
    assert len(producer.sent) == 2


async def test_a_message_kafka_refuses_for_good_is_raised() -> None:
    sender = publisher(FlakyProducer(1, MessageSizeTooLargeError()))
    sender.outcome(None, outcome("a"))
    with pytest.raises(MessageSizeTooLargeError):
        await sender.flush()


class SlowProducer:
    """Acknowledges each message only when the test says so."""

    def __init__(self) -> None:
        self.deliveries: list[asyncio.Future[None]] = []

    async def send(self, topic: str, value: bytes, **_: Any) -> asyncio.Future[None]:
        self.deliveries.append(asyncio.get_running_loop().create_future())
        return self.deliveries[-1]


async def test_a_flush_waits_for_messages_an_earlier_concurrent_flush_took() -> None:
    """Partitions flush side by side: the second flush must not return (and its poll commit
    or empty its outbox) while what was sent before it is still unacknowledged."""
    producer = SlowProducer()
    sender = Publisher(producer, Topics(), "w", retry_seconds=0)
    sender.outcome(None, outcome("a"))
    first = asyncio.create_task(sender.flush())  # takes "a"
    await asyncio.sleep(0)
    second = asyncio.create_task(sender.flush())
    await asyncio.sleep(0.01)
    assert not second.done()
    producer.deliveries[0].set_result(None)
    await asyncio.wait_for(asyncio.gather(first, second), 1)


async def test_a_flush_waits_for_every_flush_begun_before_it_not_only_the_last() -> None:
    producer = SlowProducer()
    sender = Publisher(producer, Topics(), "w", retry_seconds=0)
    flushes = []
    for command_id in "abc":
        sender.outcome(None, outcome(command_id))
        flushes.append(asyncio.create_task(sender.flush()))
        await asyncio.sleep(0)
    producer.deliveries[2].set_result(None)
    producer.deliveries[1].set_result(None)
    await asyncio.sleep(0.01)
    assert not any(flush.done() for flush in flushes)  # "a" is not acknowledged yet
    producer.deliveries[0].set_result(None)
    await asyncio.wait_for(asyncio.gather(*flushes), 1)


async def test_a_refused_message_fails_the_flushes_waiting_on_it_and_no_later_one() -> None:
    producer = SlowProducer()
    sender = Publisher(producer, Topics(), "w", retry_seconds=0)
    sender.outcome(None, outcome("a"))
    first = asyncio.create_task(sender.flush())
    await asyncio.sleep(0)
    sender.outcome(None, outcome("b"))
    second = asyncio.create_task(sender.flush())
    await asyncio.sleep(0)
    producer.deliveries[1].set_result(None)
    producer.deliveries[0].set_exception(MessageSizeTooLargeError())
    for flush in (first, second):
        with pytest.raises(MessageSizeTooLargeError):
            await flush
    sender.outcome(None, outcome("c"))
    third = asyncio.create_task(sender.flush())
    await asyncio.sleep(0)
    producer.deliveries[2].set_result(None)
    await asyncio.wait_for(third, 1)


def test_hold_and_booking_views_are_the_documented_results() -> None:
    hold = Hold("h1", "u1", (SeatLine("A-1", "VIP", 10.0),), 10.0, 1.0, 2.0)
    held = hold_view("e1", hold)
    assert isinstance(held, HoldResultV1) and held.customer_ref is None
    hold.status, hold.booking_id, hold.confirmed_at = HoldStatus.CONFIRMED, "b1", 1.5
    hold.customer_ref = "order-1"
    assert hold_view("e1", hold).customer_ref == "order-1"
    booked = booking_view("e1", hold)
    assert isinstance(booked, BookingResultV1) and booked.status == "confirmed"


def test_results_carry_the_json_the_views_always_gave() -> None:
    """Every field, nulls included, in the same order; customer_ref only when set."""
    hold = Hold("h1", "u1", (SeatLine("A-1", "VIP", 10.0),), 10.0, 1.0, 2.0)
    held = {
        "holding_id": "h1",
        "event_id": "e1",
        "user_id": "u1",
        "seat_ids": ["A-1"],
        "seats": [{"seat_id": "A-1", "seat_type": "VIP", "price": 10.0}],
        "total_price": 10.0,
        "expires_at": "1970-01-01T00:00:02Z",
        "status": "held",
        "booking_id": None,
    }
    assert orjson.dumps(as_result(hold_view("e1", hold))) == orjson.dumps(held)
    hold.status, hold.booking_id, hold.confirmed_at = HoldStatus.CONFIRMED, "b1", 1.5
    hold.customer_ref = "order-1"
    booked = {
        "booking_id": "b1",
        "holding_id": "h1",
        "event_id": "e1",
        "user_id": "u1",
        "seat_ids": ["A-1"],
        "amount": 10.0,
        "status": "confirmed",
        "charge_id": None,
        "refund_id": None,
        "created_at": "1970-01-01T00:00:01.500000Z",
        "customer_ref": "order-1",
    }
    assert orjson.dumps(as_result(booking_view("e1", hold))) == orjson.dumps(booked)
