"""Where a confirm's time goes, read back from the run's own topics. Each record carries its
producer's timestamp (every process runs on this machine, one clock), so a confirm's hops are:

  ConfirmHold sent by the ingress (seat-commands)
  -> PaymentRequested published by the owner (booking-events): queued, decided, batch persisted
  -> RecordPayment sent by the payment desk (seat-commands): the charge
  -> the confirm's outcome published by the owner (seat-replies): queued, decided, persisted
and a hold's: HoldSeats sent -> its outcome published."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from benchmarks.stats import percentile
from infra.kafka import make_consumer, topics_for
from infra.settings import Settings
from topics.codec import Undecodable, decode_booking_event, decode_command, decode_outcome
from topics.commands import ConfirmHoldV1, HoldSeatsV1, RecordPaymentV1
from topics.names import BOOKING_EVENTS, SEAT_COMMANDS, SEAT_REPLIES, Topic

Stamps = dict[str, dict[str, int]]  # hop -> command id -> producer timestamp (ms)


async def _records(settings: Settings, topic: Topic) -> list[ConsumerRecord]:
    """Every record of `topic` (in this deployment) up to its end now."""
    consumer: AIOKafkaConsumer = make_consumer(
        settings, "admin", group_id=None, enable_auto_commit=False, max_poll_records=5000
    )
    await consumer.start()
    try:
        name = topics_for(settings).name(topic)
        parts = [TopicPartition(name, p) for p in range(topic.partitions)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        found: list[ConsumerRecord] = []
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                found += records
        return found
    finally:
        await consumer.stop()


def _stamps(
    commands: list[ConsumerRecord], events: list[ConsumerRecord], replies: list[Any]
) -> Stamps:
    stamps: Stamps = {k: {} for k in ("hold", "confirm", "requested", "recorded", "answered")}
    holding_to_confirm: dict[str, str] = {}
    for record in commands:
        try:
            command = decode_command(record.key, record.value)
        except Undecodable:
            continue
        if isinstance(command, HoldSeatsV1):
            stamps["hold"][command.command_id] = record.timestamp
        elif isinstance(command, ConfirmHoldV1):
            stamps["confirm"][command.command_id] = record.timestamp
            holding_to_confirm[command.holding_id] = command.command_id
        elif isinstance(command, RecordPaymentV1) and command.holding_id in holding_to_confirm:
            stamps["recorded"][holding_to_confirm[command.holding_id]] = record.timestamp
    for record in events:
        event = decode_booking_event(record.key, record.value)
        if event.type == "PaymentRequested":
            stamps["requested"].setdefault(event.command_id, record.timestamp)
    for record in replies:
        outcome = decode_outcome(record.value)
        stamps["answered"].setdefault(outcome.command_id, record.timestamp)
    return stamps


def _spans(stamps: Stamps, start: str, end: str) -> Iterator[float]:
    ends = stamps[end]
    return (ends[c] - t for c, t in stamps[start].items() if c in ends)


def _summary(values: list[float]) -> dict[str, Any]:
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "p50_ms": percentile(ordered, 50),
        "p99_ms": percentile(ordered, 99),
    }


async def confirm_path(settings: Settings, event_id: str) -> dict[str, Any]:
    """Hop latencies (ms, from record timestamps) of every hold and confirm of `event_id`."""
    commands, events, replies = await asyncio.gather(
        _records(settings, SEAT_COMMANDS),
        _records(settings, BOOKING_EVENTS),
        _records(settings, SEAT_REPLIES),
    )
    key = event_id.encode()
    stamps = _stamps(
        [r for r in commands if r.key == key], [r for r in events if r.key == key], replies
    )
    return {
        name: _summary(list(_spans(stamps, start, end)))
        for name, start, end in (
            ("hold: HoldSeats sent -> outcome published", "hold", "answered"),
            ("confirm: ConfirmHold sent -> PaymentRequested published", "confirm", "requested"),
            ("confirm: PaymentRequested -> RecordPayment sent (charge)", "requested", "recorded"),
            ("confirm: RecordPayment sent -> outcome published", "recorded", "answered"),
            ("confirm: ConfirmHold sent -> outcome published", "confirm", "answered"),
        )
    }
