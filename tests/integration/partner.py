"""A partner on the Kafka path: produces seat commands, collects outcomes by correlation id."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from contextlib import suppress
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from infra.kafka import topics_for
from infra.settings import Settings
from topics.codec import encode
from topics.commands import SeatCommand
from topics.outcomes import CommandOutcomeV1


class Partner:
    """Every outcome seen, per command id, in arrival order."""

    def __init__(self, settings: Settings) -> None:
        self.topics = topics_for(settings)
        self.producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
        self.consumer = AIOKafkaConsumer(
            self.topics.seat_results,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=f"partner-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
        )
        self.outcomes: dict[str, list[CommandOutcomeV1]] = defaultdict(list)
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.producer.start()
        await self.consumer.start()
        self._reader = asyncio.create_task(self._read())

    async def stop(self) -> None:
        if self._reader:
            self._reader.cancel()
            with suppress(asyncio.CancelledError):
                await self._reader
        await self.consumer.stop()
        await self.producer.stop()

    async def send(self, command: SeatCommand) -> None:
        correlated = command.model_copy(update={"correlation_id": command.command_id})
        await self.producer.send_and_wait(
            self.topics.seat_commands, encode(correlated), key=command.event_id.encode()
        )

    async def send_raw(self, key: bytes | None, value: bytes) -> None:
        await self.producer.send_and_wait(self.topics.seat_commands, value, key=key)

    async def wait_for(self, command_ids: list[str], timeout: float = 60.0) -> None:
        """Until every command has at least one outcome."""
        async with asyncio.timeout(timeout):
            while any(c not in self.outcomes for c in command_ids):
                await asyncio.sleep(0.1)

    def first(self, command_id: str) -> CommandOutcomeV1:
        return self.outcomes[command_id][0]

    async def _read(self) -> None:
        async for record in self.consumer:
            outcome = CommandOutcomeV1.model_validate_json(record.value or b"")
            self.outcomes[outcome.command_id].append(outcome)


def consistent(outcomes: dict[str, list[CommandOutcomeV1]]) -> dict[str, Any]:
    """Commands whose repeated outcomes disagree (status, result or error)."""
    return {
        command_id: [o.model_dump(exclude={"correlation_id"}) for o in seen]
        for command_id, seen in outcomes.items()
        if len({o.model_dump_json(exclude={"correlation_id"}) for o in seen}) > 1
    }
