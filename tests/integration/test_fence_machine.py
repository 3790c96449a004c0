"""The fence as a state machine: two owners of one partition interleave claims, loads,
decisions and writes against the real seat store, with answers lost and batches landing late
(hypothesis drives the interleavings). A batch applies exactly when its epoch still owns the
shard and nobody wrote since the version it read; no seat is ever in two live holds; no hold a
buyer was told about is lost; every cancel a buyer was told about stays done, and nothing else
cancels a hold (a cancel whose answer was lost may have landed: the hold is then held or
cancelled until the cancel, delivered again, is answered)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import orjson
import pytest
from cassandra.cluster import Session
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from infra.cassandra import Statements, connect
from infra.settings import Settings
from seating.ids import holding_id_for
from tables import event_state
from tests.checker import seat_conflicts
from tests.integration.late_store import LateStore
from tests.integration.seed import seed_event
from tests.unit.workers.fakes import FakePayments, FakePublisher
from topics.commands import CancelHoldV1, HoldSeatsV1, SeatCommand
from topics.partitioning import seat_partition
from workers.owner import Fenced, SeatOwner
from workers.store import Rules

pytestmark = pytest.mark.integration
SEATS = ("A-1", "A-2", "A-3")
OWNERS = ("a", "b")
T = TypeVar("T")


class Owner:
    """One worker: its seat owner, its store (whose batches may be late), the poll it failed
    (delivered again until it succeeds) and how much of its publisher's output was read."""

    def __init__(self, name: str, q: Statements) -> None:
        self.store = LateStore(q, owner=f"owner-{name}", topic="seat-commands")
        self.publisher = FakePublisher()
        self.owner = SeatOwner(
            self.store,
            self.publisher,
            Rules(max_seats_per_hold=10, max_active_holds_per_user=10),
            FakePayments(),
        )
        self.failed: list[SeatCommand] = []
        self.read = 0


class FenceMachine(RuleBasedStateMachine):
    """The shard of one event, fought over by two owners."""

    def __init__(self, settings: Settings, session: Session) -> None:
        super().__init__()
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.event_id, _ = seed_event(settings, rows="A", per_row=len(SEATS))
        self.partition = seat_partition(self.event_id)
        q = Statements(session)
        self.owners = {name: Owner(name, q) for name in OWNERS}
        self.commands = 0
        self.told: dict[str, tuple[str, str]] = {}  # holding id -> (seat, user), told "created"
        self.cancelled: set[str] = set()  # holding ids whose cancel was answered "ok"
        self.cancel_sent: set[str] = set()  # holding ids a cancel was sent for, answered or not

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    @initialize()
    def both_own_once(self) -> None:
        """Each owner took the partition once (b after a: a is already stale)."""
        for name in OWNERS:
            self.claim(name)

    @rule(name=st.sampled_from(OWNERS))
    def claim(self, name: str) -> None:
        """The partition is (re)assigned to `name`: it takes the next epoch, or keeps its own
        when nobody took the partition since."""
        owner = self.owners[name].owner
        before = owner.epochs.get(self.partition)
        epoch = self.run(self.owners[name].store.claim_partition(self.partition, before))
        if epoch != before:
            owner.forget([self.partition])
        owner.epochs[self.partition] = epoch

    @rule(name=st.sampled_from(OWNERS), seat=st.sampled_from(SEATS))
    def hold(self, name: str, seat: str) -> None:
        self.commands += 1
        command_id, user = f"c{self.commands}", f"u{self.commands}"
        command = HoldSeatsV1(
            command_id=command_id, event_id=self.event_id, user_id=user, seat_ids=[seat]
        )
        self.poll(name, [command])

    @rule(name=st.sampled_from(OWNERS), data=st.data())
    def cancel(self, name: str, data: st.DataObject) -> None:
        live = sorted(h for h in self.told if h not in self.cancelled)
        if not live:
            return
        holding_id = data.draw(st.sampled_from(live))
        self.cancel_sent.add(holding_id)
        self.commands += 1
        command = CancelHoldV1(
            command_id=f"x{self.commands}",
            event_id=self.event_id,
            user_id=self.told[holding_id][1],
            holding_id=holding_id,
        )
        self.poll(name, [command])

    @precondition(lambda self: any(o.failed for o in self.owners.values()))
    @rule(name=st.sampled_from(OWNERS))
    def deliver_again(self, name: str) -> None:
        """Kafka delivers a failed poll again (to whoever polls the partition now)."""
        for owner in self.owners.values():
            if owner.failed:
                commands, owner.failed = owner.failed, []
                self.poll(name, commands)
                return

    @rule(name=st.sampled_from(OWNERS))
    def lose_the_next_answer(self, name: str) -> None:
        store = self.owners[name].store
        if store.late is None:
            store.hold_back = True

    @rule(name=st.sampled_from(OWNERS))
    def late_batch_lands(self, name: str) -> None:
        """A batch whose answer was lost lands now: it must apply exactly when its epoch still
        owns the shard and nobody wrote since the version it was read at."""
        store = self.owners[name].store
        if store.late is None:
            return
        q = store.q
        current = self.run(event_state.owner_of(q, self.partition))
        version = self.run(event_state.version(q, self.partition))
        expected = current is not None and (current[0], version) == (
            store.late.epoch,
            store.late.version,
        )
        assert self.run(store.land()) == expected

    def poll(self, name: str, commands: list[SeatCommand]) -> None:
        owner = self.owners[name]
        try:
            self.run(owner.owner.handle(self.partition, commands))
        except (Fenced, TimeoutError):
            owner.failed = commands  # not committed: delivered again
            return
        for _, outcome in owner.publisher.outcomes[owner.read :]:
            result = outcome.result or {}
            if outcome.status == "created":
                holding_id = holding_id_for(self.event_id, outcome.command_id)
                self.told[holding_id] = (result["seat_ids"][0], result["user_id"])
            elif outcome.status == "ok" and result.get("status") == "cancelled":
                self.cancelled.add(result["holding_id"])
        owner.read = len(owner.publisher.outcomes)

    @invariant()
    def nothing_told_is_lost_and_no_seat_is_taken_twice(self) -> None:
        rows = self.run(
            event_state.holds(self.owners["a"].store.q, self.event_id),
        )
        holds = [orjson.loads(event_state.hold_to_row(h, [])) for h in rows]
        assert seat_conflicts(holds) == []
        persisted = {h["holding_id"]: h for h in holds}
        for holding_id, (seat, _) in self.told.items():
            assert holding_id in persisted, f"told hold {holding_id} is lost"
            assert [s["seat_id"] for s in persisted[holding_id]["seats"]] == [seat]
            # A cancel whose answer was lost may have landed: held or cancelled, until told.
            if holding_id in self.cancelled:
                wanted = {"cancelled"}
            elif holding_id in self.cancel_sent:
                wanted = {"held", "cancelled"}
            else:
                wanted = {"held"}
            assert persisted[holding_id]["status"] in wanted

    def teardown(self) -> None:
        for owner in self.owners.values():
            if owner.store.late is not None:
                owner.store.late.write.close()  # never landed: not sent at all
        self.loop.close()


def test_the_fence_holds_over_any_interleaving(settings: Settings) -> None:
    session = connect(settings)
    try:
        run_state_machine_as_test(
            lambda: FenceMachine(settings, session),
            settings=settings_for_machine(),
        )
    finally:
        session.cluster.shutdown()


def settings_for_machine() -> settings:
    return settings(
        max_examples=25,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
