"""The partner gateway: reads every partner's command topic, stamps the partner's identity,
lets through only hold, confirm and cancel within the partner's limits, forwards them to the
seat workers, and answers every command on the partner's own result topic.

Which partner sent a command is the topic it came on (only that partner may write it, by ACL),
never anything in the message. Offsets are committed only after what a poll produced is
acknowledged, so a crash sends a command again; the seat workers drop a command they decided
already (by its partner-scoped id) and answer it the same way."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from pydantic import ValidationError

from infra.cassandra import Statements
from infra.logs import get_logger
from infra.sender import Sender
from partners.limits import RateLimits
from partners.metrics import ANSWERS, FORWARDED
from tables import partners
from tables.partners import Partner
from topics.codec import Undecodable, decode_outcome
from topics.outcomes import CommandOutcomeV1, OutcomeCode
from topics.partners import (
    decode_partner_command,
    for_partner,
    partner_ids,
    refusal,
    to_internal,
)

log = get_logger("gateway")
DIRECTORY_SECONDS = 30.0


class PartnerSender(Sender):
    """What the gateway sends: forwarded commands and answers to partners."""

    def forward(self, event_id: str, command: Any) -> None:
        self._send(self.topics.seat_commands, event_id, command)

    def answer(self, partner_id: str, outcome: CommandOutcomeV1) -> None:
        key = outcome.correlation_id or outcome.command_id or None
        self._send(self.topics.partner_results(partner_id), key, outcome)


class Directory:
    """Partners by id, read from Cassandra and kept briefly."""

    def __init__(self, q: Statements, clock: Any) -> None:
        self.q = q
        self.clock = clock
        self._known: dict[str, tuple[float, Partner | None]] = {}

    async def get(self, partner_id: str) -> Partner | None:
        cached = self._known.get(partner_id)
        if cached and cached[0] > self.clock():
            return cached[1]
        partner = await partners.read(self.q, partner_id)
        self._known[partner_id] = (self.clock() + DIRECTORY_SECONDS, partner)
        return partner


class Gateway:
    """Two loops: partner commands in, outcomes for partners out."""

    def __init__(
        self,
        commands: AIOKafkaConsumer,
        results: AIOKafkaConsumer,
        sender: PartnerSender,
        directory: Directory,
        limits: RateLimits,
    ) -> None:
        self.commands = commands
        self.results = results
        self.sender = sender
        self.directory = directory
        self.limits = limits

    async def run(self) -> None:
        await asyncio.gather(
            self._loop(self.commands, self.command), self._loop(self.results, self.result)
        )

    async def _loop(self, consumer: AIOKafkaConsumer, handle: Any) -> None:
        """Handle each poll, and commit it once what it produced is acknowledged. A poll that
        fails (Cassandra or Kafka away) is read again from its first offsets."""
        while True:
            batches = await consumer.getmany(timeout_ms=100, max_records=500)
            if not batches:
                continue
            try:
                for records in batches.values():
                    for record in records:
                        await handle(record)
                await self.sender.flush()
            except Exception:
                log.exception("poll failed; reading it again")
                for tp, records in batches.items():
                    with suppress(IllegalStateError):
                        consumer.seek(tp, records[0].offset)
                await asyncio.sleep(1.0)
                continue
            try:
                await consumer.commit({tp: rs[-1].offset + 1 for tp, rs in batches.items()})
            except (CommitFailedError, KafkaError) as exc:  # a rebalance: the next owner replays
                log.warning("commit failed", error=str(exc))

    async def command(self, record: ConsumerRecord) -> None:
        """Forward one partner command, or answer why not."""
        partner_id = self.sender.topics.partner_of(record.topic)
        partner = await self.directory.get(partner_id) if partner_id else None
        if partner is None:
            self.sender.dead_letter(
                record, Undecodable("unknown_partner", f"no partner for {record.topic}")
            )
            return
        try:
            command = decode_partner_command(record.key, record.value)
        except Undecodable as exc:
            self.sender.dead_letter(record, exc)
            ids = partner_ids(record.value)
            code = (
                OutcomeCode.COMMAND_NOT_ALLOWED
                if exc.reason == "command_not_allowed"
                else OutcomeCode.INVALID_COMMAND
            )
            self._answer(
                partner,
                refusal(code, exc.detail, **ids, reason=exc.reason, offset=record.offset),
            )
            return
        if not self.limits.allow(partner.partner_id, partner.commands_per_second):
            self._answer(
                partner,
                refusal(
                    OutcomeCode.RATE_LIMITED,
                    f"at most {partner.commands_per_second:g} commands a second",
                    command_id=command.command_id,
                    correlation_id=command.correlation_id or command.command_id,
                    event_id=command.event_id,
                    limit=partner.commands_per_second,
                ),
            )
            return
        internal = to_internal(
            command, partner.partner_id, partner.user_id, partner.seats_per_event
        )
        self.sender.forward(command.event_id, internal)
        FORWARDED.labels(type=command.type).inc()

    async def result(self, record: ConsumerRecord) -> None:
        """Pass an outcome of a forwarded command to its partner."""
        try:
            outcome = decode_outcome(record.value)
        except ValidationError:
            log.warning("unreadable outcome", offset=record.offset, partition=record.partition)
            return
        routed = for_partner(outcome)
        if routed is None:
            return
        partner_id, answer = routed
        self.sender.answer(partner_id, answer)
        ANSWERS.labels(status=answer.status).inc()

    def _answer(self, partner: Partner, outcome: CommandOutcomeV1) -> None:
        self.sender.answer(partner.partner_id, outcome)
        ANSWERS.labels(status=outcome.status).inc()
