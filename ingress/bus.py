"""Request and reply over Kafka: send a seat command, await its outcome on our reply partition."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable
from contextlib import suppress

from aiokafka import TopicPartition
from pydantic import ValidationError

from infra.kafka import make_consumer, make_producer
from infra.logs import get_logger
from infra.settings import Settings
from topics.codec import decode_outcome, encode
from topics.commands import SeatCommand
from topics.names import SEAT_REPLIES, Topics
from topics.outcomes import CommandOutcomeV1

log = get_logger("ingress.bus")


class CommandTimeout(Exception):
    """No outcome within the timeout; the command may still be decided later."""

    def __init__(self, command: SeatCommand) -> None:
        super().__init__(command.command_id)
        self.command = command


class CommandBus:
    """One producer for commands; one assigned reply partition read by this instance alone.

    Several instances may share a reply partition by chance: outcomes are matched by
    correlation id, so a stranger's outcome is just skipped."""

    def __init__(
        self,
        settings: Settings,
        topics: Topics,
        observer: Callable[[CommandOutcomeV1], None] | None = None,
    ) -> None:
        self.settings = settings
        self.observer = observer  # sees each outcome before its requester does
        self.topics = topics
        self.partition = random.randrange(SEAT_REPLIES.partitions)
        self.producer = make_producer(settings, "ingress")
        self.consumer = make_consumer(
            settings,
            "ingress",
            enable_auto_commit=False,
            group_id=None,
            fetch_max_wait_ms=20,
        )
        self._waiting: dict[str, asyncio.Future[CommandOutcomeV1]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.producer.start()
        await self.consumer.start()
        tp = TopicPartition(self.topics.seat_replies, self.partition)
        self.consumer.assign([tp])
        await self.consumer.seek_to_end(tp)
        await self.consumer.position(tp)
        self._reader = asyncio.create_task(self._read())

    async def stop(self) -> None:
        if self._reader:
            self._reader.cancel()
            with suppress(asyncio.CancelledError):
                await self._reader
        await self.consumer.stop()
        await self.producer.stop()

    async def ask(self, command: SeatCommand) -> CommandOutcomeV1:
        """Send `command` and wait for its outcome, or raise CommandTimeout."""
        correlation_id = uuid.uuid4().hex
        addressed = command.model_copy(
            update={"correlation_id": correlation_id, "reply_partition": self.partition}
        )
        waiting: asyncio.Future[CommandOutcomeV1] = asyncio.get_running_loop().create_future()
        self._waiting[correlation_id] = waiting
        try:
            async with asyncio.timeout(self.settings.command_timeout_seconds):
                await self.producer.send_and_wait(
                    self.topics.seat_commands, encode(addressed), key=command.event_id.encode()
                )
                return await waiting
        except TimeoutError:
            raise CommandTimeout(command) from None
        finally:
            self._waiting.pop(correlation_id, None)

    async def _read(self) -> None:
        async for record in self.consumer:
            try:
                outcome = decode_outcome(record.value)
            except ValidationError:
                log.warning("unreadable reply", offset=record.offset)
                continue
            if self.observer is not None:
                try:
                    self.observer(outcome)
                except Exception:  # a read model's fault must not stop the replies
                    log.exception("outcome observer failed", command_id=outcome.command_id)
            waiting = self._waiting.get(outcome.correlation_id or "")
            if waiting is not None and not waiting.done():
                waiting.set_result(outcome)
