"""The worker under faults: killed mid-stream, commands delivered twice, a partition moved away
from a paused owner. Checked over the whole history and the persisted state."""

from __future__ import annotations

import asyncio
import random
import signal
import uuid

import pytest

from infra.launch import System
from infra.settings import Settings
from tests.checker import outcome_anomalies, seat_conflicts
from tests.integration.conftest import spawn_worker
from tests.integration.partner import CommandClient, consistent
from tests.integration.seed import persisted_holds, seed_event
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
    spawn_worker(workers, settings, "worker-2")
    for command in commands[150:]:
        await partner.send(command)
    try:
        await partner.wait_for([c.command_id for c in commands], timeout=120)
    finally:
        paused.send_signal(signal.SIGCONT)
    await asyncio.sleep(3.0)  # let the resumed worker try (and fail) to write
    assert_invariants(settings, event_id, partner)
