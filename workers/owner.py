"""The partition owner: decides each event's commands in order and persists them in one batch."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from infra.logs import get_logger
from seating import (
    BookingCancelled,
    Decision,
    ErrorCode,
    Hold,
    HoldConfirmed,
    HoldExpired,
    HoldStatus,
    PaymentRequested,
    WaitlistEvent,
    decide,
    evolve,
)
from tables.event_state import Waiter
from topics.commands import ConfirmHoldV1, HoldSeatsV1, RecordPaymentV1, SeatCommand
from topics.events import BookingEventV1
from topics.outcomes import CommandOutcomeV1, ErrorBody, OutcomeCode
from topics.results import WaitlistResultV1, as_result
from workers.live import LiveEvent
from workers.ports import PaymentsPort, PublisherPort, SeatStorePort
from workers.store import Changes, EventWrite, Rules
from workers.views import booking_view, hold_view

log = get_logger("owner")
SEAT_REFRESH_SECONDS = 1.0
_BOOKING_ANSWERS = frozenset({"confirm_hold", "record_payment", "cancel_booking"})
_CREATING = frozenset({"hold_seats", "record_payment"})


class Fenced(Exception):
    """The partition's shard moved on without this worker's state: a newer owner holds it, or
    a batch of ours that we took for failed landed after all. Its state must be read again."""


@dataclass
class PollResult:
    """What deciding one poll produced, to publish once it is persisted."""

    outcomes: list[tuple[int | None, CommandOutcomeV1]] = field(default_factory=list)
    events: list[tuple[LiveEvent, BookingEventV1]] = field(default_factory=list)
    payments: list[tuple[str, PaymentRequested]] = field(default_factory=list)
    refunds: list[tuple[BookingCancelled, str]] = field(default_factory=list)
    voids: list[str] = field(default_factory=list)  # holds expired: any charge given back
    bookings: list[tuple[LiveEvent, str]] = field(default_factory=list)


@dataclass
class Persisted:
    """A poll decided and persisted: what it produced, and the shard version and owner epoch
    of the state it was decided on (its projections are stamped with them)."""

    partition: int
    result: PollResult
    version: int
    epoch: int


class SeatOwner:
    """Per-event state for the partitions this worker owns."""

    def __init__(
        self,
        store: SeatStorePort,
        publisher: PublisherPort,
        rules: Rules,
        payments: PaymentsPort,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.publisher = publisher
        self.rules = rules
        self.payments = payments
        self.clock = clock
        self.epochs: dict[int, int] = {}
        self.versions: dict[int, int | None] = {}  # each shard's version, once read
        self.events: dict[str, LiveEvent] = {}
        self._loading: dict[str, asyncio.Lock] = {}
        self._reading: dict[int, asyncio.Lock] = {}
        self._forgotten: dict[int, int] = {}
        # Booking events Kafka has, still in their outboxes: deleted in the partition's next
        # batch, or by `flush_delivered` when none comes. partition -> (since, event -> ids)
        self._delivered: dict[int, tuple[float, dict[str, list[str]]]] = {}

    # -- ownership -------------------------------------------------------------------------

    def forget(self, partitions: Iterable[int]) -> None:
        """Drop the state of events in `partitions`, and whatever is being loaded for them."""
        gone = set(partitions)
        for partition in gone:
            self._forgotten[partition] = self._forgotten.get(partition, 0) + 1
            self.versions.pop(partition, None)
            self._delivered.pop(partition, None)  # republished on load; readers drop them
        for event_id in [e for e, live in self.events.items() if live.partition in gone]:
            del self.events[event_id]

    async def live(self, event_id: str, partition: int) -> LiveEvent | None:
        """The event's state, loading it when first needed.

        One load of an event at a time, and a load that `forget` overtook is done again: a
        state read before a write of ours must never replace the state that made the write."""
        live = self.events.get(event_id)
        if live is not None:
            return live
        async with self._loading.setdefault(event_id, asyncio.Lock()):
            while (live := self.events.get(event_id)) is None:
                forgotten = self._forgotten.get(partition, 0)
                loaded = await self._load(event_id, partition)
                if loaded is None:
                    return None
                await self._republish(loaded)
                if self._forgotten.get(partition, 0) == forgotten:
                    self._install(loaded)
            return live

    async def _load(self, event_id: str, partition: int) -> LiveEvent | None:
        meta = await self.store.event_meta(event_id)
        if meta is None:
            return None
        if partition not in self.epochs:
            raise Fenced(event_id)
        await self._read_version(partition)
        live = await self.store.load_event(meta, event_id, partition, self.rules)
        live.seats_read_at = self.clock()
        return live

    async def _read_version(self, partition: int) -> None:
        """Know the shard's version before reading any of its events: a batch of ours that
        lands after the version was read then fails our next write, so no state read after
        the version is ever written over by one that missed it."""
        async with self._reading.setdefault(partition, asyncio.Lock()):
            while partition not in self.versions:
                forgotten = self._forgotten.get(partition, 0)
                version = await self.store.shard_version(partition)
                if self._forgotten.get(partition, 0) == forgotten:
                    self.versions[partition] = version

    async def _republish(self, live: LiveEvent) -> None:
        """Publish the booking events an earlier poll persisted but may not have published (its
        worker killed, or the poll failed after its batch); readers drop those they have. Before
        anything new is decided for the event, so they stay in decision order."""
        if not live.outbox:
            return
        event_id = live.state.event_id
        for event in live.outbox:
            self.publisher.booking_event(event_id, event)
        await self.publisher.flush()
        try:
            await self.store.delivered(
                live.partition, event_id, [e.message_id for e in live.outbox]
            )
        except Exception as exc:  # the next load publishes them once more; readers drop them
            log.warning("outbox not emptied", event_id=event_id, error=str(exc))
        live.outbox = []

    def _install(self, live: LiveEvent) -> None:
        self.events[live.state.event_id] = live
        for hold in live.state.live_holds():
            if hold.status.value == "confirming" and hold.payment_token:
                self.payments.start(live.state.event_id, _resumed_payment(hold))

    # -- deciding ---------------------------------------------------------------------------

    async def handle(self, partition: int, commands: list[SeatCommand]) -> None:
        """Decide, persist and publish a poll's commands for one partition."""
        await self.finish(await self.decide(partition, commands))

    async def decide(self, partition: int, commands: list[SeatCommand]) -> Persisted:
        """Decide a poll's commands for one partition and persist them: every event's changes
        in one batch, fenced by the partition's epoch and its shard's version. What it
        produced is published by `finish`, which the next poll need not wait for."""
        epoch = self.epochs.get(partition)
        if epoch is None:
            raise Fenced(f"partition {partition}")
        forgotten = self._forgotten.get(partition, 0)
        by_event: dict[str, list[SeatCommand]] = {}
        for command in commands:
            by_event.setdefault(command.event_id, []).append(command)
        result = PollResult()
        decided: dict[str, EventWrite] = {}
        for event_id, event_commands in by_event.items():
            live = await self.live(event_id, partition)
            if live is None:
                for command in event_commands:
                    result.outcomes.append((command.reply_partition, _no_event(command)))
                continue
            await self._refresh_seats(live, event_commands)
            changes = Changes()
            for command in event_commands:
                self._apply(live, command, changes, result)
            decided[event_id] = (live, changes)
        await self._settle_payments(decided, result)
        writes = [(live, changes) for live, changes in decided.values() if changes]
        if writes:
            await self._write(partition, epoch, forgotten, writes)
        version = self.versions.get(partition)
        if result.bookings and (version is None or self._forgotten.get(partition, 0) != forgotten):
            raise Fenced(f"partition {partition}")  # forgotten meanwhile: decide again
        return Persisted(partition, result, version or 0, epoch)

    async def _settle_payments(self, decided: dict[str, EventWrite], result: PollResult) -> None:
        """Decide in this poll the charges that answer within the payment desk's budget, so a
        confirm costs one poll, not two. They are charged before the poll lands: a poll that
        fails is decided again and charges the same key (one charge), and a hold whose time
        runs out before that has its charge voided when it expires."""
        answered = await self.payments.settle(result.payments)
        if not answered:
            return
        settled = {(c.holding_id, c.attempt) for c in answered}
        result.payments = [
            (event_id, requested)
            for event_id, requested in result.payments
            if (requested.holding_id, requested.attempt) not in settled
        ]
        for command in answered:
            live, changes = decided[command.event_id]
            self._apply(live, command, changes, result)

    async def _write(
        self, partition: int, epoch: int, forgotten: int, writes: list[EventWrite]
    ) -> None:
        """Persist a poll, or forget the partition's state and raise: after a failure (the
        batch may still land) or a refusal, only Cassandra knows what the state is."""
        if self._forgotten.get(partition, 0) != forgotten or partition not in self.versions:
            raise Fenced(f"partition {partition}")  # forgotten while we decided: read again
        version = self.versions[partition]
        _, delivered = self._delivered.pop(partition, (0.0, {}))
        try:
            written = await self.store.write(partition, epoch, version, writes, delivered)
        except BaseException:
            self.forget([partition])
            raise
        if not written:
            self.forget([partition])
            raise Fenced(f"partition {partition}")
        self.versions[partition] = (version or 0) + 1

    async def _refresh_seats(self, live: LiveEvent, commands: list[SeatCommand]) -> None:
        """Read the venue's seats again when a hold names seats (or a type) we do not know:
        seats may be added to a venue after its event was loaded. The first time at once, then
        at most once a second."""
        state = live.state
        unknown = any(
            isinstance(c, HoldSeatsV1)
            and (
                any(s not in state.seats for s in c.seat_ids)
                or (c.seat_type is not None and c.seat_type not in state.rows)
            )
            for c in commands
        )
        now = self.clock()
        if unknown and (not live.seats_reread or now - live.seats_read_at >= SEAT_REFRESH_SECONDS):
            live.seats_read_at, live.seats_reread = now, True
            state.seats = await self.store.seats(live.venue_id, live.prices)
            state.reindex()

    def _apply(
        self, live: LiveEvent, command: SeatCommand, changes: Changes, result: PollResult
    ) -> None:
        known = live.outcomes.get(command.command_id)
        if known is not None and not _same_sender(known, command):
            # Not this command delivered again: another user's hold with the same id.
            result.outcomes.append((command.reply_partition, _command_id_reused(command)))
            return
        if known is not None:
            # The poll that decided it may have failed after its batch, before the projection.
            booked = live.state.holds.get(str((known.result or {}).get("holding_id")))
            if booked is not None and booked.booking_id and (known.result or {}).get("booking_id"):
                result.bookings.append((live, booked.holding_id))
                if command.type == "cancel_booking" and booked.booking_cancelled:
                    result.refunds.append((_cancellation(booked), booked.charge_id or ""))
            lapsed = live.state.holds.get(getattr(command, "holding_id", ""))
            if lapsed is not None and lapsed.status is HoldStatus.EXPIRED:
                result.voids.append(lapsed.holding_id)  # its voiding may not have happened
            result.outcomes.append((command.reply_partition, _readdressed(known, command)))
            return
        now = self.clock()
        decision = decide(live.state, command.to_domain(), now)
        at = datetime.fromtimestamp(now, UTC)
        for index, event in enumerate(decision.events):
            evolve(live.state, event)
            if isinstance(event, WaitlistEvent):
                changes.waits.add(event.waitlist_id)
            else:
                changes.holds.add(event.holding_id)
            wrapped = BookingEventV1.wrap(
                event,
                event_id=live.state.event_id,
                command_id=command.command_id,
                index=index,
                at=at,
            )
            result.events.append((live, wrapped))
            changes.events.append(wrapped)
            if isinstance(event, PaymentRequested):
                result.payments.append((live.state.event_id, event))
            elif isinstance(event, BookingCancelled):
                charge_id = live.state.holds[event.holding_id].charge_id
                result.refunds.append((event, charge_id or ""))
                result.bookings.append((live, event.holding_id))
            elif isinstance(event, HoldConfirmed):
                result.bookings.append((live, event.holding_id))
            elif isinstance(event, HoldExpired):
                result.voids.append(event.holding_id)
        if decision.pending and isinstance(command, ConfirmHoldV1):
            waiting = live.waiters.setdefault(command.holding_id, [])
            if all(w.command_id != command.command_id for w in waiting):
                waiting.append(
                    Waiter(command.command_id, command.correlation_id, command.reply_partition)
                )
            changes.holds.add(command.holding_id)
            return
        outcome = _outcome(live, command, decision)
        self._record(live, command.reply_partition, outcome, changes, result)
        if isinstance(command, RecordPaymentV1) and decision.events:
            # An outage is answered but not stored: the same confirm, retried, pays again.
            transient = outcome.error is not None and outcome.error.code == "payment_unavailable"
            for waiter in live.waiters.pop(command.holding_id, []):
                answer = outcome.model_copy(
                    update={
                        "command_id": waiter.command_id,
                        "correlation_id": waiter.correlation_id,
                    }
                )
                if transient:
                    result.outcomes.append((waiter.reply_partition, answer))
                else:
                    self._record(live, waiter.reply_partition, answer, changes, result)
            changes.holds.add(command.holding_id)

    @staticmethod
    def _record(
        live: LiveEvent,
        reply_partition: int | None,
        outcome: CommandOutcomeV1,
        changes: Changes,
        result: PollResult,
    ) -> None:
        live.outcomes[outcome.command_id] = outcome
        changes.outcomes[outcome.command_id] = outcome
        result.outcomes.append((reply_partition, outcome))

    async def finish(self, persisted: Persisted) -> None:
        """Project, start payments and publish what a persisted poll produced; a failure
        means the poll must be read again. The three steps, for a pipeline: polls of a
        partition may project side by side, but must `send` in their order."""
        await self.project(persisted)
        self.send(persisted)
        await self.sent(persisted)

    async def project(self, persisted: Persisted) -> None:
        """Write a poll's booking projections, refunds and voids: idempotent writes, side by
        side. A projection is stamped with the version and epoch its poll was decided on: a
        late one of a stale owner, or of an earlier poll, loses."""
        result = persisted.result
        booked = [(live, live.state.holds[h]) for live, h in result.bookings]
        await asyncio.gather(
            self.store.project_bookings(booked, persisted.version, persisted.epoch),
            *(self.payments.refund(cancelled, charge) for cancelled, charge in result.refunds),
            *(self.payments.void(holding_id) for holding_id in result.voids),
        )

    def send(self, persisted: Persisted) -> None:
        """Start a projected poll's payments and hand its outcomes and booking events to the
        producer (which keeps their order)."""
        result = persisted.result
        for event_id, requested in result.payments:
            self.payments.start(event_id, requested)
        for reply_partition, outcome in result.outcomes:
            self.publisher.outcome(reply_partition, outcome)
        for live, event in result.events:
            self.publisher.booking_event(live.state.event_id, event)

    async def sent(self, persisted: Persisted) -> None:
        """Wait until Kafka has what `send` gave it (and everything sent before)."""
        partition, result = persisted.partition, persisted.result
        await self.publisher.flush()
        if result.events:  # Kafka has them: out of the outbox, with the partition's next batch
            _, delivered = self._delivered.setdefault(partition, (self.clock(), {}))
            for live, event in result.events:
                delivered.setdefault(live.state.event_id, []).append(event.message_id)

    async def flush_delivered(self, older_than: float = 0.0) -> None:
        """Delete from the outboxes the booking events Kafka has had for `older_than` seconds
        with no batch of their partition to take them. A delete that fails leaves a duplicate
        for the next owner to publish (readers drop it), nothing lost: it is only logged."""
        now = self.clock()
        due = [p for p, (since, _) in self._delivered.items() if now - since >= older_than]
        work = [
            (event_id, self.store.delivered(partition, event_id, ids))
            for partition in due
            for event_id, ids in self._delivered.pop(partition)[1].items()
        ]
        errors = await asyncio.gather(*(w for _, w in work), return_exceptions=True)
        for (event_id, _), error in zip(work, errors, strict=True):
            if isinstance(error, Exception):
                log.warning("outbox not emptied", event_id=event_id, error=str(error))

    def due_expiries(self) -> list[tuple[str, str]]:
        """(event id, holding id) of every hold whose time is up."""
        now = self.clock()
        return [
            (event_id, holding_id)
            for event_id, live in self.events.items()
            for holding_id in live.state.due_expiries(now)
        ]


