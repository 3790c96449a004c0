"""Clients of the Kafka command path for tests.

`CommandClient` speaks the internal seat-commands topic as the gateway's principal does (the
worker tests drive the workers without a gateway); `Partner` is a real partner: its own
credentials, its own command and result topics, through the gateway."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from contextlib import suppress
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import GroupAuthorizationFailedError, TopicAuthorizationFailedError
from pydantic import BaseModel

from infra.kafka import make_consumer, make_producer, topics_for
from infra.kafka_auth import aiokafka_options_for
from infra.settings import KafkaLogin, Settings
from topics.codec import encode
from topics.commands import SeatCommand
from topics.outcomes import CommandOutcomeV1
from topics.partners import PartnerCommand

ACL_PATIENCE_SECONDS = 30.0


class _Outcomes:
    """Every outcome seen, per command id, in arrival order."""

    def __init__(self, producer: AIOKafkaProducer, consumer: AIOKafkaConsumer, topic: str) -> None:
        self.producer = producer
        self.consumer = consumer
        self.topic = topic
        self.outcomes: dict[str, list[CommandOutcomeV1]] = defaultdict(list)
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.producer.start()
        await self._start_consumer()
        self._reader = asyncio.create_task(self._read())

    async def _start_consumer(self) -> None:
        await self.consumer.start()

    async def stop(self) -> None:
        if self._reader:
            self._reader.cancel()
            with suppress(asyncio.CancelledError):
                await self._reader
        await self.consumer.stop()
        await self.producer.stop()

    async def _send(self, command: BaseModel, event_id: str) -> None:
        await self.producer.send_and_wait(self.topic, encode(command), key=event_id.encode())

    async def send_raw(self, key: bytes | None, value: bytes, partition: int | None = None) -> None:
        await self.producer.send_and_wait(self.topic, value, key=key, partition=partition)

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


class CommandClient(_Outcomes):
    """Internal seat commands, as the gateway's principal sends them."""

    def __init__(self, settings: Settings) -> None:
        topics = topics_for(settings)
        super().__init__(
            make_producer(settings, "gateway"),
            make_consumer(
                settings,
                "gateway",
                topics.seat_results,
                group_id=f"{settings.gateway_group_id}.test-{uuid.uuid4().hex[:8]}",
                auto_offset_reset="earliest",
            ),
            topics.seat_commands,
        )

    async def send(self, command: SeatCommand) -> None:
        correlated = command.model_copy(update={"correlation_id": command.command_id})
        await self._send(correlated, command.event_id)


class Partner(_Outcomes):
    """A partner made by POST /partners (`made` is its answer), through the gateway."""

    def __init__(self, settings: Settings, made: dict[str, Any]) -> None:
        kafka = made["kafka"]
        self.partner_id: str = made["partner_id"]
        self.user_id: str = made["user_id"]
        login = KafkaLogin(username=kafka["username"], password=kafka["password"])
        options = aiokafka_options_for(settings, login, kafka["bootstrap_servers"])
        group_id = f"{kafka['consumer_group_prefix']}-{uuid.uuid4().hex[:8]}"

        def consumer() -> AIOKafkaConsumer:
            return AIOKafkaConsumer(
                kafka["result_topic"], **options, group_id=group_id, auto_offset_reset="earliest"
            )

        self._new_consumer = consumer
        super().__init__(
            AIOKafkaProducer(**options, acks="all"), consumer(), kafka["command_topic"]
        )

    async def _start_consumer(self) -> None:
        """Start the consumer, made anew and started again while refused, for
        ACL_PATIENCE_SECONDS at most. The provisioner waits until each broker it asks lists
        the new ACLs, but on a cluster the broker a request reaches may apply them a moment
        later (CI dry run ci10: GroupAuthorizationFailed just after POST /partners); a partner's
        client has to allow for that too."""
        deadline = time.monotonic() + ACL_PATIENCE_SECONDS
        while True:
            try:
                await self.consumer.start()
                return
            except (GroupAuthorizationFailedError, TopicAuthorizationFailedError):
                if time.monotonic() > deadline:
                    raise
                await self.consumer.stop()
                self.consumer = self._new_consumer()
                await asyncio.sleep(0.5)

    async def send(self, command: PartnerCommand) -> None:
        await self._send(command, command.event_id)


def consistent(outcomes: dict[str, list[CommandOutcomeV1]]) -> dict[str, Any]:
    """Commands whose repeated outcomes disagree (status, result or error)."""
    return {
        command_id: [o.model_dump(exclude={"correlation_id"}) for o in seen]
        for command_id, seen in outcomes.items()
        if len({o.model_dump_json(exclude={"correlation_id"}) for o in seen}) > 1
    }
