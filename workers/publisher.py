"""Where a worker's output goes: outcomes, booking events, commands and dead letters."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from topics.codec import encode
from topics.dead_letters import DeadLetterV1
from topics.events import BookingEventV1
from topics.names import Topics
from topics.outcomes import CommandOutcomeV1


class Publisher:
    """Sends to Kafka without waiting per message; `flush` waits for every send so far."""

    def __init__(self, producer: AIOKafkaProducer, topics: Topics, consumer_name: str) -> None:
        self.producer = producer
        self.topics = topics
        self.consumer_name = consumer_name
        self._pending: list[asyncio.Future[object]] = []

    def _send(
        self, topic: str, key: str | None, message: BaseModel, partition: int | None = None
    ) -> None:
        self._pending.append(
            asyncio.ensure_future(
                self.producer.send(
                    topic,
                    encode(message),
                    key=key.encode() if key is not None else None,
                    partition=partition,
                )
            )
        )

    def outcome(self, reply_partition: int | None, outcome: CommandOutcomeV1) -> None:
        """To the ingress partition that asked, or to the results topic for partners."""
        if reply_partition is not None:
            self._send(self.topics.seat_replies, outcome.correlation_id, outcome, reply_partition)
        elif outcome.correlation_id is not None:
            self._send(self.topics.seat_results, outcome.correlation_id, outcome)

    def booking_event(self, event_id: str, event: BookingEventV1) -> None:
        self._send(self.topics.booking_events, event_id, event)

    def command(self, event_id: str, command: BaseModel) -> None:
        self._send(self.topics.seat_commands, event_id, command)

    def dead_letter(
        self,
        *,
        reason: str,
        detail: str,
        topic: str,
        partition: int,
        offset: int,
        key: bytes | None,
        value: bytes | None,
    ) -> None:
        letter = DeadLetterV1.model_validate(
            {
                "reason": reason,
                "detail": detail[:2000],
                "source_topic": topic,
                "partition": partition,
                "offset": offset,
                "key": key.decode(errors="replace") if key is not None else None,
                "value": (value or b"")[:4096].decode(errors="replace"),
                "consumer": self.consumer_name,
                "failed_at": datetime.now(UTC),
            }
        )
        self._send(self.topics.dead_letters, letter.key, letter)

    async def flush(self) -> None:
        """Wait until everything sent so far is acknowledged by the broker."""
        pending, self._pending = self._pending, []
        if pending:
            deliveries = await asyncio.gather(*pending)
            await asyncio.gather(*deliveries)  # type: ignore[arg-type]