def _resumed_payment(hold: Hold) -> PaymentRequested:
    assert hold.payment_token  # noqa: S101 - only confirming holds with a token are resumed
    return PaymentRequested(
        hold.holding_id, hold.user_id, hold.total_price, hold.payment_token, hold.payment_attempt
    )


def _cancellation(hold: Hold) -> BookingCancelled:
    """The cancellation of a hold's booking, to refund it again (refunds are idempotent)."""
    assert hold.booking_id and hold.refund_id  # noqa: S101 - only for cancelled bookings
    return BookingCancelled(
        hold.booking_id,
        hold.holding_id,
        hold.user_id,
        hold.seats,
        hold.total_price,
        hold.refund_id,
        by_admin=False,
    )


def _outcome(live: LiveEvent, command: SeatCommand, decision: Decision) -> CommandOutcomeV1:
    base = {
        "command_id": command.command_id,
        "correlation_id": command.correlation_id,
        "event_id": live.state.event_id,
    }
    if decision.rejection is not None:
        error = ErrorBody(
            code=decision.rejection.code.value,
            message=decision.rejection.message,
            details=decision.rejection.details,
        )
        return CommandOutcomeV1(**base, status="rejected", error=error)
    entry = live.state.waitlist.get(decision.waitlist_id or "")
    if entry is not None:
        line = list(live.state.waitlist.values())
        shown = WaitlistResultV1.of(entry, line).model_dump(exclude_none=True)
        joined = command.type == "join_waitlist" and bool(decision.events)
        return CommandOutcomeV1(**base, status="created" if joined else "ok", result=shown)
    hold = live.state.holds.get(decision.holding_id or "")
    if hold is None:
        return CommandOutcomeV1(**base, status="ok", result={"holding_id": decision.holding_id})
    view = booking_view if command.type in _BOOKING_ANSWERS else hold_view
    status = "created" if command.type in _CREATING else "ok"
    result = as_result(view(live.state.event_id, hold))
    return CommandOutcomeV1(**base, status=status, result=result)


