"""The consume loop: read a poll, dead-letter what cannot be read, decide the rest, commit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field

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
COMMIT_EVERY_SECONDS = 0.2
FINISHING_DEPTH = 2  # polls of a partition being finished while the next one is decided
OUTBOX_IDLE_SECONDS = 1.0  # a partition with no batch for this long empties its outbox itself
SETTLE_RETRY_SECONDS = 1.0
ASSIGNMENT_CHECK_SECONDS = 0.1  # how soon a newly assigned partition gets its loop


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


@dataclass(eq=False)
class Finishing:
    """A persisted poll on its way out: its offsets and command count, whether it was sent
    (handed to the producer after the polls before it) and whether it is done."""

    persisted: Persisted
    first: int
    end: int
    commands: int
    sent: asyncio.Future[bool] = field(default_factory=asyncio.Future)
    done: asyncio.Task[bool] = field(init=False)


class CommandLoop:
    """Consumes the seat-commands topic for one worker.

    A poll is decided and persisted in the loop; its projections and outcomes (`finish`) run
    in a task chained after the partition's previous poll's, so the next poll is decided and
    persisted meanwhile, but no further: a partition whose finishing falls behind waits, and
    its commands gather into bigger polls. A poll whose finish fails is read again from its
    first offset (`rewinds`), and the polls chained after it are not finished (they are read
    again too; their stored outcomes answer them). Offsets of finished polls are committed
    together every `COMMIT_EVERY_SECONDS` (`commit_finished`)."""

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
        self._finishing: dict[TopicPartition, list[Finishing]] = {}  # in poll order
        self.rewinds: dict[TopicPartition, int] = {}  # partition -> offset to read again from
        self._finished: dict[TopicPartition, int] = {}  # offsets to commit

    async def run(self) -> None:
        """Keep one loop per assigned partition, forever. Partitions share nothing but this
        process: each polls, decides and persists on its own, so one partition's slow batch
        (a Paxos round under contention) never holds up the others' next polls."""
        loops: dict[TopicPartition, asyncio.Task[None]] = {}
        try:
            while True:
                for tp in [tp for tp, loop in loops.items() if loop.done()]:
                    loops.pop(tp).result()  # a loop ends when its partition went, or raises
                for tp in self.consumer.assignment() - loops.keys():
                    loops[tp] = asyncio.create_task(self._poll(tp))
                await asyncio.sleep(ASSIGNMENT_CHECK_SECONDS)
        finally:
            for loop in loops.values():
                loop.cancel()

    async def _poll(self, tp: TopicPartition) -> None:
        """Poll, decide and persist one partition while it is assigned here."""
        while tp in self.consumer.assignment():
            if (offset := self.rewinds.pop(tp, None)) is not None:
                self._finishing.pop(tp, None)  # that chain is broken: a new one begins
                await self._retry(tp, offset, 0.0)
            batches = await self.consumer.getmany(tp, timeout_ms=100, max_records=500)
            if records := batches.get(tp):
                await self._partition(tp, records)
        self.rewinds.pop(tp, None)  # a later owner reads from the committed offset anyway

    async def _partition(self, tp: TopicPartition, records: list[ConsumerRecord]) -> None:
        if tp.partition not in self.owner.epochs:  # assignment still taking its epoch
            await self.ownership.settle()
            if tp.partition not in self.owner.epochs:
                await self._retry(tp, records[0].offset, 0.5)
                return
        # The last poll stays, done or not: the next one may go out only after it went well.
        pending = self._finishing.setdefault(tp, [])
        pending[:] = [p for p in pending[:-1] if not p.done.done()] + pending[-1:]
        busy = [p.done for p in pending if not p.done.done()]
        if len(busy) >= FINISHING_DEPTH:  # finishing falls behind: let commands gather
            await asyncio.wait(busy[:1])
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
        before = pending[-1] if pending else None
        poll = Finishing(persisted, records[0].offset, records[-1].offset + 1, len(commands))
        poll.done = asyncio.create_task(self._finish(tp, poll, before))
        pending.append(poll)

    async def _finish(self, tp: TopicPartition, poll: Finishing, before: Finishing | None) -> bool:
        """Finish a persisted poll: project it (beside the partition's other polls), send it
        once the poll before it has sent, and once Kafka has it and the poll before it is
        finished, mark its offset for commit. False when this poll, or one before it, could
        not be finished."""
        try:
            await self.owner.project(poll.persisted)
            if before is not None and not await before.sent:
                poll.sent.set_result(False)
                return False
            self.owner.send(poll.persisted)
            poll.sent.set_result(True)
            await self.owner.sent(poll.persisted)
        except Exception:
            log.exception("poll not finished; reading it again", partition=tp.partition)
            if not poll.sent.done():
                poll.sent.set_result(False)
            self.owner.forget([tp.partition])  # whatever is being decided now is decided again
            self.rewinds[tp] = min(poll.first, self.rewinds.get(tp, poll.first))
            return False
        if before is not None and not await before.done:
            return False
        COMMANDS.inc(poll.commands)
        self._finished[tp] = poll.end
        return True

    async def commit_finished(self) -> None:
        """Commit the offsets of finished polls, all partitions in one request, forever. A
        commit lost (a rebalance, Kafka away) only makes the next owner replay more: the
        stored outcomes answer what it reads again."""
        while True:
            await asyncio.sleep(COMMIT_EVERY_SECONDS)
            offsets, self._finished = self._finished, {}
            if not offsets:
                continue
            try:
                await self.consumer.commit(offsets)
            except (CommitFailedError, IllegalStateError, KafkaError) as exc:
                log.warning("commit failed; the next owner replays", error=str(exc))

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
