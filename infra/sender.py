"""Sending to Kafka without waiting per message, and sending again what the producer gave up
on: what was decided is always published. Shared by the seat workers and the partner gateway."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Protocol

from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaError, KafkaTimeoutError
from pydantic import BaseModel

from infra.logs import get_logger
from topics.codec import Undecodable, encode
from topics.dead_letters import DeadLetterV1
from topics.names import Topics

log = get_logger("sender")
Record = tuple[str, bytes, bytes | None, int | None]  # topic, value, key, partition
# `producer.send` resolves, once the message is queued, to the future of its delivery.
Sending = asyncio.Future[Awaitable[object]]


class Producer(Protocol):
    """What a sender needs of a producer: aiokafka's AIOKafkaProducer, or a test's fake."""

    async def send(
        self, topic: str, value: bytes, *, key: bytes | None, partition: int | None
    ) -> Awaitable[object]: ...


class Sender:
    """Sends to Kafka without waiting per message; `flush` waits for every send so far."""

    def __init__(
        self,
        producer: Producer,
        topics: Topics,
        consumer_name: str,
        retry_seconds: float = 1.0,
    ) -> None:
        self.producer = producer
        self.topics = topics
        self.consumer_name = consumer_name
        self.retry_seconds = retry_seconds
        self._pending: list[tuple[Record, Sending]] = []
        self._last_flush: asyncio.Future[None] | None = None

    def _send(
        self, topic: str, key: str | None, message: BaseModel, partition: int | None = None
    ) -> None:
        record = (topic, encode(message), key.encode() if key is not None else None, partition)
        self._pending.append((record, self._start(record)))

    def _start(self, record: Record) -> Sending:
        topic, value, key, partition = record
        return asyncio.ensure_future(self.producer.send(topic, value, key=key, partition=partition))

    def dead_letter(self, record: ConsumerRecord, exc: Undecodable) -> None:
        """Send `record`, which could not be read, to the dead letters with the reason."""
        log.warning("dead-lettered", reason=exc.reason, topic=record.topic, offset=record.offset)
        key, value = record.key, record.value
        letter = DeadLetterV1(
            reason=exc.reason,
            detail=exc.detail[:2000],
            source_topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=key.decode(errors="replace") if key is not None else None,
            value=(value or b"")[:4096].decode(errors="replace"),
            consumer=self.consumer_name,
            failed_at=datetime.now(UTC),
        )
        self._send(self.topics.dead_letters, letter.key, letter)

    async def flush(self) -> None:
        """Wait until everything sent so far is acknowledged by the broker. What the producer
        gave up on (Kafka away for longer than its own retries) is sent again until it is
        acknowledged.

        Concurrent callers (one per partition) also wait for the flushes begun before theirs:
        such a flush may have taken messages sent before this call, and a caller that commits
        an offset or deletes an outbox row must know its own messages were acknowledged. Each
        flush waits for the one begun just before it (which waited for its own predecessor),
        so a flush costs the same however many are running."""
        pending, self._pending = self._pending, []
        earlier = self._last_flush
        if earlier is not None and earlier.done():
            earlier = None  # its failure was told to its own callers
        mine = asyncio.ensure_future(self._settle(pending, earlier))
        self._last_flush = mine
        # wait, unlike a bare await, never cancels a flush other callers wait for.
        await asyncio.wait([mine])
        if (error := mine.exception()) is not None:
            raise error

    async def _settle(
        self, pending: list[tuple[Record, Sending]], earlier: asyncio.Future[None] | None
    ) -> None:
        while pending:
            failed: list[Record] = []
            for record, future in pending:  # sent already: waiting one by one costs no time
                try:
                    await _delivered(future)
                except Exception as exc:
                    if not _transient(exc):
                        raise
                    failed.append(record)
            if failed:
                log.warning("publish failed; sending again", messages=len(failed))
                await asyncio.sleep(self.retry_seconds)
            pending = [(record, self._start(record)) for record in failed]
        if earlier is not None:
            await asyncio.wait([earlier])
            if (error := earlier.exception()) is not None:
                raise error


def _transient(error: Exception) -> bool:
    """Kafka away or moving leaders: worth sending again (a message too large is not)."""
    return isinstance(error, KafkaTimeoutError) or (
        isinstance(error, KafkaError) and bool(error.retriable)
    )


async def _delivered(send: Sending) -> None:
    """`producer.send` resolves to the delivery future once the message is queued."""
    await (await send)
