"""The consume loop: read a poll, dead-letter what cannot be read, decide the rest, commit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from contextlib import suppress

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError

from infra.logs import get_logger
from topics.codec import Undecodable, decode_command
from topics.commands import ExpireHoldV1, SeatCommand
from topics.partitioning import seat_partition
from workers.metrics import COMMANDS, DEAD_LETTERS, POLL_SECONDS
from workers.owner import Fenced, Persisted, SeatOwner
from workers.ports import PartitionClaims
from workers.publisher import Publisher

log = get_logger("worker")
EXPIRY_TICK_SECONDS = 0.2
EXPIRY_RESEND_SECONDS = 5.0
OUTBOX_IDLE_SECONDS = 1.0  # a partition with no batch for this long empties its outbox itself
SETTLE_RETRY_SECONDS = 1.0


class Ownership(ConsumerRebalanceListener):  # type: ignore[misc]
    """Takes an owner epoch for each assigned partition and loads the events an earlier owner
    had, so that their holds expire; forgets revoked partitions.

    Cassandra may be away while a rebalance runs. A partition whose claim or load fails then
    stays `unsettled`: the command loop and the expiry tick call `settle` until it succeeds
    (a listener that raised used to leave the worker with no epochs until the next rebalance,
    deciding nothing and expiring nothing: CI fault run, seed 255022784)."""

    def __init__(self, owner: SeatOwner, store: PartitionClaims) -> None:
        self.owner = owner
        self.store = store
        self.unsettled: dict[int, int | None] = {}  # partition -> its epoch before
        self._settling = asyncio.Lock()
        self._next_try = 0.0

    async def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        log.info("partitions revoked", partitions=sorted(tp.partition for tp in revoked))

    async def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        mine = {tp.partition for tp in assigned}
        async with self._settling:
            previous, self.owner.epochs = self.owner.epochs, {}
            self.owner.forget(p for p in previous if p not in mine)
            self.unsettled = {p: previous.get(p) for p in sorted(mine)}
        await self.settle()
        log.info("partitions assigned", epochs=self.owner.epochs, unsettled=list(self.unsettled))

    def reload(self, partition: int) -> None:
        """Load the partition's events again (its state was forgotten after a failed poll), so
        that their holds expire even when no command for them comes."""
        if partition in self.owner.epochs:
            self.unsettled.setdefault(partition, self.owner.epochs[partition])

    async def settle(self) -> None:
        """Claim and load every assigned partition not done yet; what fails waits for the
        next call."""
        if not self.unsettled or time.monotonic() < self._next_try:
            return
        async with self._settling:
            for partition, before in list(self.unsettled.items()):
                try:
                    await self._claim(partition, before)
                except Exception as exc:  # Cassandra away: try again in a second
                    log.warning("partition not settled", partition=partition, error=repr(exc))
                    self._next_try = time.monotonic() + SETTLE_RETRY_SECONDS
                    continue
                del self.unsettled[partition]

    async def _claim(self, partition: int, before: int | None) -> None:
        if partition not in self.owner.epochs:
            epoch = await self.store.claim_partition(partition, before)
            if epoch != before:
                self.owner.forget([partition])
            self.owner.epochs[partition] = epoch
        for event_id in await self.store.partition_events(partition):
            try:
                await self.owner.live(event_id, partition)
            except Fenced:
                log.warning("event owned elsewhere", event_id=event_id, partition=partition)


class CommandLoop:
    """Consumes the seat-commands topic for one worker.

    A poll is decided and persisted in the loop; its projections, outcomes and offset commit
    (`finish`) run in a task chained after the partition's previous poll's, so the next poll
    is decided and persisted meanwhile. A poll whose finish fails is read again from its first
    offset (`rewinds`), and the polls chained after it are not finished (they are read again
    too; their stored outcomes answer them)."""

    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        owner: SeatOwner,
        publisher: Publisher,
        ownership: Ownership,
    ) -> None:
        self.consumer = consumer
        self.owner = owner
        self.publisher = publisher
        self.ownership = ownership
        self._expiry_sent: dict[str, float] = {}
        self._finishing: dict[TopicPartition, asyncio.Task[bool]] = {}
        self.rewinds: dict[TopicPartition, int] = {}  # partition -> offset to read again from

    async def run(self) -> None:
        """Poll forever."""
        while True:
            for tp, offset in list(self.rewinds.items()):
                del self.rewinds[tp]
                self._finishing.pop(tp, None)  # that chain is broken: a new one begins
                await self._retry(tp, offset, 0.0)
            batches = await self.consumer.getmany(timeout_ms=100, max_records=500)
            # Partitions share nothing but this process: decide and persist them side by side.
            await asyncio.gather(*(self._partition(tp, records) for tp, records in batches.items()))

    async def _partition(self, tp: TopicPartition, records: list[ConsumerRecord]) -> None:
        if tp.partition not in self.owner.epochs:  # assignment still taking its epoch
            await self.ownership.settle()
            if tp.partition not in self.owner.epochs:
                await self._retry(tp, records[0].offset, 0.5)
                return
        commands = [c for c in (self._decode(r) for r in records) if c is not None]
        with POLL_SECONDS.time():
            try:
                persisted = await self.owner.decide(tp.partition, commands)
            except Fenced as fenced:
                log.warning("fenced off", partition=tp.partition, event_id=str(fenced))
                await self._retry(tp, records[0].offset, 1.0)
                return
            except Exception:
                log.exception("poll failed; retrying from its first offset", partition=tp.partition)
                await self._retry(tp, records[0].offset, 1.0)
                return
        before = self._finishing.get(tp)
        span = (records[0].offset, records[-1].offset + 1, len(commands))
        self._finishing[tp] = asyncio.create_task(self._finish(tp, before, persisted, span))

    async def _finish(
        self,
        tp: TopicPartition,
        before: asyncio.Task[bool] | None,
        persisted: Persisted,
        span: tuple[int, int, int],
    ) -> bool:
        """Finish a persisted poll after the partition's previous one, then commit its offset
        (`span`: its first offset, the offset after it, its command count); False when this
        poll (or one before it) could not be finished."""
        if before is not None and not await before:
            return False
        try:
            await self.owner.finish(persisted)
        except Exception:
            log.exception("poll not finished; reading it again", partition=tp.partition)
            self.owner.forget([tp.partition])  # whatever is being decided now is decided again
            self.rewinds[tp] = min(span[0], self.rewinds.get(tp, span[0]))
            return False
        COMMANDS.inc(span[2])
        try:
            await self.consumer.commit({tp: span[1]})
        except (CommitFailedError, KafkaError) as exc:
            log.warning("commit failed; the next owner replays", error=str(exc))
        return True

    async def _retry(self, tp: TopicPartition, offset: int, pause: float) -> None:
        """Forget the partition's state and read it again from `offset` (if still ours)."""
        self.owner.forget([tp.partition])
        self.ownership.reload(tp.partition)
        with suppress(IllegalStateError):
            self.consumer.seek(tp, offset)
        await asyncio.sleep(pause)

    def _decode(self, record: ConsumerRecord) -> SeatCommand | None:
        try:
            command = decode_command(record.key, record.value)
            if seat_partition(command.event_id) != record.partition:
                # Decided here, it would have two deciders and its state a shard nobody reads.
                raise Undecodable(
                    "wrong_partition", f"event {command.event_id} is not decided here"
                )
            return command
        except Undecodable as exc:
            DEAD_LETTERS.labels(reason=exc.reason).inc()
            self.publisher.dead_letter(record, exc)
            return None

    async def expire_due(self) -> None:
        """Publish an ExpireHold for every lapsed hold, in its own partition, forever (and
        empty the outboxes of partitions that had no batch to do it)."""
        while True:
            await asyncio.sleep(EXPIRY_TICK_SECONDS)
            await self.ownership.settle()
            now = self.owner.clock()
            for event_id, holding_id in self.owner.due_expiries():
                if now - self._expiry_sent.get(holding_id, 0.0) < EXPIRY_RESEND_SECONDS:
                    continue
                self._expiry_sent[holding_id] = now
                self.publisher.command(
                    event_id,
                    ExpireHoldV1(
                        command_id=f"expire:{holding_id}", event_id=event_id, holding_id=holding_id
                    ),
                )
            for holding_id in [h for h, t in self._expiry_sent.items() if now - t > 60]:
                del self._expiry_sent[holding_id]
            try:
                await self.publisher.flush()
            except KafkaError as exc:  # not worth sending again; due expiries are sent anew
                log.warning("expiry publish failed", error=str(exc))
            await self.owner.flush_delivered(OUTBOX_IDLE_SECONDS)
