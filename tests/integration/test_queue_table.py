"""The waiting room's tables on the real Cassandra: one ticket per user under concurrent joins,
and admission that survives a restart (and a draw cut short) without anyone losing a place."""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from cassandra.util import uuid_from_time

from infra.cassandra import Statements, connect, migrate
from infra.settings import Settings
from tables import queue
from tests.support import isolated_settings
from waitroom import order
from waitroom.room import Room

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def keyspace(dev_stack: None) -> Iterator[Settings]:
    settings = isolated_settings()
    migrate(settings)
    yield settings
    session = connect(settings, keyspace=False, timeout=30.0)
    session.execute(f"DROP KEYSPACE IF EXISTS {settings.cassandra_keyspace}", timeout=60.0)
    session.cluster.shutdown()


@pytest.fixture
async def q(keyspace: Settings) -> AsyncIterator[Statements]:
    session = await asyncio.to_thread(connect, keyspace)
    yield Statements(session)
    session.cluster.shutdown()


def stamp(at: float) -> uuid.UUID:
    return uuid_from_time(at, node=secrets.randbits(48), clock_seq=secrets.randbits(14))


async def join_as(q: Statements, event_id: str, user_id: str) -> tuple[bool, uuid.UUID]:
    """What the ingress does: write the arrival, claim the ticket, drop the arrival if it lost."""
    joined_at, lottery = stamp(time.time()), secrets.randbits(order.LOTTERY_BITS)
    await queue.add_arrival(q, event_id, joined_at, user_id, lottery)
    won, ticket = await queue.claim_ticket(q, event_id, user_id, (joined_at, lottery), None)
    if not won:
        await queue.remove_arrival(q, event_id, joined_at)
    return won, ticket["joined_at"]


async def test_concurrent_joins_of_one_user_leave_one_ticket_and_one_arrival(
    q: Statements,
) -> None:
    event_id = uuid.uuid4().hex
    results = await asyncio.gather(*(join_as(q, event_id, "alice") for _ in range(20)))
    assert sum(won for won, _ in results) == 1
    assert len({ticket for _, ticket in results}) == 1
    rows = await queue.arrivals(q, event_id)
    assert [r["joined_at"] for r in rows] == [results[0][1]]


async def seed_room(
    q: Statements, users: int, opens: float, presale: int
) -> tuple[str, list[order.Arrival]]:
    """An open room with `presale` arrivals before `opens` and the rest after, all settled."""
    event_id = uuid.uuid4().hex
    await queue.open_room(q, event_id, datetime.fromtimestamp(opens, UTC), 600_000)
    made = []
    for i in range(users):
        at = opens - 10 + i * 0.01 if i < presale else opens + i * 0.01
        joined_at, lottery = stamp(at), secrets.randbits(order.LOTTERY_BITS)
        await queue.add_arrival(q, event_id, joined_at, f"u{i}", lottery)
        made.append(order.Arrival(joined_at.hex, f"u{i}", order.seconds_of(joined_at), lottery))
    return event_id, made


async def admission_order(q: Statements, event_id: str) -> list[str]:
    rows = [order.arrival_of(r) for r in await queue.arrivals(q, event_id)]
    assert all(r.admitted_at is not None for r in rows), "someone was never let in"
    assert sorted(r.rank or 0 for r in rows) == list(range(len(rows))), "ranks not 0..n-1"
    return [r.ticket_id for r in sorted(rows, key=lambda r: (r.admitted_at, r.rank))]


async def test_an_admitter_restarted_mid_admission_goes_on_in_the_same_order(
    q: Statements,
) -> None:
    opens = time.time() - 30
    event_id, made = await seed_room(q, users=60, opens=opens, presale=40)
    expected = [a.ticket_id for a in order.next_ranks(made, opens, time.time())]
    row = await queue.room(q, event_id)
    assert row is not None
    first = Room.of(row | {"admit_per_minute": 600})  # 10 a second
    await first.load(q)
    let_in = await first.step(q, time.time())
    assert 0 < let_in < 60 and first.ranked == 60
    # Killed here: a new admitter reads the room from Cassandra and admits the rest.
    second = Room.of(row)
    await second.load(q)
    assert (second.ranked, second.admitted) == (60, let_in)
    assert [a.ticket_id for a in second.waiting] == expected[let_in:]
    while second.waiting:
        await second.step(q, time.time())
    assert await admission_order(q, event_id) == expected
    progress = await queue.room(q, event_id)
    assert progress is not None and (progress["ranked"], progress["admitted"]) == (60, 60)


async def test_a_draw_cut_short_by_a_failed_write_ends_as_the_whole_draw(
    q: Statements, monkeypatch: pytest.MonkeyPatch
) -> None:
    opens = time.time() - 30
    event_id, made = await seed_room(q, users=50, opens=opens, presale=50)
    expected = [a.ticket_id for a in order.next_ranks(made, opens, time.time())]
    row = await queue.room(q, event_id)
    assert row is not None
    real_execute, batches = queue.execute, []

    async def fail_third(session: object, batch: object) -> object:
        batches.append(batch)
        if len(batches) == 3:
            raise TimeoutError("Cassandra went away")
        return await real_execute(session, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(queue, "_CHUNK", 10)
    monkeypatch.setattr(queue, "execute", fail_third)
    cut = Room.of(row | {"admit_per_minute": 1})
    await cut.load(q)
    with pytest.raises(TimeoutError):
        await cut.step(q, time.time())
    monkeypatch.undo()
    stored = [order.arrival_of(r) for r in await queue.arrivals(q, event_id)]
    assert sum(a.rank is not None for a in stored) == 20  # two chunks of ranks landed
    again = Room.of(row | {"admit_per_minute": 600_000})
    await again.load(q)
    while again.waiting or again.unranked:
        await again.step(q, time.time())
    assert await admission_order(q, event_id) == expected


async def test_a_lease_is_one_admitters_until_it_lapses(q: Statements) -> None:
    event_id = uuid.uuid4().hex
    assert await queue.take_lease(q, event_id, "a", 2)
    assert not await queue.take_lease(q, event_id, "b", 2)
    assert await queue.take_lease(q, event_id, "a", 2)  # renewed
    await asyncio.sleep(2.5)
    assert await queue.take_lease(q, event_id, "b", 2)
    assert not await queue.take_lease(q, event_id, "a", 2)
