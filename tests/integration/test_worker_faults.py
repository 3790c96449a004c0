"""The worker under faults: killed mid-stream, commands delivered twice, a partition moved away
from a paused owner. Checked over the whole history and the persisted state."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import uuid
from contextlib import suppress

import pytest

from infra.settings import Settings
from system.launch import System
from tests.checker import outcome_anomalies, seat_conflicts
from tests.integration.conftest import spawn_worker
from tests.integration.partner import CommandClient, consistent
from tests.integration.seed import persisted_holds, seed_event
from tests.support import eventually
from topics.commands import HoldSeatsV1

pytestmark = pytest.mark.integration


def holds_for(event_id: str, seat_ids: list[str], count: int, seed: int) -> list[HoldSeatsV1]:
    """`count` holds of 1-3 random seats by 40 buyers, contending for the same seats."""
    rng = random.Random(seed)
    return [
        HoldSeatsV1(
            command_id=uuid.uuid4().hex,
            event_id=event_id,
            user_id=f"buyer-{rng.randrange(40)}",
            seat_ids=rng.sample(seat_ids, rng.randint(1, 3)),
        )
        for _ in range(count)
    ]


def logged(workers: System, name: str, event: str) -> int:
    """How many times process `name` has logged `event` (its log is one JSON object a line)."""
    path = workers.log_dir / f"{name}.log"
    count = 0
    for line in path.read_text(errors="replace").splitlines() if path.exists() else ():
        with suppress(ValueError):
            record = json.loads(line)
            count += isinstance(record, dict) and record.get("event") == event
    return count


def assert_invariants(settings: Settings, event_id: str, partner: CommandClient) -> None:
    holds = persisted_holds(settings, event_id)
    assert seat_conflicts(holds) == []
    firsts = {c: seen[0] for c, seen in partner.outcomes.items()}
    assert outcome_anomalies(event_id, firsts, holds) == []
    assert consistent(partner.outcomes) == {}


async def test_same_command_twice_gives_one_effect(
    settings: Settings, workers: System, partner: CommandClient
) -> None:
    event_id, seats = seed_event(settings)
    spawn_worker(workers, settings, "worker-1")
    command = holds_for(event_id, seats, 1, seed=1)[0]
    await partner.send(command)
    await partner.send(command)
    await partner.wait_for([command.command_id])
    async with asyncio.timeout(30):
        while len(partner.outcomes[command.command_id]) < 2:
            await asyncio.sleep(0.1)
    first, second = partner.outcomes[command.command_id]
    assert first.status == "created"
    assert first.model_dump(exclude={"correlation_id"}) == second.model_dump(
        exclude={"correlation_id"}
    )
    assert len(persisted_holds(settings, event_id)) == 1
    assert_invariants(settings, event_id, partner)


async def test_worker_killed_mid_stream(
    settings: Settings, workers: System, partner: CommandClient
) -> None:
    event_id, seats = seed_event(settings)
    spawn_worker(workers, settings, "worker-1")
    commands = holds_for(event_id, seats, 400, seed=2)
    for command in commands[:200]:
        await partner.send(command)
    async with asyncio.timeout(60):
        while len(partner.outcomes) < 50:
            await asyncio.sleep(0.05)
    workers.kill("worker-1", signal.SIGKILL)
    for command in commands[200:]:
        await partner.send(command)
    spawn_worker(workers, settings, "worker-2")
    await partner.wait_for([c.command_id for c in commands], timeout=120)
    created = sum(1 for c in commands if partner.first(c.command_id).status == "created")
    assert 0 < created < len(commands)
    assert_invariants(settings, event_id, partner)


async def test_partition_moves_from_paused_worker(
    settings: Settings, workers: System, partner: CommandClient
) -> None:
    event_id, seats = seed_event(settings)
    spawn_worker(workers, settings, "worker-1")
    commands = holds_for(event_id, seats, 300, seed=3)
    await partner.send(commands[0])
    await partner.wait_for([commands[0].command_id], timeout=60)
    for command in commands[1:150]:
        await partner.send(command)
    paused = workers.processes["worker-1"]
    paused.send_signal(signal.SIGSTOP)
    assigned_before = logged(workers, "worker-1", "partitions assigned")
    spawn_worker(workers, settings, "worker-2")
    for command in commands[150:]:
        await partner.send(command)
    try:
        await partner.wait_for([c.command_id for c in commands], timeout=120)
    finally:
        paused.send_signal(signal.SIGCONT)
    # The resumed worker tries (and fails) to write what it decided before the pause, then
    # finds it left the group and joins again: check the state once it has.
    await eventually(
        lambda: logged(workers, "worker-1", "partitions assigned") > assigned_before,
        timeout=60,
        interval=0.1,
        what="the resumed worker joining the group again",
    )
    assert_invariants(settings, event_id, partner)


async def test_a_command_id_of_another_users_hold_is_refused(
    settings: Settings, workers: System, partner: CommandClient
) -> None:
    """Over Kafka: a hold sent with the id of another user's hold gets command_id_reused (not
    that hold), and the first sender sending again still gets its own hold."""
    event_id, seats = seed_event(settings)
    spawn_worker(workers, settings, "worker-1")
    mine = HoldSeatsV1(
        command_id=uuid.uuid4().hex, event_id=event_id, user_id="buyer-1", seat_ids=seats[:1]
    )
    theirs = mine.model_copy(update={"user_id": "buyer-2", "seat_ids": seats[1:2]})
    for command in (mine, theirs, mine):
        await partner.send(command)
    async with asyncio.timeout(60):
        while len(partner.outcomes[mine.command_id]) < 3:
            await asyncio.sleep(0.1)
    first, refused, again = partner.outcomes[mine.command_id]
    assert first.status == "created" and first.result is not None
    assert refused.status == "rejected" and refused.error is not None
    assert refused.error.code == "command_id_reused" and refused.result is None
    assert again.model_dump(exclude={"correlation_id"}) == first.model_dump(
        exclude={"correlation_id"}
    )
    holds = persisted_holds(settings, event_id)
    assert [(h["user_id"], [s["seat_id"] for s in h["seats"]]) for h in holds] == [
        ("buyer-1", seats[:1])
    ]
