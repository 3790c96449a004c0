"""The seat store's fences in the real Cassandra: a batch written from a stale reading of an
event, by the same owner or an older one, changes nothing and says so; booking events go to an
outbox in the decision's batch, so a worker killed before Kafka took them loses none."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from infra.cassandra import Statements, connect
from infra.settings import Settings
from tests.checker import seat_conflicts
from tests.integration.seed import persisted_holds, seed_event
from tests.unit.workers.fakes import FakePayments, FakePublisher
from topics.codec import encode
from topics.commands import HoldSeatsV1
from workers.owner import Fenced, SeatOwner
from workers.store import Rules, SeatStore

pytestmark = pytest.mark.integration
PARTITION = 0


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
    store: SeatStore, previous: int | None = None, publisher: FakePublisher | None = None
) -> SeatOwner:
    owner = SeatOwner(
        store,
        publisher or FakePublisher(),
        Rules(max_seats_per_hold=10, max_active_holds_per_user=5),
        FakePayments(),
    )
    owner.epochs[PARTITION] = await store.claim_partition(store.topic, PARTITION, previous)
    return owner


def hold(event_id: str, command_id: str, user: str, *seats: str) -> HoldSeatsV1:
    return HoldSeatsV1(command_id=command_id, event_id=event_id, user_id=user, seat_ids=[*seats])


async def test_a_batch_from_a_stale_reading_by_the_same_owner_is_refused(
    settings: Settings, store: SeatStore
) -> None:
    """What a lost answer leaves behind: the owner read the event before its own batch landed.
    Deciding on that reading must not take a seat the batch gave away."""
    event_id, _ = seed_event(settings)
    owner = await owner_of(store)
    stale = await owner.live(event_id, PARTITION)
    owner.forget([PARTITION])
    await owner.handle(PARTITION, [hold(event_id, "c1", "u1", "A-1")])
    owner.events[event_id] = stale  # type: ignore[assignment]
    with pytest.raises(Fenced):
        await owner.handle(PARTITION, [hold(event_id, "c2", "u2", "A-1")])
    await owner.handle(PARTITION, [hold(event_id, "c2", "u2", "A-1")])
    outcome = owner.events[event_id].outcomes["c2"]
    assert outcome.error is not None and outcome.error.code == "seats_unavailable"
    holds = persisted_holds(settings, event_id)
    assert len(holds) == 1 and seat_conflicts(holds) == []


async def test_an_older_owner_is_fenced_off_by_a_newer_one(
    settings: Settings, store: SeatStore
) -> None:
    event_id, _ = seed_event(settings)
    old = await owner_of(store)
    await old.handle(PARTITION, [hold(event_id, "c1", "u1", "A-1")])
    new = await owner_of(store)
    await new.handle(PARTITION, [hold(event_id, "c2", "u2", "A-2")])
    with pytest.raises(Fenced):
        await old.handle(PARTITION, [hold(event_id, "c3", "u3", "A-2")])
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
            "SELECT item_id FROM event_state WHERE event_id = %s AND kind = 'out'", (event_id,)
        )
        return [r["item_id"] for r in rows]
    finally:
        session.cluster.shutdown()


async def test_booking_events_of_a_worker_killed_before_its_publish_reach_the_next_owner(
    settings: Settings, store: SeatStore
) -> None:
    event_id, _ = seed_event(settings)
    stuck = StuckPublisher()
    old = await owner_of(store, publisher=stuck)
    poll = asyncio.create_task(old.handle(PARTITION, [hold(event_id, "c1", "u1", "A-1", "A-2")]))
    await stuck.flushing.wait()  # the batch landed; Kafka does not take the events
    poll.cancel()  # the worker is killed
    assert outbox(settings, event_id) == ["c1#0"]
    publisher = FakePublisher()
    new = await owner_of(store, publisher=publisher)
    await new.live(event_id, PARTITION)
    assert [(e.message_id, e.type) for e in publisher.events] == [("c1#0", "SeatsHeld")]
    assert [encode(e) for e in publisher.events] == [encode(e) for e in stuck.events]
    assert outbox(settings, event_id) == []  # delivered, so taken out


async def test_outbox_rows_land_with_their_batch_only(settings: Settings, store: SeatStore) -> None:
    event_id, _ = seed_event(settings)
    old = await owner_of(store)
    await old.live(event_id, PARTITION)
    publisher = FakePublisher()
    new = await owner_of(store, publisher=publisher)
    await new.handle(PARTITION, [hold(event_id, "c1", "u1", "A-1")])
    assert [e.message_id for e in publisher.events] == ["c1#0"]
    assert outbox(settings, event_id) == []  # published, then taken out
    with pytest.raises(Fenced):
        await old.handle(PARTITION, [hold(event_id, "c2", "u2", "A-2")])
    assert outbox(settings, event_id) == []  # the fenced batch wrote none
    assert len(persisted_holds(settings, event_id)) == 1
