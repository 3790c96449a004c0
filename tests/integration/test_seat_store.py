"""The seat store's fences in the real Cassandra: a batch written from a stale reading of an
event, by the same owner or an older one, changes nothing and says so; booking events go to an
outbox in the decision's batch, so a worker killed before Kafka took them loses none."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

import pytest

from infra.cassandra import Statements, connect
from infra.settings import Settings
from seating import HoldStatus
from tables import bookings
from tests.checker import seat_conflicts
from tests.integration.late_store import LateStore
from tests.integration.seed import persisted_holds, seed_event
from tests.unit.workers.fakes import FakePayments, FakePublisher
from topics.codec import encode
from topics.commands import HoldSeatsV1
from topics.partitioning import seat_partition
from workers.owner import Fenced, SeatOwner
from workers.store import Rules, SeatStore

pytestmark = pytest.mark.integration


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[SeatStore]:
    session = connect(settings)
    yield SeatStore(Statements(session), owner="test-owner", topic="seat-commands")
    session.cluster.shutdown()


@dataclass
class StuckPublisher(FakePublisher):
    """Kafka away: a flush never ends (until the worker is killed)."""

    flushing: asyncio.Event = field(default_factory=asyncio.Event)

    async def flush(self) -> None:
        self.flushing.set()
        await asyncio.Event().wait()


async def owner_of(
    store: SeatStore,
    partition: int,
    previous: int | None = None,
    publisher: FakePublisher | None = None,
) -> SeatOwner:
    owner = SeatOwner(
        store,
        publisher or FakePublisher(),
        Rules(max_seats_per_hold=10, max_active_holds_per_user=5),
        FakePayments(),
    )
    owner.epochs[partition] = await store.claim_partition(partition, previous)
    return owner


def hold(event_id: str, command_id: str, user: str, *seats: str) -> HoldSeatsV1:
    return HoldSeatsV1(command_id=command_id, event_id=event_id, user_id=user, seat_ids=[*seats])


async def test_a_batch_that_lands_after_its_owner_read_the_state_again_fails_the_next_write(
    settings: Settings,
) -> None:
    """What a lost answer leaves behind: the owner reads the event again, and only then does
    its own batch land. Deciding on that reading must not take a seat the batch gave away."""
    event_id, _ = seed_event(settings)
    p = seat_partition(event_id)
    session = connect(settings)
    store = LateStore(Statements(session), owner="test-owner", topic="seat-commands")
    try:
        owner = await owner_of(store, p)
        store.hold_back = True
        with pytest.raises(TimeoutError):
            await owner.handle(p, [hold(event_id, "c1", "u1", "A-1")])
        assert owner.events == {} and p not in owner.versions  # forgotten: only Cassandra knows
        stale = await owner.live(event_id, p)  # read again: no hold yet
        assert stale is not None and stale.state.holds == {}
        assert await store.land()  # ...and now the first batch lands
        with pytest.raises(Fenced):
            await owner.handle(p, [hold(event_id, "c2", "u2", "A-1")])
        await owner.handle(p, [hold(event_id, "c2", "u2", "A-1")])
        outcome = owner.events[event_id].outcomes["c2"]
        assert outcome.error is not None and outcome.error.code == "seats_unavailable"
        holds = persisted_holds(settings, event_id)
        assert len(holds) == 1 and seat_conflicts(holds) == []
    finally:
        session.cluster.shutdown()


async def test_one_poll_over_many_events_is_one_batch(settings: Settings, store: SeatStore) -> None:
    """Every event of a poll is written in the partition's one conditional batch."""
    first, _ = seed_event(settings)
    events = [first]
    while len(events) < 3:  # events of the same partition
        event_id, _ = seed_event(settings, rows="A", per_row=1)
        if seat_partition(event_id) == seat_partition(first):
            events.append(event_id)
    p = seat_partition(first)
    owner = await owner_of(store, p)
    before = await store.shard_version(p)
    commands = [hold(e, f"c{n}", f"u{n}", "A-1") for n, e in enumerate(events)]
    await owner.handle(p, commands)
    assert await store.shard_version(p) == (before or 0) + 1
    for event_id in events:
        assert [h["seats"][0]["seat_id"] for h in persisted_holds(settings, event_id)] == ["A-1"]


async def test_an_older_owner_is_fenced_off_by_a_newer_one(
    settings: Settings, store: SeatStore
) -> None:
    event_id, _ = seed_event(settings)
    p = seat_partition(event_id)
    old = await owner_of(store, p)
    await old.handle(p, [hold(event_id, "c1", "u1", "A-1")])
    new = await owner_of(store, p)
    await new.handle(p, [hold(event_id, "c2", "u2", "A-2")])
    with pytest.raises(Fenced):
        await old.handle(p, [hold(event_id, "c3", "u3", "A-2")])
    assert event_id not in old.events
    assert sorted(h["seats"][0]["seat_id"] for h in persisted_holds(settings, event_id)) == [
        "A-1",
        "A-2",
    ]


def outbox(settings: Settings, event_id: str) -> list[str]:
    """The message ids in the event's outbox."""
    session = connect(settings)
    try:
        rows = session.execute(
            "SELECT item_id FROM seat_state WHERE shard = %s AND event_id = %s AND kind = 'out'",
            (seat_partition(event_id), event_id),
        )
        return [r["item_id"] for r in rows]
    finally:
        session.cluster.shutdown()