def _readdressed(outcome: CommandOutcomeV1, command: SeatCommand) -> CommandOutcomeV1:
    """A stored outcome, addressed to whoever sent the command this time."""
    return outcome.model_copy(update={"correlation_id": command.correlation_id})


def _same_sender(outcome: CommandOutcomeV1, command: SeatCommand) -> bool:
    """Whether a stored hold outcome may answer `command`: its hold is the sender's own."""
    holder = (outcome.result or {}).get("user_id")
    return not isinstance(command, HoldSeatsV1) or holder is None or holder == command.user_id


def _command_id_reused(command: SeatCommand) -> CommandOutcomeV1:
    """The refusal of a command whose id belongs to another user's hold (not stored: the id's
    own outcome stays the one its sender gets again)."""
    return CommandOutcomeV1(
        command_id=command.command_id,
        correlation_id=command.correlation_id,
        event_id=command.event_id,
        status="rejected",
        error=ErrorBody(
            code=ErrorCode.COMMAND_ID_REUSED.value,
            message="this command id belongs to another hold",
        ),
    )


def _no_event(command: SeatCommand) -> CommandOutcomeV1:
    return CommandOutcomeV1(
        command_id=command.command_id,
        correlation_id=command.correlation_id,
        event_id=command.event_id,
        status="rejected",
        error=ErrorBody(code=OutcomeCode.EVENT_NOT_FOUND.value, message="no such event"),
    )