async def test_booking_events_of_a_worker_killed_before_its_publish_reach_the_next_owner(
    settings: Settings, store: SeatStore
) -> None:
    event_id, _ = seed_event(settings)
    p = seat_partition(event_id)
    stuck = StuckPublisher()
    old = await owner_of(store, p, publisher=stuck)
    poll = asyncio.create_task(old.handle(p, [hold(event_id, "c1", "u1", "A-1", "A-2")]))
    await stuck.flushing.wait()  # the batch landed; Kafka does not take the events
    poll.cancel()  # the worker is killed
    assert outbox(settings, event_id) == ["c1#0"]
    publisher = FakePublisher()
    new = await owner_of(store, p, publisher=publisher)
    await new.live(event_id, p)
    assert [(e.message_id, e.type) for e in publisher.events] == [("c1#0", "SeatsHeld")]
    assert [encode(e) for e in publisher.events] == [encode(e) for e in stuck.events]
    assert outbox(settings, event_id) == []  # delivered, so taken out


async def test_outbox_rows_land_with_their_batch_only(settings: Settings, store: SeatStore) -> None:
    event_id, _ = seed_event(settings)
    p = seat_partition(event_id)
    old = await owner_of(store, p)
    await old.live(event_id, p)
    publisher = FakePublisher()
    new = await owner_of(store, p, publisher=publisher)
    await new.handle(p, [hold(event_id, "c1", "u1", "A-1")])
    assert [e.message_id for e in publisher.events] == ["c1#0"]
    assert outbox(settings, event_id) == ["c1#0"]  # published: deleted by the next batch
    await new.handle(p, [hold(event_id, "c2", "u2", "A-3")])
    assert outbox(settings, event_id) == ["c2#0"]
    await new.flush_delivered()  # or by a flush, when no batch comes
    assert outbox(settings, event_id) == []
    with pytest.raises(Fenced):
        await old.handle(p, [hold(event_id, "c3", "u3", "A-2")])
    assert outbox(settings, event_id) == []  # the fenced batch wrote none
    assert len(persisted_holds(settings, event_id)) == 2


async def test_a_stale_owners_late_projection_loses_to_a_newer_one(
    settings: Settings, store: SeatStore
) -> None:
    """A booking projected from a later state (a higher shard version or, at one version, a
    newer owner's epoch) stays, whichever write reaches Cassandra last: an owner paused
    mid-poll that projects late cannot show a cancelled booking confirmed again."""
    event_id, _ = seed_event(settings)
    p = seat_partition(event_id)
    owner = await owner_of(store, p)
    await owner.handle(p, [hold(event_id, "c1", "u1", "A-1")])
    live = owner.events[event_id]
    held = next(iter(live.state.holds.values()))
    confirmed = replace(
        held, status=HoldStatus.CONFIRMED, booking_id="b1", confirmed_at=held.created_at
    )
    cancelled = replace(confirmed, booking_cancelled=True, refund_id="r1")

    def shown() -> tuple[str, str]:
        session = connect(settings)
        try:
            booking = session.execute("SELECT status FROM bookings WHERE booking_id = 'b1'").one()
            history = session.execute("SELECT status FROM bookings_by_user WHERE user_id = 'u1'")
            return booking["status"], history.one()["status"]
        finally:
            session.cluster.shutdown()

    await store.project_bookings([(live, cancelled)], version=7, epoch=1)
    await store.project_bookings([(live, confirmed)], version=6, epoch=1)  # late, from version 6
    assert shown() == ("cancelled", "cancelled")
    await store.project_bookings([(live, confirmed)], version=7, epoch=2)  # a newer owner's state
    assert shown() == ("confirmed", "confirmed")
    await store.project_bookings([(live, cancelled)], version=7, epoch=1)  # the old owner, late
    assert shown() == ("confirmed", "confirmed")


async def test_one_state_projected_twice_lists_each_seat_once(
    settings: Settings, store: SeatStore
) -> None:
    """A poll finished again (its first finish failed) projects the same state at the same
    version and epoch, so both writes carry one timestamp: the booking's seats must not be the
    union of the two (CI waitlist fault run, seed 1374481881: a booking of D-9, D-9)."""
    event_id, _ = seed_event(settings)
    p = seat_partition(event_id)
    owner = await owner_of(store, p)
    await owner.handle(p, [hold(event_id, "c1", "u2", "A-1", "A-2")])
    live = owner.events[event_id]
    held = next(iter(live.state.holds.values()))
    confirmed = replace(
        held, status=HoldStatus.CONFIRMED, booking_id="b2", confirmed_at=held.created_at
    )
    for _ in range(2):
        await store.project_bookings([(live, confirmed)], version=3, epoch=1)
    session = connect(settings)
    try:
        booking = session.execute("SELECT seats FROM bookings WHERE booking_id = 'b2'").one()
    finally:
        session.cluster.shutdown()
    assert booking["seats"] == ["A-1", "A-2"]
    (shown,) = await bookings.of_user(store.q, "u2")
    assert shown["seat_ids"] == ["A-1", "A-2"]
